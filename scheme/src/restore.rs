//! Restoring the `kind`/`apiVersion` that List responses, caches and metadata-only requests strip.
//!
//! The API server stamps a List of built-in kinds only on the list itself (`PodList`, `v1`); its
//! items carry no `kind`/`apiVersion`. kube's `DynamicObject` then has `types: None`, and a
//! metadata-only object says `PartialObjectMetadata`. Restoring is one GroupVersionKind look-up
//! per list, then a stamp of two pre-built strings per item.

use kube_core::{DynamicObject, GroupVersionKind, ObjectList, PartialObjectMeta, Resource, TypeMeta};
use serde_json::Value;

use crate::Scheme;
use crate::error::{Result, SchemeError};
use crate::object::{describe_json, describe_meta, json_type, split_api_version};

/// The `kind` and `apiVersion` to stamp, built once per list.
#[derive(Clone, Debug)]
pub struct Stamp {
    types: TypeMeta,
    api_version_value: Value,
    kind_value: Value,
}

impl Stamp {
    /// Pre-builds the strings for `gvk`.
    pub fn new(gvk: &GroupVersionKind) -> Self {
        let api_version = gvk.api_version();
        Stamp {
            api_version_value: Value::String(api_version.clone()),
            kind_value: Value::String(gvk.kind.clone()),
            types: TypeMeta {
                api_version,
                kind: gvk.kind.clone(),
            },
        }
    }

    /// The `TypeMeta` this stamp sets.
    pub fn type_meta(&self) -> &TypeMeta {
        &self.types
    }
}

/// An object whose `kind`/`apiVersion` can be restored.
///
/// Implemented for [`DynamicObject`], [`PartialObjectMeta<K>`] and JSON [`Value`] objects.
pub trait Restore {
    /// The kind implied by the Rust type alone, whatever the object says (a `PartialObjectMeta<K>`
    /// is a `K`), or `None` when only the context (the list, the caller) can tell.
    fn implied_gvk(_scheme: &Scheme) -> Option<Result<GroupVersionKind>> {
        None
    }
    /// Whether the object carries a kind and an apiVersion already.
    fn has_type_meta(&self) -> bool;
    /// Whether the object carries exactly `stamp`'s kind and apiVersion.
    fn matches(&self, stamp: &Stamp) -> bool;
    /// Sets `kind` and `apiVersion`, and nothing else.
    fn stamp(&mut self, stamp: &Stamp);
    /// A short description for errors (`DynamicObject "default/web"`).
    fn describe(&self) -> String;
    /// Checks that the object can be stamped at all (a JSON value must be an object).
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

/// Whether a `types` field names both a kind and an apiVersion.
fn types_complete(types: Option<&TypeMeta>) -> bool {
    types.is_some_and(|t| !t.kind.is_empty() && !t.api_version.is_empty())
}

impl Restore for DynamicObject {
    fn has_type_meta(&self) -> bool {
        types_complete(self.types.as_ref())
    }
    fn matches(&self, stamp: &Stamp) -> bool {
        self.types.as_ref() == Some(&stamp.types)
    }
    fn stamp(&mut self, stamp: &Stamp) {
        self.types = Some(stamp.types.clone());
    }
    fn describe(&self) -> String {
        describe_meta("DynamicObject", &self.metadata)
    }
}

impl<K: Resource<DynamicType = ()> + 'static> Restore for PartialObjectMeta<K> {
    fn implied_gvk(scheme: &Scheme) -> Option<Result<GroupVersionKind>> {
        Some(match scheme.gvk_for::<K>() {
            Err(SchemeError::NotRegistered { .. }) => {
                Ok(GroupVersionKind::gvk(&K::group(&()), &K::version(&()), &K::kind(&())))
            }
            other => other,
        })
    }
    fn has_type_meta(&self) -> bool {
        types_complete(self.types.as_ref())
    }
    fn matches(&self, stamp: &Stamp) -> bool {
        self.types.as_ref() == Some(&stamp.types)
    }
    fn stamp(&mut self, stamp: &Stamp) {
        self.types = Some(stamp.types.clone());
    }
    fn describe(&self) -> String {
        describe_meta(&format!("PartialObjectMeta<{}>", K::kind(&())), &self.metadata)
    }
}

impl Restore for Value {
    fn has_type_meta(&self) -> bool {
        let non_empty = |k| self.get(k).and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        non_empty("kind") && non_empty("apiVersion")
    }
    fn matches(&self, stamp: &Stamp) -> bool {
        self.get("kind") == Some(&stamp.kind_value) && self.get("apiVersion") == Some(&stamp.api_version_value)
    }
    fn stamp(&mut self, stamp: &Stamp) {
        if let Value::Object(map) = self {
            map.insert("apiVersion".to_owned(), stamp.api_version_value.clone());
            map.insert("kind".to_owned(), stamp.kind_value.clone());
        }
    }
    fn describe(&self) -> String {
        describe_json(self)
    }
    fn check(&self) -> Result<()> {
        if self.is_object() {
            Ok(())
        } else {
            Err(SchemeError::InvalidJson {
                reason: format!("expected a JSON object, found {}", json_type(self)),
                source: None,
            })
        }
    }
}

