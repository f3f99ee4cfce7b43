//! The app-server's wire messages: classifying each incoming line and extracting the few keys the
//! router needs in one pass over the line (jiter), without building a JSON tree. A notification's
//! params stay as raw bytes; the Python side converts only what a user actually reads.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use jiter::{Jiter, JiterResult, Peek};

mod repeats;
pub(crate) use repeats::LineParser;

/// Request ids we send are plain integers; the server echoes them back.
pub(crate) type RequestId = u64;

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
    fn of_peeked(peek: Peek, text: &[u8]) -> Self {
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
/// An encoded member: four little-endian u16 places (relative to the params), then the kind.
const MEMBER_BYTES: usize = 9;
const KEY_START: usize = 0;
const KEY_END: usize = 2;
const VALUE_START: usize = 4;
const VALUE_END: usize = 6;
const KIND: usize = 8;
const NOT_INDEXED: u8 = u8::MAX;
/// The longest encoded index: every member, then their count.
const INDEX_BYTES: usize = INDEXED_MEMBERS * MEMBER_BYTES + 1;

/// An event's member index: its members in the order they came, by position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Members<'a>(&'a [u8]);

impl<'a> Members<'a> {
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

/// One server notification: its method and the raw JSON of its params. Cheap to clone (two
/// reference counts): queues, summaries and Python objects share one copy of the bytes. The
/// member index, when there is one, rides in the same allocation, after the params.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    method: Arc<str>,
    /// The params bytes, then the encoded members, then their count (or `NOT_INDEXED`).
    data: Arc<[u8]>,
    params_len: u32,
    /// See [`Event::shape`].
    shape: u64,
}

impl Event {
    /// An event made here rather than read off the wire (its members are not indexed).
    pub(crate) fn new(method: &str, params_json: &[u8]) -> Self {
        Self::with_members(method_name(method), params_json, &[NOT_INDEXED])
    }

    /// Events of one nonzero shape have the same members, in the same order, with values of the
    /// same kinds; only the text of string values may differ. The reader gives lines it reads
    /// through one remembered line (see `repeats`) that line's shape; 0 is no shape. Shapes are
    /// unique in the process, so a check made on the members holds for all events of a shape.
    pub(crate) fn shape(&self) -> u64 {
        self.shape
    }

    fn with_shape(mut self, shape: u64) -> Self {
        self.shape = shape;
        self
    }

    /// `tail` is the encoded member index and its count (see [`MemberIndex`]), or `NOT_INDEXED`.
    fn with_members(method: Arc<str>, params: &[u8], tail: &[u8]) -> Self {
        // Written straight into the shared allocation, without zeroing it first.
        let mut data = Arc::<[u8]>::new_uninit_slice(params.len() + tail.len());
        let buf = Arc::get_mut(&mut data).expect("a fresh Arc is unique").as_mut_ptr().cast::<u8>();
        // SAFETY: `buf` holds exactly `params.len() + tail.len()` bytes, written here in two
        // disjoint runs from slices that cannot overlap a fresh allocation; after that every
        // byte is initialised.
        let data = unsafe {
            std::ptr::copy_nonoverlapping(params.as_ptr(), buf, params.len());
            std::ptr::copy_nonoverlapping(tail.as_ptr(), buf.add(params.len()), tail.len());
            data.assume_init()
        };
        Self { method, data, params_len: params.len() as u32, shape: 0 }
    }

    /// The params' top-level members, if the reader indexed them (flat objects of at most
    /// [`INDEXED_MEMBERS`] members under 64 KiB).
    pub(crate) fn members(&self) -> Option<Members<'_>> {
        let count = *self.data.last()?;
        if count == NOT_INDEXED {
            return None;
        }
        let start = self.params_len as usize;
        Some(Members(&self.data[start..start + count as usize * MEMBER_BYTES]))
    }

    pub(crate) fn method(&self) -> &str {
        &self.method
    }

    /// The method name, shared by every event with the same method.
    pub(crate) fn method_arc(&self) -> &Arc<str> {
        &self.method
    }

    /// The raw JSON of `params` (`{}` when the notification had none).
    pub(crate) fn params_json(&self) -> &[u8] {
        if self.params_len == 0 {
            b"{}"
        } else {
            &self.data[..self.params_len as usize]
        }
    }

    /// Approximate heap footprint, for the router's memory bounds.
    pub(crate) fn weight(&self) -> usize {
        self.data.len() + 64
    }
}

