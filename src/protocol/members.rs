//! The member index of a notification's params: where each top-level member's key and value lie
//! and what kind of value it holds, found by the scan and stored with the event, so the Python
//! side reads payload fields without scanning the JSON again.
//!
//! The encoding, as an event stores it after its params: per member, four little-endian `u16`
//! places relative to the params (key start and end, value start and end) and the value's kind;
//! after the last member, their count. An event without an index stores only `NOT_INDEXED`.

use jiter::Peek;

use super::Span;

/// The kind of JSON value a member holds, as the Python type it parses to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum ValueKind {
    String = 1,
    Int,
    Float,
    Bool,
    Null,
    Object,
    Array,
}

impl ValueKind {
    fn from_byte(b: u8) -> Option<Self> {
        [Self::String, Self::Int, Self::Float, Self::Bool, Self::Null, Self::Object, Self::Array]
            .into_iter()
            .find(|k| *k as u8 == b)
    }

    /// The kind of the (valid) JSON value whose text is `text`.
    pub(crate) fn of(text: &[u8]) -> Self {
        match text.first() {
            Some(b'"') => Self::String,
            Some(b't' | b'f') => Self::Bool,
            Some(b'n') => Self::Null,
            Some(b'{') => Self::Object,
            Some(b'[') => Self::Array,
            _ => Self::of_number(text),
        }
    }

    /// The kind of a value jiter peeked at, whose text is `text` (read only for numbers).
    pub(super) fn of_peeked(peek: Peek, text: &[u8]) -> Self {
        match peek {
            Peek::String => Self::String,
            Peek::True | Peek::False => Self::Bool,
            Peek::Null => Self::Null,
            Peek::Object => Self::Object,
            Peek::Array => Self::Array,
            _ => Self::of_number(text),
        }
    }

    fn of_number(text: &[u8]) -> Self {
        if text.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            Self::Float
        } else {
            Self::Int
        }
    }
}

/// A top-level member of a notification's params: where its key and value lie in the params
/// bytes, and its value's kind. The reader finds these while it scans the line anyway, so the
/// Python side can check and read payload fields without scanning the JSON again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) key: (u16, u16),
    pub(crate) value: (u16, u16),
    pub(crate) kind: ValueKind,
}

impl Member {
    /// The key's text within the params bytes it was indexed in.
    pub(crate) fn key_in<'a>(&self, params: &'a [u8]) -> &'a [u8] {
        &params[self.key.0 as usize..self.key.1 as usize]
    }

    /// The value's JSON text within the params bytes it was indexed in.
    pub(crate) fn value_in<'a>(&self, params: &'a [u8]) -> &'a [u8] {
        &params[self.value.0 as usize..self.value.1 as usize]
    }
}

/// Members indexed per event: enough for the flat, high-volume notifications.
pub(crate) const INDEXED_MEMBERS: usize = 8;
const MEMBER_BYTES: usize = 9;
const KEY_START: usize = 0;
const KEY_END: usize = 2;
const VALUE_START: usize = 4;
const VALUE_END: usize = 6;
const PLACES: [usize; 4] = [KEY_START, KEY_END, VALUE_START, VALUE_END];
const KIND: usize = 8;
const NOT_INDEXED: u8 = u8::MAX;
/// The longest encoded index: every member, then their count.
const INDEX_BYTES: usize = INDEXED_MEMBERS * MEMBER_BYTES + 1;

/// What an event without a member index stores after its params.
pub(super) const UNINDEXED: &[u8] = &[NOT_INDEXED];

/// An event's member index: its members in the order they came, by position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Members<'a>(&'a [u8]);

impl<'a> Members<'a> {
    /// The members encoded in what an event stores after its params, if it has an index.
    pub(super) fn in_tail(tail: &'a [u8]) -> Option<Self> {
        let (&count, encoded) = tail.split_last()?;
        (count != NOT_INDEXED).then(|| Self(&encoded[..usize::from(count) * MEMBER_BYTES]))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len() / MEMBER_BYTES
    }

    /// The member at position `i`, if there is one.
    pub(crate) fn get(&self, i: usize) -> Option<Member> {
        self.0.get(i * MEMBER_BYTES..(i + 1) * MEMBER_BYTES).map(Self::decode)
    }

    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = Member> + ExactSizeIterator + 'a {
        self.0.chunks_exact(MEMBER_BYTES).map(Self::decode)
    }

    fn decode(c: &[u8]) -> Member {
        let at = |i: usize| u16::from_le_bytes([c[i], c[i + 1]]);
        Member {
            key: (at(KEY_START), at(KEY_END)),
            value: (at(VALUE_START), at(VALUE_END)),
            kind: ValueKind::from_byte(c[KIND]).unwrap_or(ValueKind::Null),
        }
    }
}

