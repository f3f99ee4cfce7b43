//! Runs of notifications that repeat a recent one's shape, such as a stream of deltas: the same
//! method, ids and keys, and a new piece of text in one string member. jiter's parse is
//! deterministic, so a line with the same bytes before that string, a string jiter accepts, and
//! the same bytes after it parses to the same fields as the line it repeats; only the string's
//! extent differs, and with it the place of everything after it. Such a line is read from its
//! string alone; anything else is parsed in full.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use jiter::{Jiter, Peek};

use super::event::{method_name, Event};
use super::members::{MemberIndex, ValueKind};
use super::scan::{incoming, key, scan_utf8, Fields, Key};
use super::{span_within, Incoming, LineError, RouteKeys};

/// Shapes remembered at once: turns streaming side by side interleave their lines.
const MEMOS: usize = 4;

/// Parses lines as [`super::parse_line`] does (but see `parse` on lines that are not UTF-8),
/// remembering the shapes of the last few notifications that have one worth remembering (see
/// the module docs).
#[derive(Default)]
pub(crate) struct LineParser {
    /// Most recently used first.
    memos: [Memo; MEMOS],
    /// The last line that was not UTF-8, with its stray bytes replaced (see `parse`).
    repaired: String,
}

impl LineParser {
    /// Like `parse_line`, except for a line that is not UTF-8, which is read with each stray
    /// byte replaced by U+FFFD rather than refused: a response or a turn's completion is not
    /// lost over a byte in a string (the runtime writes UTF-8; this is for the exception).
    pub(crate) fn parse<'a>(&'a mut self, line: &'a [u8]) -> Result<Incoming<'a>, LineError> {
        if let Some(incoming) = self.reparse(line) {
            return Ok(incoming);
        }
        let line = match std::str::from_utf8(line) {
            Ok(line) => line,
            Err(_) => {
                self.repaired = String::from_utf8_lossy(line).into_owned();
                &self.repaired
            }
        };
        let fields = scan_utf8(line)?;
        let line = line.as_bytes();
        // The least recently used memo learns the line, and becomes the most recent.
        if self.memos[MEMOS - 1].learn(line, &fields).is_none() {
            return incoming(line, fields, None);
        }
        self.memos.rotate_right(1);
        // The line learnt from has the shape of the lines that will repeat it.
        let shape = self.memos[0].shape;
        incoming(line, fields, None).map(|incoming| match incoming {
            Incoming::Notification { event, keys } => Incoming::Notification { event: event.with_shape(shape), keys },
            other => other,
        })
    }

    /// `parse` of a line that lies in `shared`, memory of its own (a large line): its event keeps
    /// its params there instead of copying them. Such a line is not remembered, nor read through
    /// a remembered shape (its events are not indexed).
    pub(crate) fn parse_shared<'a>(&'a mut self, line: &'a [u8], shared: &Bytes) -> Result<Incoming<'a>, LineError> {
        match std::str::from_utf8(line) {
            Ok(text) => incoming(line, scan_utf8(text)?, Some(shared)),
            // Repaired into a copy of its own, which is then parsed as any line.
            Err(_) => self.parse(line),
        }
    }

    /// `line` read through the first remembered shape it has, which becomes the most recent.
    fn reparse<'a>(&mut self, line: &'a [u8]) -> Option<Incoming<'a>> {
        for i in 0..MEMOS {
            if let Some(incoming) = self.memos[i].reparse(line) {
                if i > 0 {
                    self.memos[..=i].rotate_right(1);
                }
                return Some(incoming);
            }
        }
        None
    }
}

/// A place in a remembered line: before the varying string, or after it (counted from its end,
/// as everything there moves with the string's length).
#[derive(Debug, Clone, Copy)]
enum Place {
    Before(usize),
    After(usize),
}

impl Place {
    fn of(at: usize, value_end: usize) -> Self {
        if at >= value_end {
            Self::After(at - value_end)
        } else {
            Self::Before(at)
        }
    }

    fn resolve(self, value_end: usize) -> usize {
        match self {
            Self::Before(at) => at,
            Self::After(offset) => value_end + offset,
        }
    }
}