/// Method names are a small fixed set; sharing one allocation per name keeps queued events small.
/// The table is bounded so a misbehaving server cannot grow it without limit.
fn method_name(name: &str) -> Arc<str> {
    thread_local! {
        // Consecutive events mostly share a method (a stream of deltas): skip the table then.
        static LAST: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some(known) = last.as_ref().filter(|known| ***known == *name) {
            return known.clone();
        }
        let found = shared_method_name(name);
        *last = Some(found.clone());
        found
    })
}

fn shared_method_name(name: &str) -> Arc<str> {
    const MAX_NAMES: usize = 1024;
    static NAMES: OnceLock<Mutex<HashSet<Arc<str>>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = names.get(name) {
        return known.clone();
    }
    let fresh: Arc<str> = name.into();
    if names.len() < MAX_NAMES {
        names.insert(fresh.clone());
    }
    fresh
}

/// An error object from a JSON-RPC response.
#[derive(Debug, Clone)]
pub(crate) struct RpcError {
    pub(crate) code: i64,
    pub(crate) message: String,
    /// Raw JSON of `data`, if present and not null.
    pub(crate) data: Option<Box<str>>,
}

/// What one line from the server is.
#[derive(Debug)]
pub(crate) enum Incoming<'a> {
    /// The answer to one of our requests; `Ok` holds the raw JSON of `result`.
    Response { id: RequestId, outcome: Result<Box<str>, ResponseFault> },
    /// A notification, with the keys used to route it.
    Notification { event: Event, keys: RouteKeys<'a> },
    /// A request from the server that must be answered with the same id (raw JSON, echoed).
    ServerRequest { id: Box<str>, method: String, params: Option<Box<str>> },
    /// A response whose id we never issued (not a number we could have sent).
    UnknownResponse,
}

/// Why a response carries no usable result.
#[derive(Debug, Clone)]
pub(crate) enum ResponseFault {
    Rpc(RpcError),
    /// The `error` member was not an object.
    Malformed,
}

/// The ids a notification is routed by, borrowed from its line where possible.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct RouteKeys<'a> {
    pub(crate) thread_id: Option<Cow<'a, str>>,
    pub(crate) turn_id: Option<Cow<'a, str>>,
    pub(crate) login_id: Option<Cow<'a, str>>,
}

/// Why a line could not be understood at all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineError(pub String);

pub(crate) type Span = std::ops::Range<usize>;

/// Where `part` lies in `whole`, if it is a slice of it (jiter and serde hand out strings
/// without escapes as slices of their input, decoded ones from a buffer of their own).
pub(crate) fn span_within(whole: &[u8], part: &[u8]) -> Option<Span> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start + part.len();
    (end <= whole.len()).then_some(start..end)
}

/// Skips the next value, returning where it lies in the parser's input.
pub(crate) fn skip_value(j: &mut Jiter<'_>) -> JiterResult<Span> {
    let peek = j.peek()?;
    let start = j.current_index();
    j.known_skip(peek)?;
    Ok(start..j.current_index())
}

