//! The app-server's wire messages: classifying each incoming line and extracting the few keys the
//! router needs, without building a full JSON tree. Payloads stay as raw bytes; the Python side
//! converts only what a user actually reads.

use std::borrow::Cow;
use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Request ids we send are plain integers; the server echoes them back.
pub type RequestId = u64;

/// One server notification, kept as the line it arrived in.
#[derive(Debug)]
pub struct Event {
    method: Box<str>,
    line: Box<[u8]>,
    params: Range<usize>,
}

impl Event {
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The raw JSON of `params` (`{}` when the notification had none).
    pub fn params_json(&self) -> &[u8] {
        if self.params.is_empty() {
            b"{}"
        } else {
            &self.line[self.params.clone()]
        }
    }

    /// Builds an event from parts; used by tests and by code that synthesizes events.
    pub fn new(method: &str, params_json: &[u8]) -> Self {
        Self { method: method.into(), line: params_json.into(), params: 0..params_json.len() }
    }

    /// Approximate heap footprint, for the router's memory bounds.
    pub fn weight(&self) -> usize {
        self.line.len() + self.method.len() + 64
    }
}

/// An error object from a JSON-RPC response.
#[derive(Debug, Clone)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    /// Raw JSON of `data`, if present.
    pub data: Option<Box<RawValue>>,
}

/// What one line from the server is.
#[derive(Debug)]
pub enum Incoming {
    /// The answer to one of our requests.
    Response { id: RequestId, outcome: Result<Box<RawValue>, ResponseFault> },
    /// A notification, with the keys used to route it.
    Notification { event: Event, keys: RouteKeys },
    /// A request from the server that must be answered with the same id.
    ServerRequest { id: Box<RawValue>, method: String, params: Option<Box<RawValue>> },
    /// A response whose id we never issued (not a number we could have sent).
    UnknownResponse,
}

/// Why a response carries no usable result.
#[derive(Debug, Clone)]
pub enum ResponseFault {
    Rpc(RpcError),
    /// The `error` member was not an object.
    Malformed,
}

/// The ids a notification is routed by.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RouteKeys {
    pub thread_id: Option<String>,
    pub turn_id: Option<String>,
    pub login_id: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct KeyFields<'a> {
    #[serde(rename = "threadId", borrow, default)]
    thread_id: Option<Cow<'a, str>>,
    #[serde(rename = "turnId", borrow, default)]
    turn_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    turn: Option<TurnRef<'a>>,
    #[serde(rename = "loginId", borrow, default)]
    login_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct TurnRef<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ErrorFields {
    #[serde(default)]
    code: Option<serde_json::Number>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Option<Box<RawValue>>,
}

/// Why a line could not be understood at all.
#[derive(Debug, Clone, PartialEq)]
pub struct LineError(pub String);

/// Classifies one line. A line that is not a JSON object is an error: the stream can no longer be
/// trusted to be in sync, and the caller decides what that means for the connection.
pub fn parse_line(line: Vec<u8>) -> Result<Incoming, LineError> {
    let env: Envelope<'_> = serde_json::from_slice(&line).map_err(|e| {
        let preview = String::from_utf8_lossy(&line[..line.len().min(200)]).into_owned();
        LineError(format!("Invalid JSON-RPC line ({e}): {preview}"))
    })?;

    match (env.method, env.id) {
        (Some(method), Some(id)) => Ok(Incoming::ServerRequest {
            id: id.to_owned(),
            method: method.into_owned(),
            params: env.params.map(RawValue::to_owned),
        }),
        (Some(method), None) => {
            let params = env.params.filter(|p| p.get() != "null");
            let keys = params.map(route_keys).unwrap_or_default();
            let params = params.map(|p| offset_in(&line, p.get().as_bytes())).unwrap_or(0..0);
            let method: Box<str> = method.into();
            Ok(Incoming::Notification {
                event: Event { method, line: line.into_boxed_slice(), params },
                keys,
            })
        }
        (None, Some(id)) => {
            let Ok(id) = serde_json::from_str::<RequestId>(id.get()) else {
                return Ok(Incoming::UnknownResponse);
            };
            let outcome = match (env.error, env.result) {
                (Some(err), _) if err.get() != "null" => Err(parse_error(err)),
                (_, Some(result)) => Ok(result.to_owned()),
                // Neither member: treat as an empty result rather than inventing an error.
                _ => Ok(RawValue::from_string("null".into()).expect("valid JSON")),
            };
            Ok(Incoming::Response { id, outcome })
        }
        (None, None) => Err(LineError(format!(
            "Invalid JSON-RPC line (neither method nor id): {}",
            String::from_utf8_lossy(&line[..line.len().min(200)])
        ))),
    }
}

fn parse_error(raw: &RawValue) -> ResponseFault {
    if !raw.get().trim_start().starts_with('{') {
        return ResponseFault::Malformed;
    }
    match serde_json::from_str::<ErrorFields>(raw.get()) {
        Ok(f) => ResponseFault::Rpc(RpcError {
            // Same defaults as the reference SDK: a missing code is a generic server error.
            code: f.code.and_then(|n| n.as_i64()).unwrap_or(-32000),
            message: f.message.unwrap_or_else(|| "unknown".to_owned()),
            data: f.data.filter(|d| d.get() != "null"),
        }),
        Err(_) => ResponseFault::Malformed,
    }
}

