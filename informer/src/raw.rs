//! Watched objects as the watch task receives them: their JSON text, with just the metadata the
//! watcher and the cache's keys need, and the lengths of their arrays. The informer's apply thread
//! decodes them, so decoding runs beside the HTTP reading and line splitting of what follows,
//! and the objects the cache holds are allocated on that one thread.

use std::borrow::Cow;
use std::fmt::Debug;
use std::marker::PhantomData;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube::api::Api;
use kube::core::DynamicResourceScope;
use serde::de::{DeserializeOwned, Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// One object of a list or watch, not yet decoded into `K`.
pub(crate) struct Raw<K> {
    /// The object's JSON.
    text: Box<str>,
    /// The length of every array in `text`, in the order they open.
    lengths: Vec<u32>,
    /// Name, namespace and resourceVersion only (boxed: texts wait in queues by the thousand).
    meta: Box<ObjectMeta>,
    kind: PhantomData<fn() -> K>,
}

impl<K: DeserializeOwned> Raw<K> {
    /// Decodes the object; `exact` allocates every list at its length (see [`crate::hinted`]).
    pub fn decode(&self, exact: bool) -> serde_json::Result<K> {
        if exact {
            crate::hinted::from_str_exact(&self.text, &self.lengths)
        } else {
            serde_json::from_str(&self.text)
        }
    }
}

impl<K> Clone for Raw<K> {
    fn clone(&self) -> Self {
        Raw {
            text: self.text.clone(),
            lengths: self.lengths.clone(),
            meta: self.meta.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> Debug for Raw<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Raw")
            .field("name", &self.meta.name)
            .field("namespace", &self.meta.namespace)
            .field("resource_version", &self.meta.resource_version)
            .finish_non_exhaustive()
    }
}

impl<'de, K> Deserialize<'de> for Raw<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Head {
            #[serde(default)]
            metadata: HeadMeta,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct HeadMeta {
            name: Option<String>,
            namespace: Option<String>,
            resource_version: Option<String>,
        }
        let text = deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, TextVisitor)?;
        let head: Head = serde_json::from_str(&text).map_err(D::Error::custom)?;
        Ok(Raw {
            lengths: crate::hinted::array_lengths(text.as_bytes()),
            text,
            meta: Box::new(ObjectMeta {
                name: head.metadata.name,
                namespace: head.metadata.namespace,
                resource_version: head.metadata.resource_version,
                ..ObjectMeta::default()
            }),
            kind: PhantomData,
        })
    }
}

/// The name under which serde_json hands a value's text to a visitor (`RawValue`'s own
/// deserialization asks for it the same way). Any other deserializer calls
/// `visit_newtype_struct`, and the value is decoded and written out again.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// A value's JSON text: as serde_json hands it out, or written out again from a value a
/// deserializer buffered (serde buffers a watch event's object when `"object"` comes before
/// `"type"`, as a proxy re-encoding events with sorted keys would send it).
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Box<str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // serde_json's raw value: one entry, the token, whose value is the text.
        let Some(first) = map.next_key::<Cow<'de, str>>()? else {
            return Ok("{}".into());
        };
        if first == RAW_VALUE_TOKEN {
            // serde_json checked it while reading past it.
            let text: String = map.next_value()?;
            return Ok(text.into_boxed_str());
        }
        let mut object = serde_json::Map::new();
        let value: serde_json::Value = map.next_value()?;
        object.insert(first.into_owned(), value);
        while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object).to_string().into_boxed_str())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(value.to_string().into_boxed_str())
    }
}

/// What an `Api<Raw<K>>` needs to know: the URL of the `Api<K>` it stands for.
pub(crate) struct RawType {
    url: String,
    kind: String,
}

impl<K: Resource> Resource for Raw<K> {
    type DynamicType = RawType;
    type Scope = DynamicResourceScope;

    fn kind(dt: &RawType) -> Cow<'_, str> {
        Cow::Borrowed(&dt.kind)
    }
    fn group(_: &RawType) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn version(_: &RawType) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn plural(_: &RawType) -> Cow<'_, str> {
        Cow::Borrowed("")
    }
    fn url_path(dt: &RawType, _namespace: Option<&str>) -> String {
        dt.url.clone()
    }
    fn metadata_api() -> bool {
        K::metadata_api()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.meta
    }
}

/// The same requests as `api` (URL, namespace, metadata-only), answered as [`Raw`] objects.
pub(crate) fn raw_api<K: Resource + Clone>(api: &Api<K>, kind: &str) -> Api<Raw<K>> {
    let dyntype = RawType {
        url: api.resource_url().to_owned(),
        kind: kind.to_owned(),
    };
    Api::all_with(api.clone().into_client(), &dyntype)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::core::WatchEvent;

    #[test]
    fn watch_events_decode_with_either_key_first() {
        let object = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns","resourceVersion":"7"},"data":{"k":"v"}}"#;
        for line in [
            format!(r#"{{"type":"ADDED","object":{object}}}"#),
            // Buffered by serde before it knows the variant: no raw text to take.
            format!(r#"{{"object":{object},"type":"ADDED"}}"#),
        ] {
            let WatchEvent::Added(raw) = serde_json::from_str::<WatchEvent<Raw<ConfigMap>>>(&line).unwrap() else {
                panic!("an added event");
            };
            assert_eq!(crate::object_key(&raw), "ns/a");
            assert_eq!(raw.meta().resource_version.as_deref(), Some("7"));
            let decoded = raw.decode(true).unwrap();
            assert_eq!(decoded.data.unwrap()["k"], "v");
        }
    }
}