/// `part` as a slice of `whole` when it lies inside it.
fn slice_of<'a>(whole: &'a [u8], part: &str) -> Option<&'a str> {
    let bytes = &whole[span_within(whole, part.as_bytes())?];
    // SAFETY: these are the very bytes of `part` (same address and length), which is a `&str`.
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// Reads a string value, borrowed from the line unless it had escapes; `None`, with the value
/// skipped, if it is not a string. jiter checks UTF-8 while it looks for the closing quote, so
/// ASCII (ids, method names) costs nothing extra.
fn string_value<'a>(j: &mut Jiter<'a>, line: &'a [u8]) -> JiterResult<Option<Cow<'a, str>>> {
    let peek = j.peek()?;
    if peek != Peek::String {
        j.known_skip(peek)?;
        return Ok(None);
    }
    let text = j.known_str()?;
    Ok(Some(slice_of(line, text).map_or_else(|| Cow::Owned(text.to_owned()), Cow::Borrowed)))
}

/// Top-level and params keys we act on; anything else is skipped. Turning a key into this
/// `Copy` value right away ends jiter's borrow of it, and avoids allocating per key.
#[derive(Clone, Copy, PartialEq)]
enum Key {
    Method,
    Params,
    Id,
    Result,
    Error,
    ThreadId,
    TurnId,
    Turn,
    LoginId,
    Other,
}

/// Classifies a key (as jiter decoded it: escapes in keys are legal, if rare).
fn key(name: &str) -> Key {
    match name {
        "method" => Key::Method,
        "params" => Key::Params,
        "id" => Key::Id,
        "result" => Key::Result,
        "error" => Key::Error,
        "threadId" => Key::ThreadId,
        "turnId" => Key::TurnId,
        "turn" => Key::Turn,
        "loginId" => Key::LoginId,
        _ => Key::Other,
    }
}

/// The members of a params object, as far as they can be indexed, encoded as they are found in
/// the layout the event stores (each member's key and value spans, relative to the params, then
/// its kind; after the last member, their count).
struct MemberIndex {
    encoded: [u8; INDEX_BYTES],
    count: usize,
    overflow: bool,
}

impl Default for MemberIndex {
    fn default() -> Self {
        Self { encoded: [0; INDEX_BYTES], count: 0, overflow: false }
    }
}

impl MemberIndex {
    fn push(&mut self, params_start: usize, key: Span, value: Span, kind: ValueKind) {
        let rel = |i: usize| u16::try_from(i - params_start).ok();
        match (rel(key.start), rel(key.end), rel(value.start), rel(value.end)) {
            (Some(ks), Some(ke), Some(vs), Some(ve)) if self.count < INDEXED_MEMBERS => {
                let out = &mut self.encoded[self.count * MEMBER_BYTES..][..MEMBER_BYTES];
                for (at, place) in [(KEY_START, ks), (KEY_END, ke), (VALUE_START, vs), (VALUE_END, ve)] {
                    out[at..at + 2].copy_from_slice(&place.to_le_bytes());
                }
                out[KIND] = kind as u8;
                self.count += 1;
            }
            _ => self.overflow = true,
        }
    }

    /// The encoded index followed by its count, or just `NOT_INDEXED`.
    fn finish(&mut self) -> &[u8] {
        if self.overflow {
            return &[NOT_INDEXED];
        }
        let len = self.count * MEMBER_BYTES;
        self.encoded[len] = self.count as u8;
        &self.encoded[..=len]
    }
}

