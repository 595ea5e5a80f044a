//! The registry itself: Rust types to GroupVersionKinds, and GroupVersionKinds to plural, list kind,
//! scope and Rust type.

use std::any::{Any, TypeId};
use std::collections::HashMap;

use kube_core::{ApiResource, DynamicObject, GroupVersionKind, GroupVersionResource, Resource};
use serde::de::DeserializeOwned;

use crate::error::{Result, SchemeError};
use crate::scope::{KnownScope, Scope};

type FromSliceFn = fn(&[u8]) -> Result<Box<dyn Any + Send + Sync>, serde_json::Error>;

/// The Rust type registered for a kind, and how to decode JSON into it.
#[derive(Clone, Copy)]
pub(crate) struct Codec {
    pub(crate) type_id: TypeId,
    pub(crate) type_name: &'static str,
    /// Only a bytes decoder per type: each one instantiates the type's whole deserializer, and
    /// the built-in table has ~90 types, so a second (from `Value`) would double kube-scheme's
    /// compile time for a path that can go through bytes. `None` for a type registered with
    /// [`Scheme::register_kind`], which instantiates no deserializer at all.
    pub(crate) from_slice: Option<FromSliceFn>,
}

impl Codec {
    fn of<K: DeserializeOwned + Send + Sync + 'static>() -> Self {
        Codec {
            from_slice: Some(|b| serde_json::from_slice::<K>(b).map(|k| Box::new(k) as _)),
            ..Codec::without_decoder::<K>()
        }
    }

    fn without_decoder<K: 'static>() -> Self {
        Codec {
            type_id: TypeId::of::<K>(),
            type_name: std::any::type_name::<K>(),
            from_slice: None,
        }
    }
}

/// Everything the scheme knows about one GroupVersionKind.
#[derive(Clone)]
pub struct KindInfo {
    gvk: GroupVersionKind,
    api_version: String,
    plural: String,
    list_kind: String,
    scope: Scope,
    builtin: bool,
    pub(crate) codec: Codec,
}

impl std::fmt::Debug for KindInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KindInfo")
            .field("gvk", &self.gvk)
            .field("plural", &self.plural)
            .field("list_kind", &self.list_kind)
            .field("scope", &self.scope)
            .field("type_name", &self.codec.type_name)
            .finish()
    }
}

impl KindInfo {
    /// The GroupVersionKind.
    pub fn gvk(&self) -> &GroupVersionKind {
        &self.gvk
    }
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }
    /// The plural resource name used in URLs (`pods`).
    pub fn plural(&self) -> &str {
        &self.plural
    }
    /// The kind of a list of these (`PodList`).
    pub fn list_kind(&self) -> &str {
        &self.list_kind
    }
    /// Namespaced or cluster-scoped.
    pub fn scope(&self) -> Scope {
        self.scope
    }
    /// The REST resource: group, version and plural.
    pub fn gvr(&self) -> GroupVersionResource {
        GroupVersionResource::gvr(&self.gvk.group, &self.gvk.version, &self.plural)
    }
    /// The kind as kube's [`ApiResource`], for `Api::namespaced_with` and dynamic informers.
    pub fn api_resource(&self) -> ApiResource {
        ApiResource {
            group: self.gvk.group.clone(),
            version: self.gvk.version.clone(),
            api_version: self.api_version.clone(),
            kind: self.gvk.kind.clone(),
            plural: self.plural.clone(),
        }
    }
    /// Whether this is a built-in Kubernetes kind (added by [`Scheme::add_builtins`]) rather than a
    /// custom resource. The API server strips `kind`/`apiVersion` from list items of built-in
    /// kinds only.
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }
    /// `std::any::type_name` of the Rust type the kind decodes into
    /// (`kube_core::dynamic::DynamicObject` for kinds added with [`Scheme::add_kind`]).
    pub fn type_name(&self) -> &'static str {
        self.codec.type_name
    }
    /// The `TypeId` of the Rust type the kind decodes into.
    pub fn type_id(&self) -> TypeId {
        self.codec.type_id
    }
}

