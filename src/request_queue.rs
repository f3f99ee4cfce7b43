//! Server requests kept for somebody else to decide (the Python side). The reader never waits:
//! a [`QueueResponder`] queues each request of a chosen method with the reply owed, and the
//! consumer takes them off the queue and answers whenever it likes, from any thread.
//!
//! The responder also watches the notifications: a request the runtime withdraws
//! (`serverRequest/resolved` before we answered, or its turn ending) is marked cancelled and a
//! late answer is dropped; the latest `fileChange` item of each item id is kept, because a file
//! change approval names its item but carries none of its paths.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

use crate::error::Closed;
use crate::mailbox::{Mailbox, Popped};
use crate::protocol::Event;
use crate::server_requests::{PendingReply, Responder, ServerRequest};
use crate::turn::TURN_COMPLETED;

const RESOLVED: &str = "serverRequest/resolved";
const ITEM_STARTED: &str = "item/started";
const FILE_CHANGE_APPROVAL: &str = "item/fileChange/requestApproval";
/// How many `fileChange` items are remembered (the newest), for approvals yet to come.
const FILE_ITEMS: usize = 256;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One request kept for Python, and the reply owed to it.
pub(crate) struct Held {
    request: ServerRequest,
    /// The id as a JSON value, to compare with the ids `serverRequest/resolved` names.
    id_value: serde_json::Value,
    thread_id: Option<String>,
    turn_id: Option<String>,
    /// For a file change approval: the matching `fileChange` item (raw JSON), if it was seen.
    item: Option<Box<str>>,
    reply: PendingReply,
    cancelled: AtomicBool,
}

impl Held {
    pub(crate) fn request(&self) -> &ServerRequest {
        &self.request
    }

    pub(crate) fn reply(&self) -> &PendingReply {
        &self.reply
    }

    pub(crate) fn thread_id(&self) -> Option<&str> {
        self.thread_id.as_deref()
    }

    pub(crate) fn turn_id(&self) -> Option<&str> {
        self.turn_id.as_deref()
    }

    /// For a file change approval: the matching `fileChange` item (raw JSON), if it was seen.
    pub(crate) fn item(&self) -> Option<&str> {
        self.item.as_deref()
    }

    /// True once the runtime withdrew the request before it was answered.
    pub(crate) fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    fn withdraw(&self) {
        if self.reply.withdraw() {
            self.cancelled.store(true, Ordering::Release);
        }
    }
}

#[derive(Default)]
struct FileItems {
    /// `(item id, turn id, item JSON)`, oldest first.
    items: VecDeque<(String, Option<String>, Box<str>)>,
}

impl FileItems {
    fn put(&mut self, item_id: String, turn_id: Option<String>, item: Box<str>) {
        self.items.retain(|(id, _, _)| *id != item_id);
        self.items.push_back((item_id, turn_id, item));
        while self.items.len() > FILE_ITEMS {
            self.items.pop_front();
        }
    }

    fn get(&self, item_id: &str) -> Option<Box<str>> {
        self.items.iter().rev().find(|(id, _, _)| id == item_id).map(|(_, _, item)| item.clone())
    }

    fn forget_turn(&mut self, turn_id: &str) {
        self.items.retain(|(_, t, _)| t.as_deref() != Some(turn_id));
    }
}

/// Hands the requests of chosen methods to Python through a queue; the others get the default
/// answers at once.
pub(crate) struct QueueResponder {
    methods: RwLock<HashSet<String>>,
    queue: Arc<Mailbox<Arc<Held>>>,
    /// Requests handed out and not yet answered (weak: Python owns them).
    outstanding: Mutex<Vec<Weak<Held>>>,
    file_items: Mutex<FileItems>,
}

impl QueueResponder {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            methods: RwLock::new(HashSet::new()),
            queue: Mailbox::new(None),
            outstanding: Mutex::new(Vec::new()),
            file_items: Mutex::new(FileItems::default()),
        })
    }

    pub(crate) fn set_methods(&self, methods: HashSet<String>) {
        *self.methods.write().unwrap_or_else(|p| p.into_inner()) = methods;
    }

    pub(crate) fn queue(&self) -> &Arc<Mailbox<Arc<Held>>> {
        &self.queue
    }

    fn wants(&self, method: &str) -> bool {
        self.methods.read().unwrap_or_else(|p| p.into_inner()).contains(method)
    }

    /// Applies `f` to every outstanding request still alive, forgetting answered ones.
    fn each_outstanding(&self, mut f: impl FnMut(&Held)) {
        let mut outstanding = lock(&self.outstanding);
        outstanding.retain(|w| match w.upgrade() {
            Some(held) if !held.reply.is_answered() => {
                f(&held);
                !held.reply.is_answered()
            }
            _ => false,
        });
    }
}