/// Reads the routing keys from a params object, returning its span in the line and, for a
/// small flat object, the index of its members.
fn scan_params<'a>(
    j: &mut Jiter<'a>,
    line: &'a [u8],
    keys: &mut RouteKeys<'a>,
    index: &mut MemberIndex,
) -> JiterResult<Span> {
    let peek = j.peek()?;
    let start = j.current_index();
    if peek != Peek::Object {
        j.known_skip(peek)?;
        index.overflow = true;
        return Ok(start..j.current_index());
    }
    // A key's span (quotes excluded) goes into the index; a key with escapes has none, and then
    // the object is not indexed.
    let classify = |k: &str| (key(k), span_within(line, k.as_bytes()));
    let mut next = j.next_object()?.map(classify);
    while let Some((k, key_span)) = next {
        let peek = j.peek()?;
        let value_start = j.current_index();
        match k {
            Key::ThreadId => keys.thread_id = string_value(j, line)?,
            Key::TurnId => keys.turn_id = string_value(j, line)?.or(keys.turn_id.take()),
            Key::LoginId => keys.login_id = string_value(j, line)?,
            Key::Turn if peek == Peek::Object => {
                let mut inner = j.next_object()?.map(key);
                while let Some(ik) = inner {
                    if ik == Key::Id && keys.turn_id.is_none() {
                        keys.turn_id = string_value(j, line)?;
                    } else {
                        j.next_skip()?;
                    }
                    inner = j.next_key()?.map(key);
                }
            }
            // Every other member is skipped with this one call, which `repeats` relies on: it
            // re-reads a varying string member (never one of the keys above) the same way.
            _ => j.known_skip(peek)?,
        }
        let value = value_start..j.current_index();
        match key_span {
            Some(key_span) => index.push(start, key_span, value.clone(), ValueKind::of_peeked(peek, &line[value])),
            None => index.overflow = true,
        }
        next = j.next_key()?.map(classify);
    }
    Ok(start..j.current_index())
}

#[derive(Default)]
struct Fields<'a> {
    id: Option<Span>,
    method: Option<Cow<'a, str>>,
    params: Option<Span>,
    result: Option<Span>,
    error: Option<Span>,
    keys: RouteKeys<'a>,
    members: MemberIndex,
}

/// Fills `f` from `line`; false when the line is not a JSON object. (An out-parameter: `Fields`
/// holds the member index inline and is worth not moving around.)
fn scan_line<'a>(line: &'a [u8], f: &mut Fields<'a>) -> JiterResult<bool> {
    let mut j = Jiter::new(line);
    if j.peek()? != Peek::Object {
        return Ok(false);
    }
    let mut next = j.next_object()?.map(key);
    while let Some(k) = next {
        match k {
            Key::Method => f.method = string_value(&mut j, line)?,
            Key::Params => {
                // A repeated `params` replaces the first, ids and member index included.
                (f.keys, f.members) = Default::default();
                f.params = Some(scan_params(&mut j, line, &mut f.keys, &mut f.members)?);
            }
            Key::Id => f.id = Some(skip_value(&mut j)?),
            Key::Result => f.result = Some(skip_value(&mut j)?),
            Key::Error => f.error = Some(skip_value(&mut j)?),
            _ => j.next_skip()?,
        }
        next = j.next_key()?.map(key);
    }
    j.finish()?;
    Ok(true)
}

fn text<'a>(line: &'a [u8], span: &Span) -> &'a str {
    // The line is UTF-8 (see `scan`) and spans cover whole JSON values, so this holds.
    std::str::from_utf8(&line[span.clone()]).unwrap_or("null")
}

fn preview(line: &[u8]) -> String {
    String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned()
}

/// The same fields, found by serde_json, which (unlike jiter) lets string escapes it skips over
/// stand unvalidated. Used only for lines jiter rejects, such as a lone UTF-16 surrogate escape
/// (`"\ud800"`), which Python itself accepts: such a line is still delivered, not dropped.
fn scan_line_lenient(line: &[u8]) -> Option<Fields<'_>> {
    use serde_json::value::RawValue;
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow, default)]
        id: Option<&'a RawValue>,
        #[serde(borrow, default)]
        method: Option<&'a RawValue>,
        #[serde(borrow, default)]
        params: Option<&'a RawValue>,
        #[serde(borrow, default)]
        result: Option<&'a RawValue>,
        #[serde(borrow, default)]
        error: Option<&'a RawValue>,
    }
    let env: Envelope<'_> = serde_json::from_slice(line).ok()?;
    // Borrowed raw values are slices of the line.
    let span = |raw: &RawValue| span_within(line, raw.get().as_bytes());
    let mut f = Fields {
        id: env.id.and_then(span),
        method: env.method.and_then(|m| serde_json::from_str::<String>(m.get()).ok()).map(Cow::Owned),
        params: env.params.and_then(span),
        result: env.result.and_then(span),
        error: env.error.and_then(span),
        keys: RouteKeys::default(),
        members: MemberIndex { overflow: true, ..MemberIndex::default() },
    };
    if let Some(params) = env.params {
        #[derive(serde::Deserialize)]
        struct TurnRef {
            id: Option<String>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Ids {
            thread_id: Option<String>,
            turn_id: Option<String>,
            turn: Option<TurnRef>,
            login_id: Option<String>,
        }
        // Unknown members are skipped by serde without decoding their strings.
        if let Ok(ids) = serde_json::from_str::<Ids>(params.get()) {
            f.keys = RouteKeys {
                thread_id: ids.thread_id.map(Cow::Owned),
                turn_id: ids.turn_id.or(ids.turn.and_then(|t| t.id)).map(Cow::Owned),
                login_id: ids.login_id.map(Cow::Owned),
            };
        }
    }
    Some(f)
}