/// The byte range of `inner` within `outer`; `inner` must be a sub-slice of `outer`.
fn offset_in(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    debug_assert!(start + inner.len() <= outer.len());
    start..start + inner.len()
}

/// Routing keys of a notification's params. Params of an unexpected shape route nowhere special
/// (they reach the global queue) rather than failing the stream.
pub fn route_keys(params: &RawValue) -> RouteKeys {
    let fields: KeyFields<'_> = serde_json::from_str(params.get()).unwrap_or_default();
    let turn_id = fields.turn_id.or_else(|| fields.turn.and_then(|t| t.id));
    RouteKeys {
        thread_id: fields.thread_id.map(Cow::into_owned),
        turn_id: turn_id.map(Cow::into_owned),
        login_id: fields.login_id.map(Cow::into_owned),
    }
}

/// Serializes a request line (newline-terminated). `params_json` must be valid JSON.
pub fn request_line(id: RequestId, method: &str, params_json: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(48 + method.len() + params_json.map_or(0, str::len));
    out.extend_from_slice(b"{\"id\":");
    out.extend_from_slice(id.to_string().as_bytes());
    out.extend_from_slice(b",\"method\":");
    serde_json::to_writer(&mut out, method).expect("string serialization cannot fail");
    if let Some(p) = params_json {
        out.extend_from_slice(b",\"params\":");
        out.extend_from_slice(p.as_bytes());
    }
    out.extend_from_slice(b"}\n");
    out
}

/// Serializes a notification line (newline-terminated).
pub fn notification_line(method: &str, params_json: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + method.len() + params_json.map_or(0, str::len));
    out.extend_from_slice(b"{\"method\":");
    serde_json::to_writer(&mut out, method).expect("string serialization cannot fail");
    if let Some(p) = params_json {
        out.extend_from_slice(b",\"params\":");
        out.extend_from_slice(p.as_bytes());
    }
    out.extend_from_slice(b"}\n");
    out
}

/// Serializes the answer to a server request, echoing its id verbatim.
pub fn server_response_line(id: &RawValue, outcome: Result<&str, &RpcError>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"{\"id\":");
    out.extend_from_slice(id.get().as_bytes());
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
                out.extend_from_slice(data.get().as_bytes());
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

    fn parse(s: &str) -> Incoming {
        parse_line(s.as_bytes().to_vec()).unwrap()
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
    fn turn_id_comes_from_nested_turn_object() {
        let Incoming::Notification { keys, .. } =
            parse(r#"{"method":"turn/completed","params":{"threadId":"th","turn":{"id":"t9","status":"completed"}}}"#)
        else {
            panic!()
        };
        assert_eq!(keys.turn_id.as_deref(), Some("t9"));
    }

    #[test]
    fn odd_param_shapes_route_globally_instead_of_failing() {
        let Incoming::Notification { keys, event } =
            parse(r#"{"method":"x","params":{"threadId":5,"turn":"nope"}}"#)
        else {
            panic!()
        };
        assert_eq!(keys, RouteKeys::default());
        assert_eq!(event.params_json(), br#"{"threadId":5,"turn":"nope"}"#);
        let Incoming::Notification { event, .. } = parse(r#"{"method":"initialized"}"#) else { panic!() };
        assert_eq!(event.params_json(), b"{}");
    }

    #[test]
    fn responses_and_errors() {
        let Incoming::Response { id, outcome } = parse(r#"{"id":7,"result":{"ok":true}}"#) else { panic!() };
        assert_eq!(id, 7);
        assert_eq!(outcome.unwrap().get(), r#"{"ok":true}"#);

        let Incoming::Response { outcome, .. } =
            parse(r#"{"id":8,"error":{"code":-32600,"message":"bad","data":{"x":1}}}"#)
        else {
            panic!()
        };
        let ResponseFault::Rpc(err) = outcome.unwrap_err() else { panic!() };
        assert_eq!((err.code, err.message.as_str()), (-32600, "bad"));
        assert_eq!(err.data.unwrap().get(), r#"{"x":1}"#);

        let Incoming::Response { outcome, .. } = parse(r#"{"id":9,"error":{}}"#) else { panic!() };
        let ResponseFault::Rpc(err) = outcome.unwrap_err() else { panic!() };
        assert_eq!((err.code, err.message.as_str(), err.data.is_none()), (-32000, "unknown", true));

        let Incoming::Response { outcome, .. } = parse(r#"{"id":10,"error":"boom"}"#) else { panic!() };
        assert!(matches!(outcome.unwrap_err(), ResponseFault::Malformed));

        assert!(matches!(parse(r#"{"id":"abc","result":{}}"#), Incoming::UnknownResponse));
    }

    #[test]
    fn server_requests_keep_their_id_verbatim() {
        let Incoming::ServerRequest { id, method, params } =
            parse(r#"{"id":"req-1","method":"item/tool/call","params":{"tool":"t"}}"#)
        else {
            panic!()
        };
        assert_eq!((id.get(), method.as_str()), (r#""req-1""#, "item/tool/call"));
        assert_eq!(params.unwrap().get(), r#"{"tool":"t"}"#);
        let line = server_response_line(&id, Ok(r#"{"a":1}"#));
        assert_eq!(line, b"{\"id\":\"req-1\",\"result\":{\"a\":1}}\n".to_vec());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_line(b"not json".to_vec()).is_err());
        assert!(parse_line(b"[1,2]".to_vec()).is_err());
        assert!(parse_line(b"{}".to_vec()).is_err());
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
