//! What the client answers to the requests the runtime sends it (approvals, dynamic tool calls,
//! user input, elicitations…), apart from the JSON-RPC correlation in `connection`.
//!
//! Each connection has one [`Dispatcher`]. It answers a request by the [`default_answer`] policy,
//! or hands it to a pluggable [`Responder`] together with a [`PendingReply`]: the responder may
//! answer at once or much later (after the turn that asked has moved on), from any thread. A
//! reply is sent at most once; a [`PendingReply`] dropped unanswered sends an error, so the
//! runtime is never left waiting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};

use crate::error::Closed;
use crate::protocol::{server_response_line, Event, RpcError};

/// A request the server sent us.
#[derive(Debug)]
pub(crate) struct ServerRequest {
    pub(crate) method: String,
    /// Raw JSON of the params, if any.
    pub(crate) params: Option<Box<str>>,
}

/// The answer to one server request when nobody else answers it: approvals are accepted (as the
/// reference SDK does), permissions granted as asked for the turn, user input left empty, MCP
/// elicitations declined, dynamic tool calls refused with a message; everything else gets a
/// well-formed refusal rather than a malformed `{}`.
pub(crate) fn default_answer(request: &ServerRequest) -> Result<String, RpcError> {
    let result = match request.method.as_str() {
        "item/commandExecution/requestApproval" | "item/fileChange/requestApproval" => {
            r#"{"decision":"accept"}"#.to_owned()
        }
        "item/permissions/requestApproval" => {
            // Accepting means granting what was asked, for this turn only.
            let requested = request
                .params
                .as_ref()
                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                .and_then(|v| v.get("permissions").cloned())
                .unwrap_or_else(|| serde_json::json!({}));
            serde_json::json!({"permissions": requested, "scope": "turn"}).to_string()
        }
        "applyPatchApproval" | "execCommandApproval" => r#"{"decision":"approved"}"#.to_owned(),
        "item/tool/call" => serde_json::json!({
            "success": false,
            "contentItems": [{"type": "inputText", "text": "No Python function is bound to this tool in this client, so it was not run. The program must pass tools=[...] to thread_start, thread_resume or thread_fork for this thread."}],
        })
        .to_string(),
        "item/tool/requestUserInput" => r#"{"answers":{}}"#.to_owned(),
        "mcpServer/elicitation/request" => r#"{"action":"decline"}"#.to_owned(),
        "account/chatgptAuthTokens/refresh" | "attestation/generate" => {
            return Err(RpcError {
                code: -32601,
                message: format!("{} is not supported by this client", request.method),
                data: None,
            })
        }
        _ => "{}".to_owned(),
    };
    Ok(result)
}