#[derive(serde::Deserialize)]
struct Keys {
    #[serde(rename = "threadId")]
    thread_id: Option<String>,
    #[serde(rename = "turnId")]
    turn_id: Option<String>,
    #[serde(rename = "itemId")]
    item_id: Option<String>,
}

impl Responder for QueueResponder {
    fn respond(&self, request: ServerRequest, reply: PendingReply) -> bool {
        if !self.wants(&request.method) {
            reply.send_default(&request);
            return false;
        }
        let keys = request.params.as_deref().and_then(|p| serde_json::from_str::<Keys>(p).ok());
        let (thread_id, turn_id, item_id) = keys.map_or((None, None, None), |k| (k.thread_id, k.turn_id, k.item_id));
        let item = match (&*request.method, &item_id) {
            (FILE_CHANGE_APPROVAL, Some(item_id)) => lock(&self.file_items).get(item_id),
            _ => None,
        };
        let id_value = serde_json::from_str(reply.id()).unwrap_or(serde_json::Value::Null);
        let held =
            Arc::new(Held { request, id_value, thread_id, turn_id, item, reply, cancelled: AtomicBool::new(false) });
        {
            let mut outstanding = lock(&self.outstanding);
            outstanding.retain(|w| w.upgrade().is_some_and(|h| !h.reply.is_answered()));
            outstanding.push(Arc::downgrade(&held));
        }
        self.queue.push(held);
        true
    }