/// Classifies one line. A line that is not a JSON object is an error, for the caller to report.
pub(crate) fn parse_line(line: &[u8]) -> Result<Incoming<'_>, LineError> {
    let fields = scan(line)?;
    incoming(line, fields)
}

/// The fields of `line`, found by jiter, or, for the few lines it rejects, by serde_json.
fn scan(line: &[u8]) -> Result<Fields<'_>, LineError> {
    // JSON text is UTF-8. jiter checks the strings it decodes but not those it skips, and a
    // payload must not fail later, when the line is long gone, for bytes read here. (The
    // reader's `LineParser` repairs such a line instead, then scans it as `scan_utf8`.)
    match std::str::from_utf8(line) {
        Ok(line) => scan_utf8(line),
        Err(e) => {
            Err(LineError(format!("Invalid JSON-RPC line (not UTF-8 at byte {}): {}", e.valid_up_to(), preview(line))))
        }
    }
}

/// `scan` of a line known to be UTF-8.
fn scan_utf8(line: &str) -> Result<Fields<'_>, LineError> {
    let line = line.as_bytes();
    let mut fields = Fields::default();
    match scan_line(line, &mut fields) {
        Ok(true) => Ok(fields),
        Ok(false) => Err(LineError(format!("Invalid JSON-RPC line (not an object): {}", preview(line)))),
        Err(e) => {
            scan_line_lenient(line).ok_or_else(|| LineError(format!("Invalid JSON-RPC line ({e}): {}", preview(line))))
        }
    }
}

/// What a line with these fields is.
fn incoming<'a>(line: &'a [u8], mut fields: Fields<'a>) -> Result<Incoming<'a>, LineError> {
    let params = fields.params.filter(|p| &line[p.clone()] != b"null");
    match (fields.method, fields.id) {
        (Some(method), Some(id)) => Ok(Incoming::ServerRequest {
            id: text(line, &id).into(),
            method: method.to_string(),
            params: params.map(|p| text(line, &p).into()),
        }),
        (Some(method), None) => {
            let bytes = params.map_or(&[][..], |p| &line[p]);
            let index = if bytes.is_empty() { &[NOT_INDEXED][..] } else { fields.members.finish() };
            Ok(Incoming::Notification {
                event: Event::with_members(method_name(&method), bytes, index),
                keys: fields.keys,
            })
        }
        (None, Some(id)) => {
            let Ok(id) = text(line, &id).parse::<RequestId>() else {
                return Ok(Incoming::UnknownResponse);
            };
            let outcome = match (fields.error.filter(|e| &line[e.clone()] != b"null"), fields.result) {
                (Some(err), _) => Err(parse_error(text(line, &err))),
                (None, Some(result)) => Ok(text(line, &result).into()),
                // Neither member: an empty result rather than an invented error.
                (None, None) => Ok("null".into()),
            };
            Ok(Incoming::Response { id, outcome })
        }
        (None, None) => Err(LineError(format!("Invalid JSON-RPC line (neither method nor id): {}", preview(line)))),
    }
}

