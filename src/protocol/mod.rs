//! The app-server's wire messages: classifying each incoming line and extracting the few keys the
//! router needs in one pass over the line (jiter), without building a JSON tree. A notification's
//! params stay as raw bytes; the Python side converts only what a user actually reads.
//!
//! - [`event`]: the notification as it is queued ([`Event`]);
//! - [`members`]: the member index an event carries, and its encoding;
//! - [`scan`]: reading a line in one pass; [`lenient`]: the serde fallback for lines jiter refuses;
//! - [`repeats`]: reading a run of lines that repeat a recent one's shape from their text alone;
//! - [`writer`]: the lines the client writes.

use std::borrow::Cow;

mod event;
mod lenient;
mod members;
mod repeats;
mod scan;
mod writer;

pub(crate) use event::Event;
pub(crate) use members::ValueKind;
pub(crate) use repeats::LineParser;
pub(crate) use scan::{parse_line, skip_value, span_within};
pub(crate) use writer::{notification_line, request_line, server_response_line};

/// Request ids we send are plain integers; the server echoes them back.
pub(crate) type RequestId = u64;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use std::sync::Arc;

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
