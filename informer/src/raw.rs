//! Watched objects as the watch task receives them: their JSON text, with just the metadata the
//! watcher and the cache's keys need (read no further than the `metadata` field). The informer's
//! apply thread decodes them, so decoding runs beside the HTTP reading and line splitting of what
//! follows, and the objects the cache holds are allocated on that one thread.
//!
//! The texts are copied into anonymous mappings, many to a chunk ([`TextWriter`]), not onto the
//! heap: see there why.

use std::borrow::Cow;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube::api::Api;
use kube::core::DynamicResourceScope;
use serde::de::{DeserializeOwned, Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// One object of a list or watch, not yet decoded into `K`.
pub(crate) struct Raw<K> {
    /// The object's JSON.
    text: Text,
    /// The length of every array in `text`, in the order they open, if scanned ahead
    /// ([`Raw::scan_lengths`]).
    lengths: Vec<u32>,
    /// Name, namespace and resourceVersion only (boxed: texts wait in queues by the thousand).
    meta: Box<ObjectMeta>,
    kind: PhantomData<fn() -> K>,
}

impl<K: DeserializeOwned> Raw<K> {
    /// Decodes the object. With `lengths` (a buffer kept between calls), every list is
    /// allocated at its length (see [`crate::hinted`]), with the lengths scanned ahead if they
    /// were.
    pub fn decode(&self, lengths: Option<&mut Vec<u32>>) -> serde_json::Result<K> {
        let text = self.text.as_str()?;
        match lengths {
            Some(_) if !self.lengths.is_empty() => crate::hinted::from_str_exact(text, &self.lengths),
            Some(lengths) => {
                crate::hinted::array_lengths_into(text.as_bytes(), lengths);
                crate::hinted::from_str_exact(text, lengths)
            }
            None => serde_json::from_str(text),
        }
    }
}

impl<K> Raw<K> {
    /// The length of the object's text (0 once let go of).
    pub fn text_len(&self) -> usize {
        match &self.text {
            Text::Chunk { len, .. } => *len,
            Text::Boxed(text) => text.len(),
        }
    }

    /// Scans the lengths of the text's arrays now, for [`Raw::decode`], once the text is sealed.
    pub fn scan_lengths(&mut self) {
        if let Ok(text) = self.text.as_str() {
            crate::hinted::array_lengths_into(text.as_bytes(), &mut self.lengths);
        }
    }

    /// Lets go of the text once it is decoded: its chunk is unmapped when its last text goes.
    /// The rest, heap allocations of the watch task's (a text on the heap among them), goes
    /// back to the watch task to be freed there.
    pub fn release_text(&mut self) {
        if let Text::Chunk { .. } = self.text {
            self.text = Text::Boxed(Box::default());
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
        let Read { text, meta } = deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, TextVisitor)?;
        Ok(Raw {
            text,
            lengths: Vec::new(),
            meta,
            kind: PhantomData,
        })
    }
}

/// What [`Raw`] keeps of an object's text.
struct Read {
    text: Text,
    meta: Box<ObjectMeta>,
}

impl Read {
    fn new<E: serde::de::Error>(text: &str) -> Result<Read, E> {
        let head = head(text).map_err(E::custom)?;
        Ok(Read {
            text: Text::new(text),
            meta: Box::new(ObjectMeta {
                name: head.name,
                namespace: head.namespace,
                resource_version: head.resource_version,
                ..ObjectMeta::default()
            }),
        })
    }
}

/// What the watcher and the cache's keys need of an object's metadata.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Head {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
}