/// The shape of a notification with a string member that may vary (its last string member whose
/// key is not a routing id). Its buffers are reused when another line is learnt, so streams
/// that interleave two shapes do not allocate per line.
#[derive(Default)]
struct Memo {
    /// The line up to the opening quote of the varying string.
    prefix: Vec<u8>,
    /// The line after its closing quote.
    suffix: Vec<u8>,
    method: Arc<str>,
    /// Where the routing ids lie (`start`, `len`), as jiter found them: strings without escapes.
    ids: [Option<(Place, usize)>; 3],
    params_start: usize,
    params_end: Option<Place>,
    /// The member index of the remembered line.
    index: MemberIndex,
    /// The position of the varying string among the members.
    varying: usize,
    /// The shape of the events read through this memo (see [`Event::shape`]); 0 while nothing
    /// is remembered.
    shape: u64,
}

/// Shapes are numbered across the process (64 bits: they never wrap).
fn next_shape() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Memo {
    /// Remembers the shape of `line`, if it is a notification with a member index, a string
    /// member that may vary, and a method and ids without escapes; otherwise keeps what it had
    /// and returns None.
    fn learn(&mut self, line: &[u8], fields: &Fields<'_>) -> Option<()> {
        let (Some(Cow::Borrowed(method)), None, Some(params)) = (&fields.method, &fields.id, &fields.params) else {
            return None;
        };
        let params = params.clone();
        let members = fields.members.members()?;
        let varying = members.iter().enumerate().rev().find_map(|(i, m)| {
            let plain_key = std::str::from_utf8(m.key_in(&line[params.clone()])).is_ok_and(|k| key(k) == Key::Other);
            (m.kind == ValueKind::String && plain_key).then_some(i)
        })?;
        let value = members.get(varying)?.value;
        let (value_start, value_end) = (params.start + usize::from(value.0), params.start + usize::from(value.1));
        if line.get(value_start) != Some(&b'"') {
            return None;
        }
        let keys = &fields.keys;
        let mut ids = [None; 3];
        for (slot, id) in ids.iter_mut().zip([&keys.thread_id, &keys.turn_id, &keys.login_id]) {
            *slot = match id {
                None => None,
                Some(Cow::Borrowed(id)) => {
                    let span = span_within(line, id.as_bytes())?;
                    Some((Place::of(span.start, value_end), span.len()))
                }
                Some(Cow::Owned(_)) => return None,
            };
        }
        // The line qualifies: from here on the memo is overwritten.
        self.prefix.clear();
        self.prefix.extend_from_slice(&line[..value_start]);
        self.suffix.clear();
        self.suffix.extend_from_slice(&line[value_end..]);
        if *self.method != **method {
            self.method = method_name(method);
        }
        self.ids = ids;
        self.params_start = params.start;
        self.params_end = Some(Place::of(params.end, value_end));
        self.index = fields.members;
        self.varying = varying;
        self.shape = next_shape();
        Some(())
    }

    /// `line` read through this shape, if it has it.
    fn reparse<'a>(&self, line: &'a [u8]) -> Option<Incoming<'a>> {
        let value_start = self.prefix.len();
        let params_end = self.params_end?;
        if !line.starts_with(&self.prefix) || line.get(value_start) != Some(&b'"') {
            return None;
        }
        // The very call the full parse makes for this member's value.
        let mut j = Jiter::new(&line[value_start..]);
        j.known_skip(Peek::String).ok()?;
        let value_end = value_start + j.current_index();
        // The rest of the line is the remembered line's, which was UTF-8: so must this be (the
        // full parse checks the whole line). Deltas are mostly a few ASCII bytes, which the
        // inlined ASCII test settles for a fraction of a call to the UTF-8 validator.
        let value = &line[value_start..value_end];
        if line[value_end..] != *self.suffix || !(value.is_ascii() || std::str::from_utf8(value).is_ok()) {
            return None;
        }
        let index = self.index.with_value_end(self.varying, value_end - self.params_start)?;
        let id = |place| id_in(line, place, value_end);
        let params = self.params_start..params_end.resolve(value_end);
        let [thread_id, turn_id, login_id] = self.ids;
        Some(Incoming::Notification {
            event: Event::with_members(self.method.clone(), &line[params], index.tail()).with_shape(self.shape),
            keys: RouteKeys { thread_id: id(thread_id), turn_id: id(turn_id), login_id: id(login_id) },
        })
    }
}