/// A list whose items can be restored from the list's own kind.
///
/// Implemented for kube's [`ObjectList<T>`] and for a JSON List [`Value`]
/// (`{"kind": "PodList", "apiVersion": "v1", "items": [...]}`).
pub trait RestoreList {
    /// Restores every item, using `scheme` to map the list kind to the item kind.
    fn restore_items_in(&mut self, scheme: &Scheme) -> Result<()>;
}

impl<T: Restore + Clone> RestoreList for ObjectList<T> {
    fn restore_items_in(&mut self, scheme: &Scheme) -> Result<()> {
        let context = if T::implied_gvk(scheme).is_some() {
            None
        } else {
            scheme.item_gvk_of_list(&self.types.api_version, &self.types.kind)?
        };
        scheme.restore_items(&mut self.items, context.as_ref())
    }
}

impl RestoreList for Value {
    fn restore_items_in(&mut self, scheme: &Scheme) -> Result<()> {
        let Some(map) = self.as_object_mut() else {
            return Err(SchemeError::NotAList {
                what: format!("expected a JSON List object, found {}", json_type(self)),
            });
        };
        let field = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let (api_version, kind) = (field("apiVersion"), field("kind"));
        let context = scheme.item_gvk_of_list(&api_version, &kind)?;
        match map.get_mut("items") {
            Some(Value::Array(items)) => scheme.restore_items(items, context.as_ref()),
            Some(Value::Null) | None => Ok(()),
            Some(other) => Err(SchemeError::NotAList {
                what: format!(
                    "the \"items\" of {kind} {api_version} is {}, not an array",
                    json_type(other)
                ),
            }),
        }
    }
}

impl Scheme {
    /// The kind of the items of a list of kind `list_kind` in `api_version`: the registered kind
    /// whose list kind it is, else the list kind minus `List` (apimachinery's `UnstructuredList`
    /// rule, so unregistered custom resources restore too). `None` for a mixed `v1 List`, whose
    /// items must say what they are.
    pub fn item_gvk_of_list(&self, api_version: &str, list_kind: &str) -> Result<Option<GroupVersionKind>> {
        if list_kind.is_empty() || list_kind == "List" {
            return Ok(None);
        }
        if api_version.is_empty() {
            return Err(SchemeError::MissingTypeMeta {
                what: format!("the list of kind \"{list_kind}\""),
                missing: "apiVersion",
            });
        }
        let (group, version) = split_api_version(api_version);
        if let Some(info) = self.kind_for_list(group, version, list_kind) {
            return Ok(Some(info.gvk().clone()));
        }
        match list_kind.strip_suffix("List") {
            Some(kind) => Ok(Some(GroupVersionKind::gvk(group, version, kind))),
            None => Err(SchemeError::NotAList {
                what: format!("kind \"{list_kind}\" in {api_version} does not end in \"List\""),
            }),
        }
    }

    /// Restores `kind`/`apiVersion` on every item of a list, from the list's own kind.
    ///
    /// ```
    /// use kube_core::{DynamicObject, ObjectList};
    /// use kube_scheme::Scheme;
    ///
    /// let json = r#"{"kind":"PodList","apiVersion":"v1","metadata":{},
    ///               "items":[{"metadata":{"name":"web","namespace":"default"}}]}"#;
    /// let mut pods: ObjectList<DynamicObject> = serde_json::from_str(json)?;
    /// assert!(pods.items[0].types.is_none());
    ///
    /// Scheme::with_builtins().restore_list(&mut pods)?;
    /// let types = pods.items[0].types.as_ref().unwrap();
    /// assert_eq!((types.api_version.as_str(), types.kind.as_str()), ("v1", "Pod"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// Items that already carry a kind keep it (a `v1 List` mixes kinds); a
    /// `PartialObjectMeta<K>` always becomes a `K`. On error nothing has been changed.
    pub fn restore_list<L: RestoreList + ?Sized>(&self, list: &mut L) -> Result<()> {
        list.restore_items_in(self)
    }

    /// Restores `kind`/`apiVersion` on items that are not in a list object (a `Vec` from a cache).
    ///
    /// The kind is the one the item type implies (`PartialObjectMeta<K>`), else `gvk`; with
    /// neither, every item must carry its own. On error nothing has been changed.
    pub fn restore_items<T: Restore>(&self, items: &mut [T], gvk: Option<&GroupVersionKind>) -> Result<()> {
        for item in items.iter() {
            item.check()?;
        }
        if let Some(implied) = T::implied_gvk(self) {
            let stamp = Stamp::new(&implied?);
            for item in items.iter_mut() {
                if !item.matches(&stamp) {
                    item.stamp(&stamp);
                }
            }
            return Ok(());
        }
        let Some(gvk) = gvk else {
            return match items.iter().find(|item| !item.has_type_meta()) {
                Some(item) => Err(SchemeError::MissingTypeMeta {
                    what: item.describe(),
                    missing: "kind and apiVersion",
                }),
                None => Ok(()),
            };
        };
        let stamp = Stamp::new(gvk);
        for item in items.iter_mut() {
            if !item.has_type_meta() {
                item.stamp(&stamp);
            }
        }
        Ok(())
    }

    /// Restores `kind`/`apiVersion` on one object; see [`Scheme::restore_items`].
    pub fn restore<T: Restore>(&self, object: &mut T, gvk: Option<&GroupVersionKind>) -> Result<()> {
        self.restore_items(std::slice::from_mut(object), gvk)
    }
}
