//! How an indexer keeps its objects: decoded (`Arc<K>`, client-go's way), or compressed JSON
//! decoded on demand.
//!
//! A decoded k8s-openapi `Pod` is mostly `Option`s laid out inline and small maps and strings of
//! its own (a 5.2 KB pod with managedFields is 29.6 KB of live heap in its cache); its JSON
//! text is 5.2 KB, and the pods of one ReplicaSet differ in a few strings. The compressed
//! storage keeps each object as its JSON, LZ4-compressed against a dictionary: the text of the
//! first object the cache was given, so what objects of a kind have in common (field names,
//! managedFields, images, probes, the service-account volume...) is stored once. A read decodes
//! the object anew (decompression, then serde), so every `get`, `list` and index lookup pays
//! a decode; the informer's handlers get the object it decoded from the watch, and for an
//! update the old object decoded from the cache.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// How an informer's cache keeps its objects ([`crate::InformerOptions::storage`]).
///
/// - [`CacheStorage::decoded`] (the default): each object as the `Arc<K>` handlers were given;
///   a lister `get` is a hash lookup and an `Arc` clone.
/// - [`CacheStorage::compressed`]: each object as compressed JSON (a few hundred bytes for a
///   pod of the benchmark, against 29.6 KB decoded); every read decodes the object, and every
///   update decodes the old object for its handlers. For large caches read seldom: many
///   objects of which a controller looks at few.
///
/// What handlers and listers hand out is the same `Arc<K>` either way. The measured costs of
/// both are in the crate's README (`cargo xtask bench`).
pub struct CacheStorage<K>(pub(crate) Option<Arc<dyn Codec<K>>>);

impl<K> Clone for CacheStorage<K> {
    fn clone(&self) -> Self {
        CacheStorage(self.0.clone())
    }
}

impl<K> Default for CacheStorage<K> {
    fn default() -> Self {
        Self::decoded()
    }
}

impl<K> std::fmt::Debug for CacheStorage<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "CacheStorage::compressed"
        } else {
            "CacheStorage::decoded"
        })
    }
}

impl<K> CacheStorage<K> {
    /// Objects kept decoded, as `Arc<K>`.
    pub fn decoded() -> Self {
        CacheStorage(None)
    }

    /// Whether objects are kept compressed.
    pub fn is_compressed(&self) -> bool {
        self.0.is_some()
    }
}

impl<K: Serialize + DeserializeOwned + Send + Sync + 'static> CacheStorage<K> {
    /// Objects kept as LZ4-compressed JSON against a dictionary shared by the cache (see the
    /// type's documentation), decoded on every read.
    pub fn compressed() -> Self {
        CacheStorage(Some(Arc::new(JsonCodec)))
    }
}

/// Turns objects into text and back.
pub(crate) trait Codec<K>: Send + Sync {
    fn encode(&self, object: &K, out: &mut Vec<u8>) -> Result<(), serde_json::Error>;
    fn decode(&self, text: &[u8]) -> Result<K, serde_json::Error>;
}

struct JsonCodec;

impl<K: Serialize + DeserializeOwned> Codec<K> for JsonCodec {
    fn encode(&self, object: &K, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        serde_json::to_writer(out, object)
    }
    fn decode(&self, text: &[u8]) -> Result<K, serde_json::Error> {
        serde_json::from_slice(text)
    }
}

/// One object, compressed.
pub(crate) struct Packed {
    /// The dictionary it was compressed against.
    dict: Arc<[u8]>,
    bytes: Box<[u8]>,
    /// Its text's length.
    len: u32,
    /// Its resourceVersion, for the reflector's same-version check without a decode.
    resource_version: Option<Box<str>>,
}

impl Packed {
    pub fn resource_version(&self) -> Option<&str> {
        self.resource_version.as_deref()
    }
}

/// What a cache entry holds.
pub(crate) enum Slot<K> {
    Object(Arc<K>),
    Packed(Packed),
}

/// The compressing side of a cache: its codec and its dictionary.
pub(crate) struct Packer<K> {
    codec: Arc<dyn Codec<K>>,
    dict: std::sync::Mutex<Option<Arc<[u8]>>>,
}

/// The most a dictionary holds (LZ4 looks back 64 KiB).
const DICT_MAX: usize = 64 << 10;

impl<K: kube::Resource> Packer<K> {
    pub fn new(codec: Arc<dyn Codec<K>>) -> Self {
        Packer {
            codec,
            dict: std::sync::Mutex::new(None),
        }
    }

    /// The slot for `object`: compressed, or as it is if it does not encode (then it is
    /// logged; nothing is lost).
    pub fn pack(&self, object: Arc<K>) -> Slot<K> {
        let mut text = Vec::new();
        if let Err(err) = self.codec.encode(&object, &mut text) {
            tracing::error!(%err, "an object does not encode to JSON; cached decoded");
            return Slot::Object(object);
        }
        let Ok(len) = u32::try_from(text.len()) else {
            return Slot::Object(object);
        };
        let dict = self
            .dict
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_or_insert_with(|| Arc::from(&text[..text.len().min(DICT_MAX)]))
            .clone();
        let bytes = lz4_flex::block::compress_with_dict(&text, &dict).into_boxed_slice();
        Slot::Packed(Packed {
            dict,
            bytes,
            len,
            resource_version: object.meta().resource_version.as_deref().map(Box::from),
        })
    }

    /// The object in `slot` (decoded anew if it is compressed).
    pub fn unpack(&self, slot: &Slot<K>) -> Option<Arc<K>> {
        let packed = match slot {
            Slot::Object(object) => return Some(object.clone()),
            Slot::Packed(packed) => packed,
        };
        let text = match lz4_flex::block::decompress_with_dict(&packed.bytes, packed.len as usize, &packed.dict) {
            Ok(text) => text,
            Err(err) => {
                tracing::error!(%err, "a cached object does not decompress");
                return None;
            }
        };
        match self.codec.decode(&text) {
            Ok(object) => Some(Arc::new(object)),
            Err(err) => {
                tracing::error!(%err, "a cached object does not decode");
                None
            }
        }
    }

    /// Forgets the dictionary (the cache was emptied): the next object starts a new one.
    pub fn reset(&self) {
        *self.dict.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

impl<K: kube::Resource> Slot<K> {
    /// The resourceVersion of the object in it.
    pub fn resource_version(&self) -> Option<&str> {
        match self {
            Slot::Object(object) => object.meta().resource_version.as_deref(),
            Slot::Packed(packed) => packed.resource_version(),
        }
    }
}