/// The routing id at `place` (see `Memo::ids`) in a line that repeats the remembered one, whose
/// varying string ends at `value_end`.
#[inline]
fn id_in(line: &[u8], place: Option<(Place, usize)>, value_end: usize) -> Option<Cow<'_, str>> {
    let (at, len) = place?;
    let at = at.resolve(value_end);
    // SAFETY: these bytes equal, in the prefix or the suffix, the bytes of an id in the
    // remembered line, where jiter read them as a string without escapes: UTF-8.
    Some(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(&line[at..at + len]) }))
}

#[cfg(test)]
mod tests {
    use super::super::parse_line;
    use super::*;

    /// A delta of thread `thread`, turn `tu`, as the runtime writes it, with `value` last.
    fn delta_line(thread: &str, value: &str) -> Vec<u8> {
        format!(
            r#"{{"method":"item/agentMessage/delta","params":{{"threadId":"{thread}","turnId":"tu","itemId":"i","delta":{value}}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn repeated_lines_parse_exactly_as_a_full_parse_does() {
        let big = format!("\"{}\"", "x".repeat(70_000));
        let mut lines = vec![
            delta_line("th", r#""a""#),
            delta_line("th", r#""b""#),
            delta_line("th", r#""""#),
            delta_line("th", r#""q\"uote\\ \n \u00e9 é""#),
            delta_line("th", r#""lone \ud800 surrogate""#),
            delta_line("th", "\"raw \u{1} control\""),
            delta_line("th", r#""unterminated"#),
            delta_line("th", "5"),
            delta_line("th", r#""c","extra":1"#),
            delta_line("th", r#""d""#),
            br#"{"id":7,"result":{"ok":true}}"#.to_vec(),
            delta_line("th", r#""after a response""#),
            delta_line("other", r#""another thread""#),
            delta_line("other", r#""e""#),
            delta_line("th", r#""f""#),
            br#"{"method":"item/agentMessage/delta","params":{"threadId":"th","turnId":"tu","itemId":"i","delta": "g" } } "#.to_vec(),
            br#"{"method":"item/agentMessage/delta","params":{"threadId":"th","turnId":"tu","itemId":"i","delta": "h" } } "#.to_vec(),
            delta_line("th", big.as_str()),
            delta_line("th", r#""i""#),
            br#"{"method":"m","params":{"delta":"x"}}"#.to_vec(),
            br#"{"method":"m","params":{"delta":"y"}}"#.to_vec(),
            br#"{"method":"m","params":{"delta":"z"}}x"#.to_vec(),
            br#"{"method":"m","params":{"delta":"z"}}}"#.to_vec(),
            br#"{"method":"m","params":{"delta":"z"}"#.to_vec(),
            br#"{"method":"m","params":{"a":1},"params":{"delta":"z"}}"#.to_vec(),
            br#"{"method":"m","params":{"a":1},"params":{"delta":"w"}}"#.to_vec(),
            br#"{"method":"m","params":{"threadId":"t1"}}"#.to_vec(),
            br#"{"method":"m","params":{"threadId":"t2"}}"#.to_vec(),
            br#"{"method":"m","params":{"threadId":"a\u0062","delta":"x"}}"#.to_vec(),
            br#"{"method":"m","params":{"threadId":"a\u0062","delta":"y"}}"#.to_vec(),
            // Members, ids and the method after the varying string move with its length.
            br#"{"params":{"delta":"x","summaryIndex":0,"turnId":"tu"},"method":"m"}"#.to_vec(),
            br#"{"params":{"delta":"longer","summaryIndex":0,"turnId":"tu"},"method":"m"}"#.to_vec(),
            br#"{"params":{"delta":"","summaryIndex":0,"turnId":"tu"},"method":"m"}"#.to_vec(),
            br#"{"params":{"delta":"z","summaryIndex":1,"turnId":"tu"},"method":"m"}"#.to_vec(),
            delta_line("th", r#""k""#),
        ];
        let mut invalid_utf8 = delta_line("th", r#""bad""#);
        let at = invalid_utf8.len() - 5;
        invalid_utf8[at] = 0xff;
        lines.push(invalid_utf8);
        lines.push(delta_line("th", r#""j""#));

        // The full parse gives no shape; apart from that, the results must be the same.
        let shapeless = |parsed: Result<Incoming<'_>, LineError>| match parsed {
            Ok(Incoming::Notification { event, keys }) => {
                format!("{:?}", Ok::<_, LineError>(Incoming::Notification { event: event.with_shape(0), keys }))
            }
            other => format!("{other:?}"),
        };
        let mut parser = LineParser::default();
        let mut reused = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if parser.memos.iter().any(|memo| memo.reparse(line).is_some()) {
                reused.push(i);
            }
            let full = format!("{:?}", parse_line(String::from_utf8_lossy(line).as_bytes()));
            assert_eq!(shapeless(parser.parse(line)), full, "{}", String::from_utf8_lossy(line));
        }
        // Reused: repeats of a line remembered (one of the last four shapes; escapes or
        // non-ASCII in the varying string; members, ids and the method after it), also across a
        // response, other shapes or a line with no shape to remember. Not reused: a new prefix
        // or suffix (an extra member, another thread, another index), a value that is not a
        // string, that jiter rejects or that is not UTF-8, ids with escapes, params of 64 KiB
        // or more.
        assert_eq!(reused, [1, 2, 3, 9, 11, 13, 14, 16, 18, 20, 25, 31, 32, 36]);
    }

    #[test]
    fn a_line_in_memory_of_its_own_parses_as_a_copied_one() {
        let big = format!("\"{}\"", "y".repeat(70_000));
        let mut invalid_utf8 = delta_line("th", r#""bad""#);
        let at = invalid_utf8.len() - 5;
        invalid_utf8[at] = 0xff;
        let lines = [
            delta_line("th", r#""a""#),
            delta_line("th", big.as_str()),
            delta_line("th", r#""q\"uote \u00e9""#),
            br#"{"method":"m"}"#.to_vec(),
            br#"{"method":"m","params":null}"#.to_vec(),
            br#"{"id":7,"result":{"ok":true}}"#.to_vec(),
            br#"{"id":"s1","method":"item/tool/call","params":{"a":1}}"#.to_vec(),
            br#"{"method":"m","params":{"delta":"z"}}x"#.to_vec(),
            invalid_utf8,
        ];
        // What an event holds, not how: its method, params and keys.
        let seen = |parsed: Result<Incoming<'_>, LineError>| match parsed {
            Ok(Incoming::Notification { event, keys }) => {
                format!("{} {} {keys:?}", event.method(), String::from_utf8_lossy(event.params_json()))
            }
            other => format!("{other:?}"),
        };
        let mut parser = LineParser::default();
        for line in &lines {
            let shared = Bytes::copy_from_slice(line);
            let text = String::from_utf8_lossy(line);
            let expected = seen(parse_line(text.as_bytes()));
            assert_eq!(seen(parser.parse_shared(&shared, &shared)), expected, "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn a_repeated_line_reuses_the_shape_of_the_last() {
        let mut parser = LineParser::default();
        parser.parse(&delta_line("th", r#""a""#)).unwrap();
        let memo = &parser.memos[0];
        assert_ne!(memo.shape, 0, "a delta is remembered");
        let next = delta_line("th", r#""longer piece""#);
        let Some(Incoming::Notification { event, keys }) = memo.reparse(&next) else { panic!("not reused") };
        let Ok(Incoming::Notification { event: full, .. }) = parse_line(&next) else { panic!() };
        assert_eq!(event.params_json(), full.params_json());
        assert_eq!((keys.thread_id.as_deref(), keys.turn_id.as_deref()), (Some("th"), Some("tu")));
        let members: Vec<_> = event.members().expect("indexed").iter().collect();
        assert_eq!(members.last().map(|m| m.value_in(event.params_json())), Some(&br#""longer piece""#[..]));
        assert!(memo.reparse(&delta_line("other", r#""a""#)).is_none());
    }

    #[test]
    fn repeats_share_the_shape_of_the_line_they_repeat() {
        let mut parser = LineParser::default();
        let shape = |parser: &mut LineParser, line: &[u8]| match parser.parse(line) {
            Ok(Incoming::Notification { event, .. }) => event.shape(),
            other => panic!("{other:?}"),
        };
        let first = shape(&mut parser, &delta_line("th", r#""a""#));
        assert_ne!(first, 0);
        assert_eq!(shape(&mut parser, &delta_line("th", r#""bc""#)), first);
        let other = shape(&mut parser, &delta_line("other", r#""a""#));
        assert!(other != 0 && other != first);
        assert_eq!(shape(&mut parser, br#"{"method":"m","params":{"n":1}}"#), 0);
        assert_eq!(shape(&mut parser, &delta_line("th", r#""d""#)), shape(&mut parser, &delta_line("th", r#""e""#)));
    }

    /// How one notification line is laid out; a run of lines shares one layout and varies the text.
    struct Layout {
        order: Vec<usize>,
        thread: &'static str,
        index: u8,
        extra: bool,
        method_last: bool,
        spaced: bool,
    }

    impl Layout {
        fn random(rng: &mut fastrand::Rng) -> Self {
            let mut order: Vec<usize> = (0..4).collect();
            if rng.u8(..4) == 0 {
                rng.shuffle(&mut order);
            }
            Self {
                order,
                thread: ["th", "th2", r"a\u0062"][rng.usize(..3)],
                index: rng.u8(..2),
                extra: rng.u8(..4) == 0,
                method_last: rng.u8(..4) == 0,
                spaced: rng.u8(..4) == 0,
            }
        }

        fn line(&self, text: &str, rng: &mut fastrand::Rng) -> Vec<u8> {
            let sep = if self.spaced { ", " } else { "," };
            let member = |i: usize| match i {
                0 => format!(r#""threadId":"{}""#, self.thread),
                1 => r#""turnId":"tu""#.to_owned(),
                2 => format!(r#""delta":{text}"#),
                _ => format!(r#""summaryIndex":{}"#, self.index),
            };
            let mut members: Vec<String> = self.order.iter().map(|&i| member(i)).collect();
            if self.extra {
                members.push(r#""extra":[1,{"b":null}]"#.to_owned());
            }
            let params = format!("{{{}}}", members.join(sep));
            let method = r#""method":"item/reasoning/summaryTextDelta""#;
            let mut line = if self.method_last {
                format!(r#"{{"params":{params}{sep}{method}}}"#)
            } else {
                format!(r#"{{{method}{sep}"params":{params}}}"#)
            }
            .into_bytes();
            // Now and then a broken line: cut short, or with something after the object.
            match rng.u8(..50) {
                0 => line.truncate(rng.usize(..line.len())),
                1 => line.extend_from_slice(b"}"),
                _ => {}
            }
            line
        }
    }

    #[test]
    fn random_runs_of_lines_parse_as_the_full_parse_does() {
        let texts = [
            r#""a""#,
            r#""""#,
            r#""tok ""#,
            r#""q\"x""#,
            r#""\\""#,
            r#""\u00e9""#,
            "\"é\"",
            r#""\ud800""#,
            "\"\u{1}\"",
            r#""x"#,
            "5",
            "null",
            r#"{"a":1}"#,
            r#""a longer piece of text""#,
        ];
        let mut rng = fastrand::Rng::with_seed(20261125);
        let mut parser = LineParser::default();
        // Two runs interleave, as two turns streaming at once do.
        let mut layouts = [Layout::random(&mut rng), Layout::random(&mut rng)];
        let mut reused = 0;
        for _ in 0..20_000 {
            let run = rng.usize(..2);
            if rng.u8(..10) == 0 {
                layouts[run] = Layout::random(&mut rng);
            }
            let layout = &layouts[run];
            let text = if rng.bool() { texts[rng.usize(..4)] } else { texts[rng.usize(..texts.len())] };
            let line = layout.line(text, &mut rng);
            if parser.memos.iter().any(|memo| memo.reparse(&line).is_some()) {
                reused += 1;
            }
            let full = format!("{:?}", parse_line(String::from_utf8_lossy(&line).as_bytes()));
            let ours = match parser.parse(&line) {
                Ok(Incoming::Notification { event, keys }) => {
                    format!("{:?}", Ok::<_, LineError>(Incoming::Notification { event: event.with_shape(0), keys }))
                }
                other => format!("{other:?}"),
            };
            assert_eq!(ours, full, "{}", String::from_utf8_lossy(&line));
        }
        // The runs repeat, so most of their lines are read through a remembered one, although
        // they interleave (a single memo would manage under 6,000).
        assert!(reused > 8_000, "{reused}");
    }

    #[test]
    fn a_line_that_is_not_utf8_is_read_with_its_stray_bytes_replaced() {
        let mut parser = LineParser::default();
        let Ok(Incoming::Response { id, outcome: Ok(result) }) =
            parser.parse(b"{\"id\":5,\"result\":{\"text\":\"a\xffb\"}}")
        else {
            panic!("the response is lost")
        };
        assert_eq!((id, &*result), (5, "{\"text\":\"a\u{fffd}b\"}"));
        assert!(parse_line(b"{\"id\":5,\"result\":{\"text\":\"a\xffb\"}}").is_err());
    }
}
