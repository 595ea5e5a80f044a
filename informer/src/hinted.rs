//! Decoding with exact list lengths, so that every `Vec` is allocated once at its final size.
//!
//! serde_json cannot tell a `Vec` how long a JSON array is before reading it, so serde grows it
//! by doubling: room for 4 env vars, conditions, managedFields... when there are 1 or 2, 12-14%
//! of a cached pod (measured). [`array_lengths_into`] counts every array's elements in one pass over
//! the text (in the order the arrays open), and [`Hinted`] wraps the JSON deserializer so that
//! each sequence it hands to a visitor reports its length as `size_hint`. A wrong count (an
//! input the scan reads differently) costs capacity, never correctness: a size hint is a hint,
//! and serde caps what it trusts of it.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

/// [`array_lengths_into`] a new vector.
#[cfg(test)]
pub(crate) fn array_lengths(json: &[u8]) -> Vec<u32> {
    let mut lengths = Vec::new();
    array_lengths_into(json, &mut lengths);
    lengths
}

/// The element count of every array in `json` (which must be valid JSON), in the order the
/// arrays open, into `lengths` (emptied first, keeping its room from one call to the next).
pub(crate) fn array_lengths_into(json: &[u8], lengths: &mut Vec<u32>) {
    lengths.clear();
    // Per open container: its slot in `lengths` (None for an object), elements seen so far, and
    // whether an element has started since the last comma or the opening bracket.
    let mut open: Vec<(Option<usize>, u32, bool)> = Vec::new();
    let mut i = 0;
    while i < json.len() {
        let byte = json[i];
        match byte {
            b' ' | b'\n' | b'\r' | b'\t' | b':' => {}
            b',' => {
                if let Some(top) = open.last_mut() {
                    top.2 = false;
                }
            }
            b']' | b'}' => {
                if let Some((Some(slot), count, _)) = open.pop() {
                    lengths[slot] = count;
                }
            }
            _ => {
                if let Some(top) = open.last_mut()
                    && !top.2
                {
                    top.2 = true;
                    top.1 += 1;
                }
                match byte {
                    b'[' => {
                        lengths.push(0);
                        open.push((Some(lengths.len() - 1), 0, false));
                    }
                    b'{' => open.push((None, 0, false)),
                    b'"' => {
                        i += 1;
                        while i < json.len() && json[i] != b'"' {
                            if json[i] == b'\\' {
                                i += 1;
                            }
                            i += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
}

/// The array lengths of one document and how many arrays were entered so far.
pub(crate) struct Hints<'h> {
    lengths: &'h [u32],
    next: Cell<usize>,
    /// A sequence had another length than its hint: the hints are out of step with the
    /// document (a value skipped unseen, such as a `RawValue` field), and none is given any more.
    broken: Cell<bool>,
}

impl<'h> Hints<'h> {
    pub(crate) fn new(lengths: &'h [u32]) -> Self {
        Hints {
            lengths,
            next: Cell::new(0),
            broken: Cell::new(false),
        }
    }

    fn take(&self) -> Option<usize> {
        if self.broken.get() {
            return None;
        }
        let at = self.next.get();
        self.next.set(at + 1);
        self.lengths.get(at).map(|&n| n as usize)
    }
}

/// A deserializer (or visitor, seed, access) wrapped to hand out hinted sequences.
pub(crate) struct Hinted<'h, X> {
    inner: X,
    hints: &'h Hints<'h>,
}

impl<'h, X> Hinted<'h, X> {
    pub(crate) fn new(inner: X, hints: &'h Hints<'h>) -> Self {
        Hinted { inner, hints }
    }

    fn wrap<Y>(&self, inner: Y) -> Hinted<'h, Y> {
        Hinted {
            inner,
            hints: self.hints,
        }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*))*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, Self::Error> {
                let visitor = self.wrap(visitor);
                self.inner.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, 'h, D: Deserializer<'de>> Deserializer<'de> for Hinted<'h, D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any()
        deserialize_bool()
        deserialize_i8()
        deserialize_i16()
        deserialize_i32()
        deserialize_i64()
        deserialize_i128()
        deserialize_u8()
        deserialize_u16()
        deserialize_u32()
        deserialize_u64()
        deserialize_u128()
        deserialize_f32()
        deserialize_f64()
        deserialize_char()
        deserialize_str()
        deserialize_string()
        deserialize_bytes()
        deserialize_byte_buf()
        deserialize_option()
        deserialize_unit()
        deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str)
        deserialize_seq()
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_map()
        deserialize_struct(name: &'static str, fields: &'static [&'static str])
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
        deserialize_identifier()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // Walked, not skipped: the arrays inside must use up their lengths.
        let visitor = self.wrap(visitor);
        self.inner.deserialize_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                self.inner.$method(v)
            }
        )*
    };
}

impl<'de, 'h, V: Visitor<'de>> Visitor<'de> for Hinted<'h, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool)
        visit_i8(i8)
        visit_i16(i16)
        visit_i32(i32)
        visit_i64(i64)
        visit_i128(i128)
        visit_u8(u8)
        visit_u16(u16)
        visit_u32(u32)
        visit_u64(u64)
        visit_u128(u128)
        visit_f32(f32)
        visit_f64(f64)
        visit_char(char)
        visit_str(&str)
        visit_borrowed_str(&'de str)
        visit_string(String)
        visit_bytes(&[u8])
        visit_borrowed_bytes(&'de [u8])
        visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let deserializer = self.wrap(deserializer);
        self.inner.visit_some(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let deserializer = self.wrap(deserializer);
        self.inner.visit_newtype_struct(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let length = self.hints.take();
        self.inner.visit_seq(HintedSeq {
            inner: seq,
            hints: self.hints,
            length,
            seen: 0,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let map = self.wrap(map);
        self.inner.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let data = self.wrap(data);
        self.inner.visit_enum(data)
    }
}

impl<'de, 'h, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Hinted<'h, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let deserializer = self.wrap(deserializer);
        self.inner.deserialize(deserializer)
    }
}

/// A sequence that knows its length, and checks it.
struct HintedSeq<'h, A> {
    inner: A,
    hints: &'h Hints<'h>,
    length: Option<usize>,
    seen: usize,
}

impl<'de, 'h, A: SeqAccess<'de>> SeqAccess<'de> for HintedSeq<'h, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        let element = self.inner.next_element_seed(Hinted {
            inner: seed,
            hints: self.hints,
        })?;
        match element {
            Some(_) => self.seen += 1,
            None if self.length.is_some_and(|n| n != self.seen) => self.hints.broken.set(true),
            None => {}
        }
        Ok(element)
    }

    fn size_hint(&self) -> Option<usize> {
        self.length.or_else(|| self.inner.size_hint())
    }
}