/// Reads `metadata` of the object `text` and stops there: the rest (spec and status, usually
/// after it) is the apply thread's to read, and to find fault with. Of two `metadata` keys (the
/// API server never writes one twice) this takes the first, where decoding the whole object
/// keeps the last.
fn head(text: &str) -> serde_json::Result<Head> {
    struct Metadata<'a>(&'a mut Option<Head>);
    impl<'de> serde::de::DeserializeSeed<'de> for Metadata<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Metadata<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<Key>()? {
                if key.0 {
                    *self.0 = Some(map.next_value()?);
                    // serde_json finds the rest unread and errs: the caller has what it needs.
                    return Ok(());
                }
                map.next_value::<serde::de::IgnoredAny>()?;
            }
            Ok(())
        }
    }
    /// Whether a key is `metadata`, without allocating it.
    struct Key(bool);
    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
            struct KeyVisitor;
            impl Visitor<'_> for KeyVisitor {
                type Value = Key;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a key")
                }
                fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
                    Ok(Key(key == "metadata"))
                }
            }
            deserializer.deserialize_str(KeyVisitor)
        }
    }
    let mut found = None;
    let read =
        serde::de::DeserializeSeed::deserialize(Metadata(&mut found), &mut serde_json::Deserializer::from_str(text));
    match (found, read) {
        (Some(head), _) => Ok(head),
        (None, Ok(())) => Ok(Head::default()),
        (None, Err(err)) => Err(err),
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
    type Value = Read;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // serde_json's raw value: one entry, the token, whose value is the text.
        let Some(first) = map.next_key::<Cow<'de, str>>()? else {
            return Read::new("{}");
        };
        if first == RAW_VALUE_TOKEN {
            // serde_json checked it while reading past it.
            return map.next_value_seed(TextSeed);
        }
        let mut object = serde_json::Map::new();
        let value: serde_json::Value = map.next_value()?;
        object.insert(first.into_owned(), value);
        while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
            object.insert(key, value);
        }
        Read::new(&serde_json::Value::Object(object).to_string())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Read::new(&value.to_string())
    }
}

/// Reads serde_json's raw text of a value, borrowed from the input where it can be.
struct TextSeed;

impl<'de> serde::de::DeserializeSeed<'de> for TextSeed {
    type Value = Read;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = Read;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON text")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Read, E> {
        Read::new(v)
    }
}

/// An object's JSON text: in a [`TextWriter`]'s chunk when one was installed on the thread that
/// read it, on the heap otherwise.
#[derive(Clone)]
pub(crate) enum Text {
    Chunk {
        chunk: Arc<Chunk>,
        start: usize,
        len: usize,
    },
    Boxed(Box<str>),
}

impl Text {
    fn new(text: &str) -> Text {
        WRITER.with(|writer| match writer.try_borrow_mut().as_deref_mut() {
            Ok(Some(writer)) => writer.write(text),
            _ => Text::Boxed(text.into()),
        })
    }

    /// The text; an error when its chunk is not sealed yet (see [`TextWriter::seal`]).
    fn as_str(&self) -> serde_json::Result<&str> {
        match self {
            Text::Chunk { chunk, start, len } => chunk
                .0
                .get()
                .and_then(|map| std::str::from_utf8(&map[*start..*start + *len]).ok())
                .ok_or_else(|| serde_json::Error::custom("an object's text was read before its chunk was sealed")),
            Text::Boxed(text) => Ok(text),
        }
    }
}

/// Texts written by one [`TextWriter`] between two seals: readable once sealed.
pub(crate) struct Chunk(OnceLock<memmap2::MmapMut>);

/// The size of a chunk of texts, unless one text needs more. Only the pages written to count:
/// a chunk sealed early leaves the rest of its address range untouched.
const CHUNK: usize = 1 << 20;

/// Copies the texts of the objects the watch reads into anonymous mappings of their own, a chunk
/// of many texts at a time, rather than onto the heap. The watch task reads on the runtime's
/// worker threads and the apply thread frees: heap memory a text took would stay with the
/// worker's allocator arena (glibc keeps a thread's arena, and what is freed stays there), where
/// the objects, allocated on the apply thread, never reuse it; a mapping goes back to the OS
/// when its last text is decoded.
///
/// Installed on the reading thread for each poll of the watch ([`WithTexts`]); sealed before the
/// texts written since the last seal are handed over.
#[derive(Default)]
pub(crate) struct TextWriter {
    current: Option<(memmap2::MmapMut, usize, Arc<Chunk>)>,
}