    fn observe(&self, event: &Event) {
        match event.method() {
            RESOLVED => {
                #[derive(serde::Deserialize)]
                struct Resolved {
                    #[serde(rename = "requestId")]
                    request_id: serde_json::Value,
                }
                if let Ok(resolved) = serde_json::from_slice::<Resolved>(event.params_json()) {
                    self.each_outstanding(|held| {
                        if held.id_value == resolved.request_id {
                            held.withdraw();
                        }
                    });
                }
            }
            TURN_COMPLETED => {
                #[derive(serde::Deserialize)]
                struct Completed {
                    turn: TurnId,
                }
                #[derive(serde::Deserialize)]
                struct TurnId {
                    id: String,
                }
                if let Ok(done) = serde_json::from_slice::<Completed>(event.params_json()) {
                    self.each_outstanding(|held| {
                        if held.turn_id.as_deref() == Some(&done.turn.id) {
                            held.withdraw();
                        }
                    });
                    lock(&self.file_items).forget_turn(&done.turn.id);
                }
            }
            ITEM_STARTED if contains(event.params_json(), b"\"fileChange\"") => {
                #[derive(serde::Deserialize)]
                struct Started<'a> {
                    #[serde(rename = "turnId")]
                    turn_id: Option<String>,
                    #[serde(borrow)]
                    item: &'a serde_json::value::RawValue,
                }
                #[derive(serde::Deserialize)]
                struct ItemHead {
                    id: String,
                    #[serde(rename = "type")]
                    kind: String,
                }
                let Ok(started) = serde_json::from_slice::<Started<'_>>(event.params_json()) else { return };
                let Ok(head) = serde_json::from_str::<ItemHead>(started.item.get()) else { return };
                if head.kind == "fileChange" {
                    lock(&self.file_items).put(head.id, started.turn_id, started.item.get().into());
                }
            }
            _ => {}
        }
    }

    fn closed(&self, why: &Closed) {
        self.queue.close(why.clone());
        // Whatever Python never decided is answered now, failing closed.
        self.each_outstanding(|held| {
            held.reply.send_fail_closed(&held.request);
        });
        // Requests still queued (never taken) are held only by the queue: fail them closed too.
        while let Popped::Item(held) = self.queue.pop() {
            held.reply.send_fail_closed(&held.request);
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server_requests::{Dispatcher, Outbox};

    #[derive(Default)]
    struct Lines(Mutex<Vec<String>>);

    impl Outbox for Lines {
        fn send_line(&self, line: Vec<u8>) -> bool {
            lock(&self.0).push(String::from_utf8(line).unwrap());
            true
        }
    }

    impl Lines {
        fn take(&self) -> Vec<String> {
            std::mem::take(&mut *lock(&self.0))
        }
    }

    const COMMAND: &str = "item/commandExecution/requestApproval";

    fn setup() -> (Arc<Lines>, Dispatcher, Arc<QueueResponder>) {
        let lines = Arc::new(Lines::default());
        let outbox: Arc<dyn Outbox> = lines.clone();
        let dispatcher = Dispatcher::new(Arc::downgrade(&outbox));
        let responder = QueueResponder::new();
        responder.set_methods([COMMAND.to_owned(), FILE_CHANGE_APPROVAL.to_owned()].into());
        dispatcher.set_responder(Some(responder.clone()));
        (lines, dispatcher, responder)
    }

    fn request(method: &str, params: &str) -> ServerRequest {
        ServerRequest { method: method.into(), params: Some(params.into()) }
    }

    fn take(responder: &QueueResponder) -> Arc<Held> {
        match responder.queue().pop() {
            Popped::Item(held) => held,
            Popped::Empty => panic!("nothing queued"),
            Popped::Closed(why) => panic!("closed: {why:?}"),
        }
    }

    #[test]
    fn chosen_methods_are_queued_and_the_rest_answered_at_once() {
        let (lines, d, responder) = setup();
        assert!(d.dispatch("1".into(), request(COMMAND, r#"{"threadId":"th","turnId":"tu","command":"ls"}"#)));
        assert!(!d.dispatch("2".into(), request("mcpServer/elicitation/request", "{}")));
        assert_eq!(lines.take(), ["{\"id\":2,\"result\":{\"action\":\"decline\"}}\n"]);
        let held = take(&responder);
        assert_eq!((held.thread_id(), held.turn_id()), (Some("th"), Some("tu")));
        assert!(held.reply().send(Ok(r#"{"decision":"decline"}"#)));
        assert_eq!(lines.take(), ["{\"id\":1,\"result\":{\"decision\":\"decline\"}}\n"]);
    }

    #[test]
    fn a_withdrawn_request_is_cancelled_and_never_answered() {
        let (lines, d, responder) = setup();
        d.dispatch("7".into(), request(COMMAND, r#"{"threadId":"th","turnId":"tu"}"#));
        d.dispatch(r#""s8""#.into(), request(COMMAND, r#"{"threadId":"th","turnId":"tu"}"#));
        d.dispatch("9".into(), request(COMMAND, r#"{"threadId":"th","turnId":"other"}"#));
        let (seven, eight, nine) = (take(&responder), take(&responder), take(&responder));
        d.observe(&Event::new(RESOLVED, br#"{"threadId":"th","requestId":7}"#));
        assert!(seven.cancelled() && !eight.cancelled());
        assert!(!seven.reply().send(Ok("{}")), "a late answer is dropped");
        d.observe(&Event::new(TURN_COMPLETED, br#"{"threadId":"th","turn":{"id":"tu","status":"interrupted"}}"#));
        assert!(eight.cancelled() && !nine.cancelled());
        drop((seven, eight));
        assert!(lines.take().is_empty(), "withdrawn requests get no answer, not even when dropped");
        // An answered request is not "cancelled" by the runtime's resolution notice.
        assert!(nine.reply().send(Ok("{}")));
        d.observe(&Event::new(RESOLVED, br#"{"threadId":"th","requestId":9}"#));
        assert!(!nine.cancelled());
    }

    #[test]
    fn a_file_change_approval_gets_its_item() {
        let (_lines, d, responder) = setup();
        let item = r#"{"type":"fileChange","id":"call_3","changes":[{"path":"/w/a.txt","kind":{"type":"add"},"diff":"hi\n"}],"status":"inProgress"}"#;
        let started = format!(r#"{{"threadId":"th","turnId":"tu","item":{item}}}"#);
        d.observe(&Event::new(ITEM_STARTED, started.as_bytes()));
        d.dispatch("1".into(), request(FILE_CHANGE_APPROVAL, r#"{"threadId":"th","turnId":"tu","itemId":"call_3"}"#));
        d.dispatch("2".into(), request(FILE_CHANGE_APPROVAL, r#"{"threadId":"th","turnId":"tu","itemId":"nope"}"#));
        assert_eq!(take(&responder).item(), Some(item));
        assert_eq!(take(&responder).item(), None);
    }

    #[test]
    fn at_close_undecided_requests_fail_closed() {
        let (lines, d, responder) = setup();
        d.dispatch("1".into(), request(COMMAND, r#"{"threadId":"th","turnId":"tu"}"#));
        d.dispatch("2".into(), request(FILE_CHANGE_APPROVAL, r#"{"threadId":"th","turnId":"tu"}"#));
        let taken = take(&responder);
        d.close(&Closed::new("bye"));
        let mut answers = lines.take();
        answers.sort();
        assert_eq!(
            answers,
            [
                "{\"id\":1,\"result\":{\"decision\":\"decline\"}}\n",
                "{\"id\":2,\"result\":{\"decision\":\"decline\"}}\n"
            ]
        );
        assert!(taken.reply().is_answered());
        assert!(matches!(responder.queue().pop(), Popped::Closed(_)));
    }
}