impl<'de, 'h, A: MapAccess<'de>> MapAccess<'de> for Hinted<'h, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let seed = self.wrap(seed);
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let seed = self.wrap(seed);
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, 'h, A: EnumAccess<'de>> EnumAccess<'de> for Hinted<'h, A> {
    type Error = A::Error;
    type Variant = Hinted<'h, A::Variant>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self::Variant), Self::Error> {
        let hints = self.hints;
        let seed = self.wrap(seed);
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((value, Hinted { inner: variant, hints }))
    }
}

impl<'de, 'h, A: VariantAccess<'de>> VariantAccess<'de> for Hinted<'h, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Self::Error> {
        let seed = self.wrap(seed);
        self.inner.newtype_variant_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        let visitor = self.wrap(visitor);
        self.inner.tuple_variant(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let visitor = self.wrap(visitor);
        self.inner.struct_variant(fields, visitor)
    }
}

/// Decodes `json` as `T` with every `Vec` allocated at its final length; `lengths` from
/// [`array_lengths_into`] of the same text.
///
/// Falls back to plain `serde_json::from_str` when the hints went out of step (some `Vec` may
/// then have the wrong room) or the hinted decoding failed: skipped values are walked rather
/// than skipped, which is stricter for some inputs (serde_json's nesting limit, numbers out of
/// range, lone surrogates). The result is always what plain decoding gives.
pub(crate) fn from_str_exact<T: de::DeserializeOwned>(json: &str, lengths: &[u32]) -> serde_json::Result<T> {
    let hints = Hints::new(lengths);
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let hinted = T::deserialize(Hinted::new(&mut deserializer, &hints)).and_then(|value| {
        deserializer.end()?;
        Ok(value)
    });
    match hinted {
        Ok(value) if !hints.broken.get() => Ok(value),
        _ => serde_json::from_str(json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capacities(v: &(Vec<u8>, Option<Box<serde_json::value::RawValue>>, Vec<u8>)) -> (usize, usize) {
        (v.0.capacity(), v.2.capacity())
    }

    #[test]
    fn sequences_get_their_lengths() {
        let json = r#"[[1, 2, 3], null, [4]]"#;
        let value: (Vec<u8>, Option<Box<serde_json::value::RawValue>>, Vec<u8>) =
            from_str_exact(json, &array_lengths(json.as_bytes())).unwrap();
        assert_eq!(capacities(&value), (3, 1));
    }

    #[test]
    fn out_of_step_hints_fall_back_to_plain_decoding() {
        // The raw value is skipped unseen, so the last list would get its arrays' lengths.
        let json = r#"[[1], [[5, 6, 7, 8, 9, 10, 11, 12]], [4, 5]]"#;
        let lengths = array_lengths(json.as_bytes());
        let value: (Vec<u8>, Option<Box<serde_json::value::RawValue>>, Vec<u8>) =
            from_str_exact(json, &lengths).unwrap();
        assert_eq!(value.2, [4, 5]);
        let plain: (Vec<u8>, Option<Box<serde_json::value::RawValue>>, Vec<u8>) = serde_json::from_str(json).unwrap();
        // Hinted, the first list would have room for exactly 1.
        assert_eq!(
            capacities(&value),
            capacities(&plain),
            "plain decoding's room, not a wrong hint"
        );
        // Stricter walking of a skipped value: still decodes as plain serde_json does.
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Known {
            a: Vec<u8>,
        }
        let deep = format!(r#"{{"a": [1], "unknown": {}1{}}}"#, "[".repeat(200), "]".repeat(200));
        let known: Known = from_str_exact(&deep, &array_lengths(deep.as_bytes())).unwrap();
        assert_eq!(known, Known { a: vec![1] });
    }

    #[test]
    fn counts_arrays_in_document_order() {
        let json = br#"{"a": [1, [2, 3], {"b": []}, "x,]\"[y"], "c": [[]], "d": [" ", {}], "e": "[,]"}"#;
        assert_eq!(array_lengths(json), [4, 2, 0, 1, 0, 2]);
    }
}