impl TextWriter {
    fn write(&mut self, text: &str) -> Text {
        if self
            .current
            .as_ref()
            .is_none_or(|(map, used, _)| map.len() - used < text.len())
        {
            self.seal();
            match memmap2::MmapMut::map_anon(CHUNK.max(text.len())) {
                Ok(map) => self.current = Some((map, 0, Arc::new(Chunk(OnceLock::new())))),
                // Out of mappings or address space: the heap will do.
                Err(_) => return Text::Boxed(text.into()),
            }
        }
        let Some((map, used, chunk)) = self.current.as_mut() else {
            unreachable!("a chunk was mapped above");
        };
        let start = *used;
        map[start..start + text.len()].copy_from_slice(text.as_bytes());
        *used += text.len();
        Text::Chunk {
            chunk: chunk.clone(),
            start,
            len: text.len(),
        }
    }

    /// Makes every text written so far readable. The chunk is done with: what follows goes to a
    /// new one.
    pub fn seal(&mut self) {
        if let Some((map, used, chunk)) = self.current.take() {
            if used == 0 {
                self.current = Some((map, used, chunk));
            } else {
                let _ = chunk.0.set(map);
            }
        }
    }
}

thread_local! {
    static WRITER: std::cell::RefCell<Option<TextWriter>> = const { std::cell::RefCell::new(None) };
}

/// A watch stream whose objects' texts go to its [`TextWriter`]: installed on the polling thread
/// for each poll.
pub(crate) struct WithTexts<S> {
    stream: std::pin::Pin<Box<S>>,
    writer: Option<TextWriter>,
}

impl<S> WithTexts<S> {
    pub fn new(stream: S) -> Self {
        WithTexts {
            stream: Box::pin(stream),
            writer: Some(TextWriter::default()),
        }
    }

    /// Seals the texts read so far (see [`TextWriter::seal`]).
    pub fn seal(&mut self) {
        if let Some(writer) = self.writer.as_mut() {
            writer.seal();
        }
    }
}