fn parse_error(raw: &str) -> ResponseFault {
    #[derive(serde::Deserialize)]
    struct ErrorFields {
        #[serde(default)]
        code: Option<serde_json::Number>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        data: Option<Box<serde_json::value::RawValue>>,
    }
    if !raw.trim_start().starts_with('{') {
        return ResponseFault::Malformed;
    }
    match serde_json::from_str::<ErrorFields>(raw) {
        Ok(f) => ResponseFault::Rpc(RpcError {
            // Same defaults as the reference SDK: a missing code is a generic server error.
            code: f.code.and_then(|n| n.as_i64()).unwrap_or(-32000),
            message: f.message.unwrap_or_else(|| "unknown".to_owned()),
            data: f.data.filter(|d| d.get() != "null").map(|d| d.get().into()),
        }),
        Err(_) => ResponseFault::Malformed,
    }
}

/// Serializes a request line (newline-terminated). `params_json` must be valid JSON.
pub(crate) fn request_line(id: RequestId, method: &str, params_json: Option<&str>) -> Vec<u8> {
    method_line(Some(id), method, params_json)
}

/// Serializes a notification line (newline-terminated).
pub(crate) fn notification_line(method: &str, params_json: Option<&str>) -> Vec<u8> {
    method_line(None, method, params_json)
}

fn method_line(id: Option<RequestId>, method: &str, params_json: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(48 + method.len() + params_json.map_or(0, str::len));
    out.push(b'{');
    if let Some(id) = id {
        out.extend_from_slice(b"\"id\":");
        out.extend_from_slice(id.to_string().as_bytes());
        out.push(b',');
    }
    out.extend_from_slice(b"\"method\":");
    serde_json::to_writer(&mut out, method).expect("string serialization cannot fail");
    if let Some(p) = params_json {
        out.extend_from_slice(b",\"params\":");
        out.extend_from_slice(p.as_bytes());
    }
    out.extend_from_slice(b"}\n");
    out
}

