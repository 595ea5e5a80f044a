//! Watched objects as the watch task receives them: their JSON text, with just the metadata the
//! watcher and the cache's keys need. The informer's apply thread decodes them, so decoding
//! runs beside the HTTP reading and line splitting of what follows, and every object the cache
//! holds is allocated, and later freed, on that one thread.

use std::borrow::Cow;
use std::fmt::Debug;
use std::marker::PhantomData;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube::api::Api;
use kube::core::DynamicResourceScope;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// One object of a list or watch, not yet decoded into `K`.
pub(crate) struct Raw<K> {
    text: Box<RawValue>,
    /// The length of every array in `text`, in the order they open.
    lengths: Vec<u32>,
    /// Name, namespace and resourceVersion only.
    meta: ObjectMeta,
    kind: PhantomData<fn() -> K>,
}

impl<K: DeserializeOwned> Raw<K> {
    /// Decodes the object; `exact` allocates every list at its length (see [`crate::hinted`]).
    pub fn decode(&self, exact: bool) -> serde_json::Result<K> {
        if exact {
            crate::hinted::from_str_hinted(self.text.get(), &self.lengths)
        } else {
            serde_json::from_str(self.text.get())
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
        let text = Box::<RawValue>::deserialize(deserializer)?;
        let head: Head = serde_json::from_str(text.get()).map_err(D::Error::custom)?;
        Ok(Raw {
            lengths: crate::hinted::array_lengths(text.get().as_bytes()),
            text,
            meta: ObjectMeta {
                name: head.metadata.name,
                namespace: head.metadata.namespace,
                resource_version: head.metadata.resource_version,
                ..ObjectMeta::default()
            },
            kind: PhantomData,
        })
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
