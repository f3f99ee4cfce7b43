//! The scan: one pass of jiter over a line, classifying it and finding the routing keys, the
//! spans of its members and the member index of its params, without building a JSON tree.

use std::borrow::Cow;

use bytes::Bytes;
use jiter::{Jiter, JiterResult, Peek};

use super::event::{method_name, Event};
use super::lenient::scan_line_lenient;
use super::members::{MemberIndex, ValueKind, UNINDEXED};
use super::{Incoming, LineError, RequestId, ResponseFault, RouteKeys, RpcError, Span};

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
pub(super) enum Key {
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
pub(super) fn key(name: &str) -> Key {
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
        index.give_up();
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
            None => index.give_up(),
        }
        next = j.next_key()?.map(classify);
    }
    index.seal();
    Ok(start..j.current_index())
}

/// What the scan found in a line: the spans of its top-level members, the routing keys and the
/// member index of its params.
#[derive(Default)]
pub(super) struct Fields<'a> {
    pub(super) id: Option<Span>,
    pub(super) method: Option<Cow<'a, str>>,
    pub(super) params: Option<Span>,
    pub(super) result: Option<Span>,
    pub(super) error: Option<Span>,
    pub(super) keys: RouteKeys<'a>,
    pub(super) members: MemberIndex,
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

/// Classifies one line. A line that is not a JSON object is an error, for the caller to report.
pub(crate) fn parse_line(line: &[u8]) -> Result<Incoming<'_>, LineError> {
    let fields = scan(line)?;
    incoming(line, fields, None)
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
pub(super) fn scan_utf8(line: &str) -> Result<Fields<'_>, LineError> {
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

/// What a line with these fields is. A notification's event copies its params, or, when the line
/// lies in `shared` memory of its own, keeps them there.
pub(super) fn incoming<'a>(
    line: &'a [u8],
    fields: Fields<'a>,
    shared: Option<&Bytes>,
) -> Result<Incoming<'a>, LineError> {
    let params = fields.params.filter(|p| &line[p.clone()] != b"null");
    match (fields.method, fields.id) {
        (Some(method), Some(id)) => Ok(Incoming::ServerRequest {
            id: text(line, &id).into(),
            method: method.to_string(),
            params: params.map(|p| text(line, &p).into()),
        }),
        (Some(method), None) => {
            let bytes = params.map_or(&[][..], |p| &line[p]);
            let event = match shared {
                Some(shared) if !bytes.is_empty() => Event::shared(method_name(&method), shared.slice_ref(bytes)),
                _ => {
                    let index = if bytes.is_empty() { UNINDEXED } else { fields.members.tail() };
                    Event::with_members(method_name(&method), bytes, index)
                }
            };
            Ok(Incoming::Notification { event, keys: fields.keys })
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