impl<S: futures::Stream> futures::Stream for WithTexts<S> {
    type Item = S::Item;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<S::Item>> {
        /// Takes the writer back however the poll ends, and puts back what was installed before.
        struct Installed<'a> {
            ours: &'a mut Option<TextWriter>,
            previous: Option<TextWriter>,
        }
        impl Drop for Installed<'_> {
            fn drop(&mut self) {
                *self.ours = WRITER.with(|w| w.replace(self.previous.take()));
            }
        }
        let this = self.get_mut();
        let previous = WRITER.with(|w| w.replace(this.writer.take()));
        let _installed = Installed {
            ours: &mut this.writer,
            previous,
        };
        this.stream.as_mut().poll_next(cx)
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
pub(crate) fn raw_api<K: Resource + Clone>(
    api: &Api<K>,
    kind: &str,
    counters: Arc<crate::stats::Counters>,
) -> Api<Raw<K>> {
    let dyntype = RawType {
        url: api.resource_url().to_owned(),
        kind: kind.to_owned(),
    };
    let client = crate::stats::counting_client(api.clone().into_client(), counters);
    Api::all_with(client, &dyntype)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::core::WatchEvent;

    fn config_map(name: &str, filler: usize) -> String {
        serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "ns", "resourceVersion": "3"},
            "data": {"k": "x".repeat(filler)},
        })
        .to_string()
    }

    fn chunk_of(raw: &Raw<ConfigMap>) -> Option<&Arc<Chunk>> {
        match &raw.text {
            Text::Chunk { chunk, .. } => Some(chunk),
            Text::Boxed(_) => None,
        }
    }

    #[test]
    fn texts_read_while_polled_share_a_chunk_readable_once_sealed_and_unmapped_with_the_last() {
        let lines: Vec<String> = (0..3).map(|i| config_map(&format!("cm-{i}"), 100)).collect();
        let parsed = futures::stream::iter(lines.clone()).map(|line| serde_json::from_str::<Raw<ConfigMap>>(&line));
        let mut stream = WithTexts::new(parsed);
        let mut raws: Vec<Raw<ConfigMap>> = futures::executor::block_on(async {
            let mut raws = Vec::new();
            while let Some(raw) = stream.next().await {
                raws.push(raw.unwrap());
            }
            raws
        });
        let chunk = chunk_of(&raws[0]).expect("written to a chunk").clone();
        for raw in &raws {
            assert!(Arc::ptr_eq(chunk_of(raw).unwrap(), &chunk), "one chunk for all three");
            let err = raw.decode(Some(&mut Vec::new())).unwrap_err().to_string();
            assert!(err.contains("before its chunk was sealed"), "{err}");
        }
        stream.seal();
        for (i, raw) in raws.iter().enumerate() {
            assert_eq!(
                raw.decode(Some(&mut Vec::new())).unwrap().metadata.name.as_deref(),
                Some(format!("cm-{i}").as_str())
            );
            assert_eq!(raw.meta().resource_version.as_deref(), Some("3"));
        }
        // The writer is not left installed: texts read outside a poll go to the heap.
        let outside: Raw<ConfigMap> = serde_json::from_str(&lines[0]).unwrap();
        assert!(chunk_of(&outside).is_none());
        assert_eq!(outside.decode(None).unwrap().metadata.name.as_deref(), Some("cm-0"));
        // The chunk is unmapped with its last text: nothing but the texts holds it.
        let weak = Arc::downgrade(&chunk);
        drop(chunk);
        let cloned = raws[1].clone();
        raws.iter_mut().for_each(Raw::release_text);
        assert!(weak.upgrade().is_some(), "a clone still reads it");
        assert_eq!(cloned.decode(None).unwrap().metadata.name.as_deref(), Some("cm-1"));
        drop(cloned);
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn a_seal_starts_a_new_chunk_and_a_text_larger_than_a_chunk_gets_its_own() {
        let mut writer = TextWriter::default();
        let first = writer.write("{}");
        writer.seal();
        writer.seal(); // Nothing written since: nothing to do.
        let second = writer.write("[]");
        let big = "x".repeat(CHUNK + 1);
        let third = writer.write(&big);
        writer.seal();
        let chunk = |t: &Text| match t {
            Text::Chunk { chunk, .. } => chunk.clone(),
            Text::Boxed(_) => panic!("a chunk"),
        };
        assert!(!Arc::ptr_eq(&chunk(&first), &chunk(&second)));
        assert!(!Arc::ptr_eq(&chunk(&second), &chunk(&third)));
        assert_eq!(first.as_str().unwrap(), "{}");
        assert_eq!(second.as_str().unwrap(), "[]");
        assert_eq!(third.as_str().unwrap(), big);
    }

    #[test]
    fn lengths_scanned_ahead_are_used_and_otherwise_scanned_into_the_callers_buffer() {
        use k8s_openapi::api::core::v1::Pod;
        let text = r#"{"metadata":{"name":"p","finalizers":["a","b","c"]},"spec":{"containers":[{"name":"c","args":["x","y","z","w","v"]}]}}"#;
        let exact = |pod: &Pod| {
            let args = pod.spec.as_ref().unwrap().containers[0].args.as_ref().unwrap();
            let finalizers = pod.metadata.finalizers.as_ref().unwrap();
            (args.capacity(), finalizers.capacity())
        };
        let mut raw: Raw<Pod> = serde_json::from_str(text).unwrap();
        let mut buffer = Vec::new();
        assert_eq!(exact(&raw.decode(Some(&mut buffer)).unwrap()), (5, 3));
        assert_eq!(buffer, [3, 1, 5], "scanned into the buffer");
        raw.scan_lengths();
        let mut untouched = Vec::new();
        assert_eq!(exact(&raw.decode(Some(&mut untouched)).unwrap()), (5, 3));
        assert!(untouched.is_empty(), "scanned ahead");
    }

    #[test]
    fn the_head_is_read_wherever_metadata_stands_and_only_so_far() {
        let name = |text: &str| head(text).map(|h| (h.name, h.namespace, h.resource_version));
        let meta = r#"{"name":"a","namespace":"ns","resourceVersion":"7","managedFields":[{"manager":"m"}]}"#;
        let expected = (Some("a".to_owned()), Some("ns".to_owned()), Some("7".to_owned()));
        for text in [
            format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{meta},"data":{{"k":"v"}}}}"#),
            format!(r#"{{"data":{{"k":["v",{{"metadata":{{"name":"inner"}}}}]}},"metadata":{meta}}}"#),
            // An escaped key is still the key.
            format!(r#"{{"meta\u0064ata":{meta}}}"#),
            // What follows the metadata is left to the decoding of the whole object.
            format!(r#"{{"metadata":{meta},"data":{{"k": not json"#),
        ] {
            assert_eq!(name(&text).unwrap(), expected, "{text}");
        }
        assert_eq!(name(r#"{"kind":"ConfigMap"}"#).unwrap(), (None, None, None));
        assert!(name(r#"{"kind":"ConfigMap","metadata":{"name":7}}"#).is_err());
        assert!(name(r#"{"kind":"ConfigMap","data" "#).is_err());
    }

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
            let decoded = raw.decode(Some(&mut Vec::new())).unwrap();
            assert_eq!(decoded.data.unwrap()["k"], "v");
        }
    }

    #[test]
    fn exact_decoding_keeps_the_content_and_leaves_no_spare_room() {
        // From text, as the watch decodes it (a `Value` would tell serde the list lengths).
        let text = serde_json::json!({
            "metadata": {
                "name": "p", "namespace": "ns", "resourceVersion": "7",
                "labels": {"app": "web"},
                "finalizers": ["a", "b"],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u"}],
                "managedFields": [{"manager": "m", "operation": "Update", "fieldsType": "FieldsV1",
                                   "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:x": [[1, 2], [3]]}}],
                "unknownField": [[1], [2, 3, 4], {"k": ["v"]}]
            },
            "spec": {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}], "args": ["[", "]"]}, {"name": "b"}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}
        })
        .to_string();
        let raw: Raw<k8s_openapi::api::core::v1::Pod> = serde_json::from_str(&text).unwrap();
        let pod = raw.decode(None).unwrap();
        let env = |p: &k8s_openapi::api::core::v1::Pod| {
            p.spec.as_ref().unwrap().containers[0].env.as_ref().unwrap().capacity()
        };
        let args = |p: &k8s_openapi::api::core::v1::Pod| {
            p.spec.as_ref().unwrap().containers[0].args.as_ref().unwrap().capacity()
        };
        let conditions =
            |p: &k8s_openapi::api::core::v1::Pod| p.status.as_ref().unwrap().conditions.as_ref().unwrap().capacity();
        assert_eq!(
            (env(&pod), args(&pod), conditions(&pod)),
            (4, 4, 4),
            "serde leaves room"
        );
        let compacted = raw.decode(Some(&mut Vec::new())).unwrap();
        assert_eq!(compacted, pod);
        assert_eq!((env(&compacted), args(&compacted), conditions(&compacted)), (1, 2, 1));
        let meta = &compacted.metadata;
        assert_eq!(meta.finalizers.as_ref().map(Vec::capacity), Some(2));
        assert_eq!(meta.owner_references.as_ref().map(Vec::capacity), Some(1));
        assert_eq!(meta.managed_fields.as_ref().map(Vec::capacity), Some(1));
    }
}