/// A registry from Rust types to GroupVersionKinds and back, like apimachinery's `runtime.Scheme`
/// plus a small REST mapping (plural and scope per kind).
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kube_core::GroupVersionKind;
/// use kube_scheme::{Scheme, Scope};
///
/// let scheme = Scheme::with_builtins();
/// let gvk = scheme.gvk_for::<Pod>()?;
/// assert_eq!(gvk, GroupVersionKind::gvk("", "v1", "Pod"));
/// let info = scheme.kind(&gvk)?;
/// assert_eq!((info.plural(), info.list_kind(), info.scope()), ("pods", "PodList", Scope::Namespaced));
/// # Ok::<(), kube_scheme::SchemeError>(())
/// ```
#[derive(Clone, Default)]
pub struct Scheme {
    /// Every kind, in registration order.
    kinds: Vec<KindInfo>,
    by_gvk: HashMap<GroupVersionKind, usize>,
    /// `(group, version, list kind)` to index into `kinds`.
    by_list_kind: HashMap<GroupVersionKind, usize>,
    by_resource: HashMap<GroupVersionResource, usize>,
    by_type: HashMap<TypeId, (&'static str, Vec<GroupVersionKind>)>,
    k8s_version: Option<&'static str>,
}

impl std::fmt::Debug for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheme")
            .field("kinds", &self.kinds.len())
            .field("k8s_version", &self.k8s_version)
            .finish()
    }
}

impl Scheme {
    /// An empty scheme.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every listable built-in kind of the Kubernetes version that k8s-openapi was built for, plus
    /// every type registered with `#[derive(Kind)]` (or [`crate::register!`]) in the final binary.
    ///
    /// # Panics
    /// When two registered types claim the same kind: that is a bug in the program, like a failing
    /// `AddToScheme` in Go. Use [`Scheme::add_registered`] to get the error instead.
    pub fn with_builtins() -> Self {
        let mut scheme = Self::new();
        scheme.add_builtins();
        if let Err(err) = scheme.add_registered() {
            panic!("kube-scheme: registered types conflict: {err}");
        }
        scheme
    }

    /// Adds every listable built-in kind of the enabled k8s-openapi version.
    pub fn add_builtins(&mut self) -> &mut Self {
        crate::builtins::register_all(self);
        self.k8s_version = Some(crate::builtins::K8S_VERSION);
        self
    }