/// Serializes the answer to a server request, echoing its raw id.
pub(crate) fn server_response_line(id: &str, outcome: Result<&str, &RpcError>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"{\"id\":");
    out.extend_from_slice(id.as_bytes());
    match outcome {
        Ok(result) => {
            out.extend_from_slice(b",\"result\":");
            out.extend_from_slice(result.as_bytes());
        }
        Err(err) => {
            out.extend_from_slice(b",\"error\":{\"code\":");
            out.extend_from_slice(err.code.to_string().as_bytes());
            out.extend_from_slice(b",\"message\":");
            serde_json::to_writer(&mut out, &err.message).expect("string serialization cannot fail");
            if let Some(data) = &err.data {
                out.extend_from_slice(b",\"data\":");
                out.extend_from_slice(data.as_bytes());
            }
            out.push(b'}');
        }
    }
    out.extend_from_slice(b"}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Incoming<'_> {
        parse_line(s.as_bytes()).unwrap()
    }

    #[test]
    fn notification_keeps_params_bytes_and_turn_keys() {
        let Incoming::Notification { event, keys } = parse(
            r#"{"method":"item/agentMessage/delta","params":{"threadId":"th","turnId":"tu","itemId":"i","delta":"hé\n"}}"#,
        ) else {
            panic!("not a notification")
        };
        assert_eq!(event.method(), "item/agentMessage/delta");
        assert_eq!(
            std::str::from_utf8(event.params_json()).unwrap(),
            r#"{"threadId":"th","turnId":"tu","itemId":"i","delta":"hé\n"}"#
        );
        assert_eq!(keys.thread_id.as_deref(), Some("th"));
        assert_eq!(keys.turn_id.as_deref(), Some("tu"));
    }

    #[test]
    fn flat_params_carry_an_index_of_their_members() {
        let Incoming::Notification { event, .. } = parse(
            r#"{"method":"m","params":{"threadId":"th","n":12,"x":1.5,"ok":true,"nil":null,"o":{"a":[1]},"l":[2],"s":"q\"r"}}"#,
        ) else {
            panic!()
        };
        let params = event.params_json();
        let members: Vec<_> = event.members().expect("indexed").iter().collect();
        let text = |bytes: &[u8]| std::str::from_utf8(bytes).unwrap().to_owned();
        let seen: Vec<_> = members.iter().map(|m| (text(m.key_in(params)), text(m.value_in(params)), m.kind)).collect();
        assert_eq!(
            seen,
            vec![
                ("threadId".into(), r#""th""#.into(), ValueKind::String),
                ("n".into(), "12".into(), ValueKind::Int),
                ("x".into(), "1.5".into(), ValueKind::Float),
                ("ok".into(), "true".into(), ValueKind::Bool),
                ("nil".into(), "null".into(), ValueKind::Null),
                ("o".into(), r#"{"a":[1]}"#.into(), ValueKind::Object),
                ("l".into(), "[2]".into(), ValueKind::Array),
                ("s".into(), r#""q\"r""#.into(), ValueKind::String),
            ]
        );
        // More members than the index holds: no index, nothing lost.
        let many = format!(
            r#"{{"method":"m","params":{{{}}}}}"#,
            (0..20).map(|i| format!(r#""k{i}":{i}"#)).collect::<Vec<_>>().join(",")
        );
        let Incoming::Notification { event, .. } = parse(&many) else { panic!() };
        assert!(event.members().is_none());
        assert!(event.params_json().ends_with(br#""k19":19}"#));
        assert!(Event::new("x", b"{}").members().is_none());
    }

    #[test]
    fn key_order_and_whitespace_do_not_matter() {
        let Incoming::Notification { event, keys } = parse(
            r#" { "params" : { "turn" : { "status":"x", "id" : "t9" } , "threadId":"th" } , "method" : "turn/completed" } "#,
        ) else {
            panic!()
        };
        assert_eq!(event.method(), "turn/completed");
        assert_eq!(keys.turn_id.as_deref(), Some("t9"));
        assert_eq!(keys.thread_id.as_deref(), Some("th"));
        assert!(event.params_json().starts_with(b"{ \"turn\""));
    }

    #[test]
    fn escaped_keys_and_values_are_decoded() {
        let Incoming::Notification { keys, .. } =
            parse(r#"{"method":"x","params":{"thread\u0049d":"a\"b","turnId":"\u00e9"}}"#)
        else {
            panic!()
        };
        assert_eq!(keys.thread_id.as_deref(), Some("a\"b"));
        assert_eq!(keys.turn_id.as_deref(), Some("é"));
        // Raw (unescaped) non-ASCII is borrowed from the line as is; an escaped key leaves the
        // params unindexed rather than indexing the wrong bytes.
        let Incoming::Notification { keys, event } =
            parse(r#"{"method":"x","params":{"threadId":"thé","\u0064elta":"d"}}"#)
        else {
            panic!()
        };
        assert!(matches!(keys.thread_id, Some(Cow::Borrowed("thé"))));
        assert!(event.members().is_none());
    }

    #[test]
    fn odd_param_shapes_route_globally_instead_of_failing() {
        let Incoming::Notification { keys, event } = parse(r#"{"method":"x","params":{"threadId":5,"turn":"nope"}}"#)
        else {
            panic!()
        };
        assert_eq!(keys, RouteKeys::default());
        assert_eq!(event.params_json(), br#"{"threadId":5,"turn":"nope"}"#);
        let Incoming::Notification { event, .. } = parse(r#"{"method":"initialized"}"#) else { panic!() };
        assert_eq!(event.params_json(), b"{}");
        let Incoming::Notification { event, .. } = parse(r#"{"method":"n","params":null}"#) else { panic!() };
        assert_eq!(event.params_json(), b"{}");
    }

    #[test]
    fn method_names_are_shared() {
        let a = Event::new("item/agentMessage/delta", b"{}");
        let Incoming::Notification { event: b, .. } = parse(r#"{"method":"item/agentMessage/delta","params":{}}"#)
        else {
            panic!()
        };
        assert!(Arc::ptr_eq(a.method_arc(), b.method_arc()));
    }

    #[test]
    fn responses_and_errors() {
        let Incoming::Response { id, outcome } = parse(r#"{"id":7,"result":{"ok":true}}"#) else { panic!() };
        assert_eq!(id, 7);
        assert_eq!(&*outcome.unwrap(), r#"{"ok":true}"#);

        let Incoming::Response { outcome, .. } =
            parse(r#"{"id":8,"error":{"code":-32600,"message":"bad","data":{"x":1}}}"#)
        else {
            panic!()
        };
        let ResponseFault::Rpc(err) = outcome.unwrap_err() else { panic!() };
        assert_eq!((err.code, err.message.as_str()), (-32600, "bad"));
        assert_eq!(err.data.as_deref(), Some(r#"{"x":1}"#));

        let Incoming::Response { outcome, .. } = parse(r#"{"id":9,"error":{}}"#) else { panic!() };
        let ResponseFault::Rpc(err) = outcome.unwrap_err() else { panic!() };
        assert_eq!((err.code, err.message.as_str(), err.data.is_none()), (-32000, "unknown", true));

        let Incoming::Response { outcome, .. } = parse(r#"{"id":10,"error":"boom"}"#) else { panic!() };
        assert!(matches!(outcome.unwrap_err(), ResponseFault::Malformed));

        let Incoming::Response { outcome, .. } = parse(r#"{"id":11,"result":{},"error":null}"#) else { panic!() };
        assert_eq!(&*outcome.unwrap(), "{}");

        assert!(matches!(parse(r#"{"id":"abc","result":{}}"#), Incoming::UnknownResponse));
    }

    #[test]
    fn server_requests_keep_their_id_verbatim() {
        let Incoming::ServerRequest { id, method, params } =
            parse(r#"{"id":"req-1","method":"item/tool/call","params":{"tool":"t"}}"#)
        else {
            panic!()
        };
        assert_eq!((&*id, method.as_str()), (r#""req-1""#, "item/tool/call"));
        assert_eq!(params.as_deref(), Some(r#"{"tool":"t"}"#));
        let line = server_response_line(&id, Ok(r#"{"a":1}"#));
        assert_eq!(line, b"{\"id\":\"req-1\",\"result\":{\"a\":1}}\n".to_vec());
    }

    #[test]
    fn lone_surrogate_escapes_are_delivered_not_dropped() {
        let Incoming::Notification { event, keys } = parse(
            r#"{"method":"item/agentMessage/delta","params":{"threadId":"th","turnId":"tu","delta":"a \ud800 b"}}"#,
        ) else {
            panic!()
        };
        assert_eq!(event.method(), "item/agentMessage/delta");
        assert_eq!(keys.turn_id.as_deref(), Some("tu"));
        assert!(event.params_json().ends_with(br#""a \ud800 b"}"#));
    }

    #[test]
    fn garbage_is_an_error() {
        let not_utf8 = b"{\"method\":\"m\",\"params\":{\"skipped\":\"\xff\"}}";
        for bad in [&b"not json"[..], b"[1,2]", b"{}", b"{\"method\":\"x\"} trailing", b"{\"method\":", not_utf8] {
            assert!(parse_line(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn request_lines_are_valid_json() {
        let line = request_line(3, "turn/start", Some(r#"{"threadId":"a"}"#));
        let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(v, serde_json::json!({"id": 3, "method": "turn/start", "params": {"threadId": "a"}}));
        assert!(line.ends_with(b"}\n"));
        let v: serde_json::Value = serde_json::from_slice(&notification_line("initialized", None)).unwrap();
        assert_eq!(v, serde_json::json!({"method": "initialized"}));
    }
}