/// The answer a request gets when nobody decided it before the client went away: approvals are
/// declined and permissions granted none (fail closed); the rest get [`default_answer`].
pub(crate) fn fail_closed_answer(request: &ServerRequest) -> Result<String, RpcError> {
    match request.method.as_str() {
        "item/commandExecution/requestApproval" | "item/fileChange/requestApproval" => {
            Ok(r#"{"decision":"decline"}"#.to_owned())
        }
        "item/permissions/requestApproval" => Ok(r#"{"permissions":{},"scope":"turn"}"#.to_owned()),
        "applyPatchApproval" | "execCommandApproval" => Ok(r#"{"decision":"denied"}"#.to_owned()),
        _ => default_answer(request),
    }
}

/// Where replies are written: the connection's stdin. Held weakly by replies, so one kept past
/// the connection's end does not keep the process's stdin open; then the reply goes nowhere.
pub(crate) trait Outbox: Send + Sync {
    /// Queues one line; false when the process no longer takes input.
    fn send_line(&self, line: Vec<u8>) -> bool;
}

/// Answers server requests instead of the default policy (the hook for, say, a Python callback).
pub(crate) trait Responder: Send + Sync {
    /// Takes `request`, to be answered through `reply`, now or later, from any thread. Runs on
    /// the connection's reader: it must not block. Returns true when the request was kept for
    /// somebody to decide (rather than answered at once by a policy): the reader then also
    /// shows it in its turn's stream.
    fn respond(&self, request: ServerRequest, reply: PendingReply) -> bool;

    /// Sees every notification before it is routed (to learn of withdrawn requests, or of the
    /// items a request refers to). Runs on the reader: it must be quick.
    fn observe(&self, _event: &Event) {}

    /// The connection ended: requests still held are answered now, if they can be.
    fn closed(&self, _why: &Closed) {}
}

/// The one answer owed to one server request.
pub(crate) struct PendingReply {
    /// The request's id, raw JSON, echoed in the reply.
    id: Box<str>,
    outbox: Weak<dyn Outbox>,
    answered: AtomicBool,
}

impl PendingReply {
    fn new(id: Box<str>, outbox: Weak<dyn Outbox>) -> Self {
        Self { id, outbox, answered: AtomicBool::new(false) }
    }

    /// Sends the answer: a JSON result, or a JSON-RPC error. True if this call sent it; a
    /// second reply, or one after the connection ended, is dropped.
    pub(crate) fn send(&self, outcome: Result<&str, &RpcError>) -> bool {
        if self.answered.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.outbox.upgrade().is_some_and(|outbox| outbox.send_line(server_response_line(&self.id, outcome)))
    }

    /// The request's id, raw JSON.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// True once a reply was sent (or the request was withdrawn).
    pub(crate) fn is_answered(&self) -> bool {
        self.answered.load(Ordering::Acquire)
    }

    /// The runtime no longer wants an answer: later replies are dropped, and nothing is sent
    /// when this is dropped. True if the request was still unanswered.
    pub(crate) fn withdraw(&self) -> bool {
        !self.answered.swap(true, Ordering::AcqRel)
    }

    /// Sends what [`fail_closed_answer`] says to `request`.
    pub(crate) fn send_fail_closed(&self, request: &ServerRequest) -> bool {
        match &fail_closed_answer(request) {
            Ok(result) => self.send(Ok(result)),
            Err(err) => self.send(Err(err)),
        }
    }

    /// Sends what [`default_answer`] says to `request`.
    pub(crate) fn send_default(&self, request: &ServerRequest) -> bool {
        match &default_answer(request) {
            Ok(result) => self.send(Ok(result)),
            Err(err) => self.send(Err(err)),
        }
    }
}

impl Drop for PendingReply {
    fn drop(&mut self) {
        if !self.answered.load(Ordering::Acquire) {
            let err =
                RpcError { code: -32603, message: "the client dropped this request unanswered".into(), data: None };
            self.send(Err(&err));
        }
    }
}

/// One connection's handling of server requests: the default policy, or the responder if one is
/// installed.
pub(crate) struct Dispatcher {
    outbox: Weak<dyn Outbox>,
    responder: RwLock<Option<Arc<dyn Responder>>>,
    /// Whether a responder is installed: the reader checks this per notification, lock-free.
    observing: AtomicBool,
}

impl Dispatcher {
    pub(crate) fn new(outbox: Weak<dyn Outbox>) -> Self {
        Self { outbox, responder: RwLock::new(None), observing: AtomicBool::new(false) }
    }

    fn responder(&self) -> Option<Arc<dyn Responder>> {
        self.responder.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Installs (or, with None, removes) the responder for requests that arrive from now on.
    /// Requests already handed to a responder stay with it.
    pub(crate) fn set_responder(&self, responder: Option<Arc<dyn Responder>>) {
        let mut slot = self.responder.write().unwrap_or_else(|p| p.into_inner());
        self.observing.store(responder.is_some(), Ordering::Release);
        *slot = responder;
    }

    /// Answers the request with id `id` (raw JSON), or hands it to the responder. True when
    /// the responder kept it for somebody to decide.
    pub(crate) fn dispatch(&self, id: Box<str>, request: ServerRequest) -> bool {
        let reply = PendingReply::new(id, self.outbox.clone());
        match self.responder() {
            Some(responder) => responder.respond(request, reply),
            None => {
                reply.send_default(&request);
                false
            }
        }
    }

    /// Whether a responder is installed (without one, every request gets the default answer).
    pub(crate) fn has_responder(&self) -> bool {
        self.responder.read().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Shows a notification to the responder, if one is installed.
    pub(crate) fn observe(&self, event: &Event) {
        if self.observing.load(Ordering::Acquire) {
            if let Some(responder) = self.responder() {
                responder.observe(event);
            }
        }
    }

    /// Tells the responder the connection ended.
    pub(crate) fn close(&self, why: &Closed) {
        if let Some(responder) = self.responder() {
            responder.closed(why);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Collects the lines written, as the process's stdin would.
    #[derive(Default)]
    struct Lines(Mutex<Vec<String>>);

    impl Outbox for Lines {
        fn send_line(&self, line: Vec<u8>) -> bool {
            self.0.lock().unwrap().push(String::from_utf8(line).unwrap());
            true
        }
    }

    impl Lines {
        fn take(&self) -> Vec<String> {
            std::mem::take(&mut *self.0.lock().unwrap())
        }
    }

    fn request(method: &str, params: Option<&str>) -> ServerRequest {
        ServerRequest { method: method.to_owned(), params: params.map(Into::into) }
    }

    fn dispatcher(lines: &Arc<Lines>) -> Dispatcher {
        let outbox: Arc<dyn Outbox> = lines.clone();
        Dispatcher::new(Arc::downgrade(&outbox))
    }

    #[test]
    fn default_answers_are_exactly_these_lines() {
        let lines = Arc::new(Lines::default());
        let d = dispatcher(&lines);
        let permissions = r#"{"cwd":"/w","permissions":{"fileSystem":{"write":["/w/out"]},"network":null}}"#;
        let cases = [
            ("item/commandExecution/requestApproval", Some(r#"{"command":"ls"}"#), r#"{"decision":"accept"}"#),
            ("item/fileChange/requestApproval", None, r#"{"decision":"accept"}"#),
            (
                "item/permissions/requestApproval",
                Some(permissions),
                r#"{"permissions":{"fileSystem":{"write":["/w/out"]},"network":null},"scope":"turn"}"#,
            ),
            ("item/permissions/requestApproval", None, r#"{"permissions":{},"scope":"turn"}"#),
            ("applyPatchApproval", None, r#"{"decision":"approved"}"#),
            ("execCommandApproval", None, r#"{"decision":"approved"}"#),
            (
                "item/tool/call",
                Some(r#"{"tool":"add"}"#),
                r#"{"contentItems":[{"text":"No Python function is bound to this tool in this client, so it was not run. The program must pass tools=[...] to thread_start, thread_resume or thread_fork for this thread.","type":"inputText"}],"success":false}"#,
            ),
            ("item/tool/requestUserInput", None, r#"{"answers":{}}"#),
            ("mcpServer/elicitation/request", None, r#"{"action":"decline"}"#),
            ("something/new", None, "{}"),
        ];
        for (i, (method, params, result)) in cases.iter().enumerate() {
            d.dispatch(i.to_string().into(), request(method, *params));
            assert_eq!(lines.take(), [format!("{{\"id\":{i},\"result\":{result}}}\n")], "{method}");
        }
        for method in ["account/chatgptAuthTokens/refresh", "attestation/generate"] {
            d.dispatch(r#""r""#.into(), request(method, None));
            let error = format!(
                r#"{{"id":"r","error":{{"code":-32601,"message":"{method} is not supported by this client"}}}}"#
            );
            assert_eq!(lines.take(), [error + "\n"]);
        }
    }

    /// Keeps every request to answer later.
    #[derive(Default)]
    struct Later(Mutex<Vec<(ServerRequest, PendingReply)>>);

    impl Responder for Later {
        fn respond(&self, request: ServerRequest, reply: PendingReply) -> bool {
            self.0.lock().unwrap().push((request, reply));
            true
        }
    }

    #[test]
    fn a_responder_answers_later_from_any_thread_and_only_once() {
        let lines = Arc::new(Lines::default());
        let d = dispatcher(&lines);
        let later = Arc::new(Later::default());
        d.set_responder(Some(later.clone()));
        d.dispatch("1".into(), request("item/tool/call", None));
        d.dispatch("2".into(), request("item/tool/requestUserInput", None));
        d.dispatch("3".into(), request("item/fileChange/requestApproval", None));
        assert!(lines.take().is_empty(), "nothing is answered before the responder replies");

        let mut held = std::mem::take(&mut *later.0.lock().unwrap());
        let (_, third) = held.pop().unwrap();
        let (second, second_reply) = held.pop().unwrap();
        let (_, first) = held.pop().unwrap();
        std::thread::spawn(move || {
            assert!(first.send(Ok(r#"{"success":true,"contentItems":[]}"#)));
            assert!(!first.send(Ok("{}")), "a second reply is a no-op");
        })
        .join()
        .unwrap();
        assert!(second_reply.send_default(&second));
        drop(third);
        assert_eq!(
            lines.take(),
            [
                "{\"id\":1,\"result\":{\"success\":true,\"contentItems\":[]}}\n",
                "{\"id\":2,\"result\":{\"answers\":{}}}\n",
                "{\"id\":3,\"error\":{\"code\":-32603,\"message\":\"the client dropped this request unanswered\"}}\n",
            ]
        );

        // Without the responder, the default policy answers again.
        d.set_responder(None);
        d.dispatch("4".into(), request("mcpServer/elicitation/request", None));
        assert_eq!(lines.take(), ["{\"id\":4,\"result\":{\"action\":\"decline\"}}\n"]);
    }

    #[test]
    fn a_reply_after_the_connection_ended_goes_nowhere() {
        let lines = Arc::new(Lines::default());
        let d = dispatcher(&lines);
        let later = Arc::new(Later::default());
        d.set_responder(Some(later.clone()));
        d.dispatch("1".into(), request("item/tool/call", None));
        let (_, reply) = later.0.lock().unwrap().pop().unwrap();
        drop(d);
        drop(lines);
        assert!(!reply.send(Ok("{}")));
    }
}