    /// The Kubernetes minor version (`"1.37"`) of the built-ins, once they have been added.
    pub fn k8s_version(&self) -> Option<&'static str> {
        self.k8s_version
    }

    /// Adds every type registered in the binary through `#[derive(Kind)]` or [`crate::register!`].
    pub fn add_registered(&mut self) -> Result<&mut Self> {
        for registration in inventory::iter::<crate::Registration> {
            (registration.register)(self)?;
        }
        Ok(self)
    }

    /// Registers `K` under its own GroupVersionKind, plural and scope.
    ///
    /// Works for k8s-openapi types, kube-derive `CustomResource` types and `#[derive(Kind)]` types.
    /// Registering the same type twice is a no-op; registering a different type for a kind that
    /// is taken is [`SchemeError::DuplicateKind`].
    pub fn register<K>(&mut self) -> Result<&mut Self>
    where
        K: Resource<DynamicType = ()> + DeserializeOwned + Send + Sync + 'static,
        K::Scope: KnownScope,
    {
        let gvk = GroupVersionKind::gvk(&K::group(&()), &K::version(&()), &K::kind(&()));
        self.insert(gvk, &K::plural(&()), None, K::Scope::SCOPE, Codec::of::<K>(), false)
    }

    /// Registers `K`'s GroupVersionKind, plural and scope like [`Scheme::register`], without a
    /// decoder: [`Scheme::decode`] answers [`SchemeError::NoDecoder`] for the kind until
    /// [`Scheme::register`] registers the same type again (which adds its decoder).
    ///
    /// Everything else works: [`Scheme::gvk_for`], restoring `kind`/`apiVersion`, plural and scope
    /// lookups. It costs no compile time per type, where [`Scheme::register`] instantiates the
    /// type's whole deserializer: this is what [`crate::register_kind!`] and the code
    /// kube-informer-gen writes use, for crates with hundreds of generated CRD bindings.
    pub fn register_kind<K>(&mut self) -> Result<&mut Self>
    where
        K: Resource<DynamicType = ()> + 'static,
        K::Scope: KnownScope,
    {
        let gvk = GroupVersionKind::gvk(&K::group(&()), &K::version(&()), &K::kind(&()));
        self.insert(
            gvk,
            &K::plural(&()),
            None,
            K::Scope::SCOPE,
            Codec::without_decoder::<K>(),
            false,
        )
    }

    /// Registers `K` under an explicit GroupVersionKind, plural and scope. One type may be
    /// registered under several kinds (the same Rust struct serving `v1` and `v1beta1`).
    pub fn register_as<K>(&mut self, gvk: GroupVersionKind, plural: &str, scope: Scope) -> Result<&mut Self>
    where
        K: DeserializeOwned + Send + Sync + 'static,
    {
        self.insert(gvk, plural, None, scope, Codec::of::<K>(), false)
    }

    /// Adds a kind that has no Rust type of its own (a CRD known only at run time): it decodes into
    /// [`DynamicObject`].
    pub fn add_kind(&mut self, resource: &ApiResource, scope: Scope) -> Result<&mut Self> {
        let gvk = GroupVersionKind::gvk(&resource.group, &resource.version, &resource.kind);
        self.insert(gvk, &resource.plural, None, scope, Codec::of::<DynamicObject>(), false)
    }

    pub(crate) fn register_builtin<K>(&mut self)
    where
        K: Resource<DynamicType = ()> + k8s_openapi::ListableResource + DeserializeOwned + Send + Sync + 'static,
        <K as Resource>::Scope: KnownScope,
    {
        let gvk = GroupVersionKind::gvk(&K::group(&()), &K::version(&()), &K::kind(&()));
        let plural = K::plural(&());
        if let Err(err) = self.insert(
            gvk,
            &plural,
            Some(K::LIST_KIND),
            <K as Resource>::Scope::SCOPE,
            Codec::of::<K>(),
            true,
        ) {
            panic!("kube-scheme: the built-in table is inconsistent: {err}");
        }
    }

    fn insert(
        &mut self,
        gvk: GroupVersionKind,
        plural: &str,
        list_kind: Option<&str>,
        scope: Scope,
        codec: Codec,
        builtin: bool,
    ) -> Result<&mut Self> {
        let invalid = |reason| {
            Err(SchemeError::InvalidKind {
                gvk: gvk.clone(),
                reason,
            })
        };
        if gvk.kind.is_empty() {
            return invalid("the kind is empty");
        }
        if gvk.version.is_empty() {
            return invalid("the version is empty");
        }
        if plural.is_empty() {
            return invalid("the plural is empty");
        }
        let list_kind = list_kind.map_or_else(|| format!("{}List", gvk.kind), str::to_owned);
        if let Some(&i) = self.by_gvk.get(&gvk) {
            let existing = &mut self.kinds[i];
            if existing.codec.type_id != codec.type_id {
                return Err(SchemeError::DuplicateKind {
                    gvk,
                    existing: existing.codec.type_name,
                    new: codec.type_name,
                });
            }
            if existing.plural != plural || existing.scope != scope {
                let reason = format!(
                    "it is already registered as {} \"{}\", not {} \"{}\"",
                    existing.scope, existing.plural, scope, plural
                );
                return Err(SchemeError::ConflictingMapping { gvk, reason });
            }
            // The same type registered again, now with a decoder (after `register_kind`).
            if existing.codec.from_slice.is_none() {
                existing.codec.from_slice = codec.from_slice;
            }
            return Ok(self);
        }
        let gvr = GroupVersionResource::gvr(&gvk.group, &gvk.version, plural);
        if let Some(&i) = self.by_resource.get(&gvr) {
            let reason = format!(
                "the resource \"{plural}\" already maps to kind \"{}\"",
                self.kinds[i].gvk.kind
            );
            return Err(SchemeError::ConflictingMapping { gvk, reason });
        }
        let list_gvk = GroupVersionKind::gvk(&gvk.group, &gvk.version, &list_kind);
        if let Some(&i) = self.by_list_kind.get(&list_gvk) {
            let reason = format!(
                "the list kind \"{list_kind}\" already belongs to kind \"{}\"",
                self.kinds[i].gvk.kind
            );
            return Err(SchemeError::ConflictingMapping { gvk, reason });
        }

        let i = self.kinds.len();
        self.by_gvk.insert(gvk.clone(), i);
        self.by_list_kind.insert(list_gvk, i);
        self.by_resource.insert(gvr, i);
        self.by_type
            .entry(codec.type_id)
            .or_insert_with(|| (codec.type_name, Vec::new()))
            .1
            .push(gvk.clone());
        self.kinds.push(KindInfo {
            api_version: gvk.api_version(),
            gvk,
            plural: plural.to_owned(),
            list_kind,
            scope,
            builtin,
            codec,
        });
        Ok(self)
    }

    /// Every kind `K` is registered under, in registration order.
    pub fn gvks_for<K: 'static>(&self) -> Result<&[GroupVersionKind]> {
        self.by_type
            .get(&TypeId::of::<K>())
            .map(|(_, gvks)| gvks.as_slice())
            .ok_or(SchemeError::NotRegistered {
                type_name: std::any::type_name::<K>(),
            })
    }

    /// The kind of a typed object, with controller-runtime's `GVKForObject` rules: a type registered
    /// once has that kind; a type registered several times has its own compile-time kind if that is
    /// one of them, and otherwise [`SchemeError::AmbiguousKind`].
    pub fn gvk_for<K: Resource<DynamicType = ()> + 'static>(&self) -> Result<GroupVersionKind> {
        let gvks = self.gvks_for::<K>()?;
        if let [only] = gvks {
            return Ok(only.clone());
        }
        let (group, version, kind) = (K::group(&()), K::version(&()), K::kind(&()));
        gvks.iter()
            .find(|g| g.group == group && g.version == version && g.kind == kind)
            .cloned()
            .ok_or_else(|| SchemeError::AmbiguousKind {
                type_name: std::any::type_name::<K>(),
                gvks: gvks.to_vec(),
            })
    }

    /// The kind of any object: typed objects through [`Scheme::gvk_for`]; dynamic, metadata-only
    /// and JSON objects by their own `kind`/`apiVersion`, which must be set.
    pub fn gvk_for_object<O: crate::ObjectKind + ?Sized>(&self, object: &O) -> Result<GroupVersionKind> {
        object.object_gvk(self)
    }

    /// What the scheme knows about a kind: plural, list kind, scope, Rust type.
    pub fn kind(&self, gvk: &GroupVersionKind) -> Result<&KindInfo> {
        self.by_gvk
            .get(gvk)
            .map(|&i| &self.kinds[i])
            .ok_or_else(|| SchemeError::UnknownKind { gvk: gvk.clone() })
    }

    /// Whether the kind is registered.
    pub fn recognizes(&self, gvk: &GroupVersionKind) -> bool {
        self.by_gvk.contains_key(gvk)
    }

    /// The REST mapping: which kind a plural resource (`apps/v1/deployments`) serves.
    pub fn kind_for_resource(&self, gvr: &GroupVersionResource) -> Result<&KindInfo> {
        self.by_resource
            .get(gvr)
            .map(|&i| &self.kinds[i])
            .ok_or_else(|| SchemeError::UnknownResource { gvr: gvr.clone() })
    }

    /// The kind whose list kind is `list_kind` in `group`/`version` (`PodList` to `Pod`).
    pub fn kind_for_list(&self, group: &str, version: &str, list_kind: &str) -> Option<&KindInfo> {
        self.by_list_kind
            .get(&GroupVersionKind::gvk(group, version, list_kind))
            .map(|&i| &self.kinds[i])
    }

    /// Every registered kind, in registration order.
    pub fn kinds(&self) -> impl ExactSizeIterator<Item = &KindInfo> {
        self.kinds.iter()
    }

    /// Every registered Rust type with the kinds it is registered under.
    pub fn types(&self) -> impl Iterator<Item = (&'static str, &[GroupVersionKind])> {
        self.by_type.values().map(|(name, gvks)| (*name, gvks.as_slice()))
    }

    /// How many kinds are registered.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether no kind is registered.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }
}