/// The member index of one params object, built member by member as the scan finds them, in the
/// encoding the event stores; `repeats` keeps one to derive the indexes of lines that repeat it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberIndex {
    /// The members so far, then their count.
    encoded: [u8; INDEX_BYTES],
    count: u8,
    /// The params cannot be indexed (too many members, places past 64 KiB, a key with escapes,
    /// not an object).
    unindexable: bool,
}

impl Default for MemberIndex {
    fn default() -> Self {
        Self { encoded: [0; INDEX_BYTES], count: 0, unindexable: false }
    }
}

impl MemberIndex {
    /// An index for params that cannot be indexed.
    pub(super) fn unindexable() -> Self {
        Self { unindexable: true, ..Self::default() }
    }

    /// Gives up on indexing these params.
    pub(super) fn give_up(&mut self) {
        self.unindexable = true;
    }

    /// Adds the next member: its key's and value's spans in the line, whose params start at
    /// `params_start`, and its value's kind.
    pub(super) fn push(&mut self, params_start: usize, key: Span, value: Span, kind: ValueKind) {
        let rel = |i: usize| u16::try_from(i - params_start).ok();
        match (rel(key.start), rel(key.end), rel(value.start), rel(value.end)) {
            (Some(ks), Some(ke), Some(vs), Some(ve)) if usize::from(self.count) < INDEXED_MEMBERS => {
                let i = usize::from(self.count);
                for (at, place) in PLACES.into_iter().zip([ks, ke, vs, ve]) {
                    self.set(i, at, place);
                }
                self.encoded[i * MEMBER_BYTES + KIND] = kind as u8;
                self.count += 1;
            }
            _ => self.unindexable = true,
        }
    }

    /// Ends the index: its last member has been pushed.
    pub(super) fn seal(&mut self) {
        self.encoded[usize::from(self.count) * MEMBER_BYTES] = self.count;
    }

    /// What the event stores after its params (once sealed): the encoded members and their count, or
    /// [`UNINDEXED`].
    pub(super) fn tail(&self) -> &[u8] {
        if self.unindexable {
            UNINDEXED
        } else {
            &self.encoded[..=usize::from(self.count) * MEMBER_BYTES]
        }
    }

    /// The members indexed, unless the params cannot be indexed.
    pub(super) fn members(&self) -> Option<Members<'_>> {
        (!self.unindexable).then(|| Members(&self.encoded[..usize::from(self.count) * MEMBER_BYTES]))
    }

    /// This (sealed) index with member `i`'s value ending at `value_end` (relative to the params), and
    /// every member after it moved along by as much: the index of params that differ only in
    /// the length of that value. None if a place no longer fits.
    #[inline]
    pub(super) fn with_value_end(&self, i: usize, value_end: usize) -> Option<Self> {
        let mut moved = *self;
        let old_end = usize::from(self.get(i, VALUE_END));
        moved.set(i, VALUE_END, u16::try_from(value_end).ok()?);
        for m in i + 1..usize::from(self.count) {
            for at in PLACES {
                // Places after the value are past its old end.
                let place = usize::from(self.get(m, at)) + value_end - old_end;
                moved.set(m, at, u16::try_from(place).ok()?);
            }
        }
        Some(moved)
    }

    #[inline]
    fn get(&self, member: usize, at: usize) -> u16 {
        let i = member * MEMBER_BYTES + at;
        u16::from_le_bytes([self.encoded[i], self.encoded[i + 1]])
    }

    #[inline]
    fn set(&mut self, member: usize, at: usize, place: u16) {
        let i = member * MEMBER_BYTES + at;
        self.encoded[i..i + 2].copy_from_slice(&place.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_a_value_end_moves_the_members_after_it() {
        let mut index = MemberIndex::default();
        // {"a":"xy","n":1}: "a" at 2..3, "xy" at 5..9, "n" at 11..12, 1 at 14..15.
        index.push(0, 2..3, 5..9, ValueKind::String);
        index.push(0, 11..12, 14..15, ValueKind::Int);
        index.seal();
        let spans =
            |index: &MemberIndex| -> Vec<_> { index.members().unwrap().iter().map(|m| (m.key, m.value)).collect() };
        assert_eq!(spans(&index), [((2, 3), (5, 9)), ((11, 12), (14, 15))]);
        let longer = index.with_value_end(0, 12).unwrap();
        assert_eq!(spans(&longer), [((2, 3), (5, 12)), ((14, 15), (17, 18))]);
        let shorter = index.with_value_end(0, 7).unwrap();
        assert_eq!(spans(&shorter), [((2, 3), (5, 7)), ((9, 10), (12, 13))]);
        assert!(index.with_value_end(0, 70_000).is_none());
        assert_eq!(Members::in_tail(longer.tail()).unwrap().len(), 2);
        assert_eq!(longer.tail().last(), Some(&2));
        assert!(Members::in_tail(MemberIndex::unindexable().tail()).is_none());
    }
}
