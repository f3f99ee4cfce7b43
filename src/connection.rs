//! JSON-RPC over a running app-server: request/response correlation, the reader loop that feeds
//! the router and hands the server's own requests to `server_requests`, and failing every waiter
//! when the runtime goes away. Whether the runtime is a child on pipes or a server behind a
//! socket is the transport's business (`transport`): nothing here depends on it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::error::{Closed, CoreError, CoreResult};
use crate::framing::Line;
use crate::framing::LineReader;
use crate::mailbox::Mailbox;
use crate::protocol::{self, Event, Incoming, LineParser, RequestId, ResponseFault};
use crate::router::{Limits, RouteCache, Router};
use crate::runtime::runtime;
use crate::server_requests::{Dispatcher, Outbox, ServerRequest};
use crate::transport::{self, ConnectSpec, LaunchSpec, LineSource, Process, Transport};
use crate::turn::TurnChannel;

/// A successful response. For `turn/start`, also the new turn's channel, registered by the reader
/// before this response was handed over, so none of the turn's events can be missed.
#[derive(Debug)]
pub(crate) struct Response {
    /// Raw JSON of the result.
    pub(crate) result: Box<str>,
    pub(crate) turn: Option<Arc<TurnChannel>>,
}

/// Requests whose responses the reader must act on before handing them over.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RequestKind {
    Plain,
    TurnStart {
        thread_id: String,
    },
    /// `thread/compact/start`, sent when the thread had gone idle `idle_before` times.
    CompactStart {
        thread_id: String,
        idle_before: u64,
    },
}

const COMPACT_START: &str = "thread/compact/start";

/// How long a turn waits for a compaction this client started to end before it is sent anyway.
const COMPACTION_WAIT: Duration = Duration::from_secs(600);

/// How long an interrupt waits for the runtime to announce the turn (it refuses `turn/interrupt`
/// for a turn it has not started yet).
const INTERRUPT_STARTED_WAIT: Duration = Duration::from_secs(30);

pub(crate) type Reply = oneshot::Receiver<CoreResult<Response>>;

struct Pending {
    tx: oneshot::Sender<CoreResult<Response>>,
    kind: RequestKind,
    method: String,
}

pub(crate) struct Connection {
    transport: Transport,
    router: Arc<Router>,
    pending: Mutex<HashMap<RequestId, Pending>>,
    next_id: AtomicU64,
    closed: Mutex<Option<Closed>>,
    /// Answers the server's requests; writes through a weak reference back to this connection.
    server_requests: Dispatcher,
    /// Set by the first response of any kind: until then the peer has not shown it speaks
    /// JSON-RPC, and a line that is not protocol means it is some other program.
    answered: AtomicBool,
    /// Things worth a log line that happened on the I/O threads (which never take the GIL), for
    /// the Python side to log on its own thread (see [`Connection::take_diagnostics`]).
    diagnostics: Mutex<Diagnostics>,
}

/// Log levels, with Python's `logging` numbers.
pub(crate) const WARNING: u8 = 30;
pub(crate) const INFO: u8 = 20;
pub(crate) const DEBUG: u8 = 10;

/// A bounded backlog of log records: the oldest go first, and how many went is said.
#[derive(Default)]
struct Diagnostics {
    records: std::collections::VecDeque<(u8, String)>,
    dropped: usize,
}

/// Log records kept at most until the Python side collects them.
const DIAGNOSTICS_KEPT: usize = 64;

/// How much of a stray stdout line an error message quotes.
const STRAY_QUOTE_BYTES: usize = 200;

impl Connection {
    /// Spawns the runtime and starts reading its output.
    pub(crate) fn start(spec: &LaunchSpec, limits: Limits) -> std::io::Result<Arc<Self>> {
        let _guard = runtime().enter();
        let process = Process::spawn(spec)?;
        let stdout = process.take_stdout().expect("fresh process has stdout");
        Ok(Self::launch(Transport::Child(process), LineReader::new(stdout), limits))
    }

    /// Connects to an app-server that is already running (see `transport::connect`) and starts
    /// reading from it. Must run on the I/O runtime.
    pub(crate) async fn connect(spec: &ConnectSpec, limits: Limits) -> CoreResult<Arc<Self>> {
        let (socket, frames) = transport::connect(spec).await?;
        Ok(Self::launch(Transport::Socket(socket), frames, limits))
    }

    /// The connection over `transport`, with its reader loop on `source` started.
    fn launch<S: LineSource>(transport: Transport, source: S, limits: Limits) -> Arc<Self> {
        let conn = Arc::new_cyclic(|conn: &Weak<Self>| Self {
            transport,
            router: Router::new(limits),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            closed: Mutex::new(None),
            server_requests: Dispatcher::new(conn.clone()),
            answered: AtomicBool::new(false),
            diagnostics: Mutex::new(Diagnostics::default()),
        });
        runtime().spawn(read_loop(conn.clone(), source));
        conn
    }

    /// Where the server's requests go.
    pub(crate) fn server_requests(&self) -> &Dispatcher {
        &self.server_requests
    }

    pub(crate) fn router(&self) -> &Arc<Router> {
        &self.router
    }

    /// Records something for the log (see the `diagnostics` field).
    pub(crate) fn note(&self, level: u8, message: String) {
        let mut d = lock(&self.diagnostics);
        if d.records.len() == DIAGNOSTICS_KEPT {
            // Debug records (one per default-answered request, say) may go unsaid; others are
            // counted, and the count is logged.
            if d.records.pop_front().is_some_and(|(level, _)| level > DEBUG) {
                d.dropped += 1;
            }
        }
        d.records.push_back((level, message));
    }

    /// The records noted since the last call, oldest first (with a note of any dropped).
    pub(crate) fn take_diagnostics(&self) -> Vec<(u8, String)> {
        let mut d = lock(&self.diagnostics);
        let mut out: Vec<(u8, String)> = d.records.drain(..).collect();
        if d.dropped > 0 {
            out.insert(0, (WARNING, format!("{} earlier log records were dropped (nobody collected them)", d.dropped)));
            d.dropped = 0;
        }
        out
    }

    pub(crate) fn pid(&self) -> Option<u32> {
        self.transport.pid()
    }

    /// Why the connection is closed, if it is.
    pub(crate) fn closed(&self) -> Option<Closed> {
        lock(&self.closed).clone()
    }

    pub(crate) fn stderr_tail(&self, max_lines: usize, max_chars: usize) -> String {
        self.transport.notes().tail(max_lines, max_chars)
    }

    /// Sends a request; the returned receiver resolves with its response. `params_json` must be
    /// a JSON value (callers serialize it). Fails at once when the connection is closed.
    /// (`turn/start` goes through [`Connection::start_turn`].)
    pub(crate) fn request(&self, method: &str, params_json: Option<&str>) -> CoreResult<Reply> {
        let kind = match params_json.filter(|_| method == COMPACT_START).and_then(thread_id_of) {
            Some(thread_id) => {
                let idle_before = self.router.activity().idle_count(&thread_id);
                RequestKind::CompactStart { thread_id, idle_before }
            }
            _ => RequestKind::Plain,
        };
        self.send_request(method, params_json, kind)
    }

    /// Sends `turn/start` for `thread_id` once the thread has no turn running or starting: the
    /// runtime would fold a second turn's input into the running one and never run the second.
    /// After a compaction this client started, it first waits (for [`COMPACTION_WAIT`] at most)
    /// until the runtime reports the thread idle: a turn sent during a compaction never runs.
    /// Cancel-safe until the request is sent.
    pub(crate) async fn start_turn(&self, thread_id: &str, params_json: &str) -> CoreResult<Reply> {
        self.router.activity().compaction_ended(thread_id, COMPACTION_WAIT).await;
        loop {
            let freed = self.router.turn_slot_freed();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if let Some(why) = self.closed() {
                return Err(why.into());
            }
            if self.router.try_begin_turn_start(thread_id) {
                let kind = RequestKind::TurnStart { thread_id: thread_id.to_owned() };
                return self.send_request("turn/start", Some(params_json), kind);
            }
            freed.await;
        }
    }

    /// Sends a request; for `turn/start`, the thread's slot is already claimed.
    fn send_request(&self, method: &str, params_json: Option<&str>, kind: RequestKind) -> CoreResult<Reply> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            // Checked under the pending lock: `fail_all` takes the same lock after setting
            // `closed`, so a request is either failed by it or refused here, never stranded.
            let mut pending = lock(&self.pending);
            if let Some(why) = self.closed() {
                drop(pending);
                self.settle_turn_start(&kind, None);
                return Err(why.into());
            }
            pending.insert(id, Pending { tx, kind, method: method.to_owned() });
        }
        if !self.transport.write(protocol::request_line(id, method, params_json)) {
            let why = self.closed().unwrap_or_else(|| Closed::new(self.transport.refusal()));
            if let Some(p) = lock(&self.pending).remove(&id) {
                self.settle_turn_start(&p.kind, None);
            }
            return Err(why.into());
        }
        Ok(rx)
    }

    /// Stops a turn at the runtime: waits (bounded) for the runtime to announce it, then sends
    /// `turn/interrupt` and waits for the answer. Does nothing for a turn already completed. An
    /// answer that says the turn is not active (it just ended) is not an error.
    pub(crate) async fn interrupt_turn(&self, channel: &TurnChannel) -> CoreResult<()> {
        if channel.completion_routed() {
            return Ok(());
        }
        let _ = tokio::time::timeout(INTERRUPT_STARTED_WAIT, channel.started()).await;
        if channel.completion_routed() {
            return Ok(());
        }
        let Some(thread_id) = channel.thread_id() else {
            return Err(CoreError::Protocol(format!("turn {} has no known thread to interrupt", channel.turn_id())));
        };
        let params = serde_json::json!({"threadId": thread_id, "turnId": channel.turn_id()}).to_string();
        let reply = self.request("turn/interrupt", Some(&params))?;
        match reply.await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(CoreError::Rpc(_))) if channel.completion_routed() => Ok(()),
            Ok(Err(e)) => Err(e),
            Err(_) => {
                Err(self.closed().map_or_else(|| CoreError::Protocol("the interrupt was abandoned".into()), Into::into))
            }
        }
    }

    /// [`Connection::interrupt_turn`] in the background, for a turn nobody waits for any more
    /// (its `turn/start` caller was cancelled or timed out).
    fn interrupt_turn_soon(self: &Arc<Self>, channel: Arc<TurnChannel>) {
        let conn = self.clone();
        runtime().spawn(async move {
            let _ = conn.interrupt_turn(&channel).await;
        });
    }

    /// Sends a notification (no response).
    pub(crate) fn notify(&self, method: &str, params_json: Option<&str>) -> CoreResult<()> {
        if let Some(why) = self.closed() {
            return Err(why.into());
        }
        if self.transport.write(protocol::notification_line(method, params_json)) {
            Ok(())
        } else {
            Err(self.closed().unwrap_or_else(|| Closed::new(self.transport.refusal())).into())
        }
    }

    /// Closes the connection from our side: fails every waiter, then ends the transport: a
    /// child is stopped (stdin EOF, terminate, kill) and reaped; a socket is closed, and the
    /// server behind it keeps running. Idempotent.
    pub(crate) async fn close(&self) {
        let first = self.closed().is_none();
        self.fail_all(Closed::new("the Codex client was closed"));
        // The exit is not waited for: a runtime exits on stdin EOF within milliseconds, and
        // its reaping (or, if it lingers, terminate and kill) goes on in the background; the
        // interpreter's exit hook waits for it (`transport::wait_for_reaps`).
        self.transport.begin_shutdown().await;
        if first {
            self.note(INFO, "the Codex runtime connection was closed".to_owned());
        }
    }

    fn fail_all(&self, why: Closed) {
        {
            let mut closed = lock(&self.closed);
            if closed.is_some() {
                return;
            }
            *closed = Some(why.clone());
        }
        let pending: Vec<Pending> = lock(&self.pending).drain().map(|(_, p)| p).collect();
        for p in pending {
            self.settle_turn_start(&p.kind, None);
            let _ = p.tx.send(Err(why.clone().into()));
        }
        // Before the process's stdin closes: requests still held get their last answers.
        self.server_requests.close(&why);
        self.router.close(why);
    }

    fn settle_turn_start(&self, kind: &RequestKind, turn_id: Option<&str>) -> Option<Arc<TurnChannel>> {
        match kind {
            RequestKind::TurnStart { thread_id } => self.router.turn_start_finished(thread_id, turn_id),
            RequestKind::Plain | RequestKind::CompactStart { .. } => None,
        }
    }

    fn complete(self: &Arc<Self>, id: RequestId, outcome: Result<Box<str>, ResponseFault>) {
        self.answered.store(true, Ordering::Release);
        let Some(p) = lock(&self.pending).remove(&id) else { return };
        let reply = match outcome {
            Ok(result) => {
                let turn_id = match &p.kind {
                    RequestKind::TurnStart { .. } => turn_id_of(&result),
                    _ => None,
                };
                let turn = self.settle_turn_start(&p.kind, turn_id.as_deref());
                if p.tx.is_closed() {
                    // The caller gave up on this turn/start (cancelled, timed out, Ctrl-C): the
                    // runtime runs the turn anyway, so stop it rather than leave the thread busy
                    // with a turn nobody will read.
                    if let Some(channel) = turn.clone() {
                        self.interrupt_turn_soon(channel);
                    }
                }
                if let RequestKind::CompactStart { thread_id, idle_before } = &p.kind {
                    self.router.activity().compaction_started(thread_id, *idle_before);
                }
                Ok(Response { result, turn })
            }
            Err(fault) => {
                self.settle_turn_start(&p.kind, None);
                Err(match fault {
                    ResponseFault::Rpc(e) => CoreError::Rpc(e),
                    ResponseFault::Malformed => {
                        CoreError::Protocol(format!("Malformed JSON-RPC error response to {}", p.method))
                    }
                })
            }
        };
        // The caller may have stopped waiting (timeout, cancellation); then the reply is dropped
        // and, for a turn, its channel with it: later events become orphans.
        let _ = p.tx.send(reply);
    }
}

impl Outbox for Connection {
    fn send_line(&self, line: Vec<u8>) -> bool {
        self.transport.write(line)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn turn_id_of(result: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Started {
        turn: TurnIdOnly,
    }
    #[derive(serde::Deserialize)]
    struct TurnIdOnly {
        id: String,
    }
    serde_json::from_str::<Started>(result).ok().map(|s| s.turn.id)
}

/// The `threadId` of a request's params, if it has one.
pub(crate) fn thread_id_of(params: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct ThreadIdOnly {
        #[serde(rename = "threadId")]
        thread_id: String,
    }
    serde_json::from_str::<ThreadIdOnly>(params).ok().map(|p| p.thread_id)
}

/// Routes every complete line in the reader's buffer, then wakes each consumer that got events:
/// one wake per read from the transport, not one per event. `touched` ends up holding the
/// mailboxes that received events.
fn route_buffered<S: LineSource>(
    conn: &Arc<Connection>,
    lines: &mut S,
    touched: &mut Vec<(Arc<Mailbox<Event>>, bool)>,
    parser: &mut LineParser,
    cache: &mut RouteCache,
) {
    touched.clear();
    while let Some(Line { text: line, shared }) = lines.next_buffered() {
        let parsed = match shared {
            Some(shared) => parser.parse_shared(line, shared),
            None => parser.parse(line),
        };
        match parsed {
            Ok(Incoming::Response { id, outcome }) => conn.complete(id, outcome),
            Ok(Incoming::Notification { event, keys }) => {
                conn.server_requests.observe(&event);
                if let Some(routed) = conn.router.route_quiet(event, &keys, cache) {
                    match touched.iter_mut().find(|(m, _)| Arc::ptr_eq(m, &routed.mailbox)) {
                        Some((_, wake)) => *wake |= routed.wake,
                        None => touched.push((routed.mailbox, routed.wake)),
                    }
                }
            }
            Ok(Incoming::ServerRequest { id, method, params }) => {
                // Kept only for a request a responder may keep: without one, every request gets
                // the default answer and its params need no second copy.
                let shown = if conn.server_requests.has_responder() { params.clone() } else { None };
                let echo = method.clone();
                if conn.server_requests.dispatch(id, ServerRequest { method, params }) {
                    show_in_turn(conn, &echo, shown.as_deref(), touched, cache);
                } else {
                    conn.note(DEBUG, format!("answered the runtime's {echo} request by the default policy"));
                }
            }
            Ok(Incoming::UnknownResponse) => {}
            Err(protocol::LineError(_)) => {
                if !conn.answered.load(Ordering::Acquire) {
                    // Before any answer: the program is not a Codex runtime (one never writes
                    // anything but JSON-RPC to stdout). Say what it printed, at once, instead
                    // of waiting out the handshake's timeout.
                    let quoted = quote_stray(line);
                    conn.fail_all(Closed::new(format!(
                        "printed a line that is not JSON-RPC instead of answering: {quoted}"
                    )));
                } else {
                    // After it: a stray print or a partial write that no waiter can be blamed
                    // for; skipped, rather than tearing down every turn in flight, and logged.
                    conn.note(
                        WARNING,
                        format!(
                            "skipped a stdout line that is not JSON-RPC ({} bytes): {}",
                            line.len(),
                            quote_stray(line)
                        ),
                    );
                }
            }
        }
    }
    for (mailbox, wake) in touched.iter() {
        if *wake {
            mailbox.wake();
        }
    }
}

/// The start of a stray stdout line, quoted for an error message.
fn quote_stray(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(&line[..line.len().min(STRAY_QUOTE_BYTES)]);
    let more = if line.len() > STRAY_QUOTE_BYTES { "…" } else { "" };
    format!("{:?}{more}", text.trim_end())
}

/// Puts a server request that somebody is deciding into its turn's stream as a notification
/// (same method and params), so a program that only watches the stream sees what is asked.
fn show_in_turn(
    conn: &Arc<Connection>,
    method: &str,
    params: Option<&str>,
    touched: &mut Vec<(Arc<Mailbox<Event>>, bool)>,
    cache: &mut RouteCache,
) {
    #[derive(serde::Deserialize)]
    struct Ids<'a> {
        #[serde(rename = "threadId", borrow)]
        thread_id: Option<std::borrow::Cow<'a, str>>,
        #[serde(rename = "turnId", borrow)]
        turn_id: Option<std::borrow::Cow<'a, str>>,
    }
    let Some(params) = params else { return };
    let Ok(ids) = serde_json::from_str::<Ids<'_>>(params) else { return };
    if ids.turn_id.is_none() {
        return;
    }
    let keys = protocol::RouteKeys { thread_id: ids.thread_id, turn_id: ids.turn_id, login_id: None };
    if let Some(routed) = conn.router.route_quiet(Event::new(method, params.as_bytes()), &keys, cache) {
        match touched.iter_mut().find(|(m, _)| Arc::ptr_eq(m, &routed.mailbox)) {
            Some((_, wake)) => *wake |= routed.wake,
            None => touched.push((routed.mailbox, routed.wake)),
        }
    }
}

/// How long a reader that stopped taking events still holds back the pipe (see
/// `Mailbox::wait_for_space`).
const BACKPRESSURE_IDLE: Duration = Duration::from_millis(20);

/// Before reading more, lets consumers that are busy working through a backlog catch up, so a
/// runtime that streams faster than Python reads fills the pipe (and waits) instead of our
/// memory.
async fn hold_for_busy_readers(touched: &[(Arc<Mailbox<Event>>, bool)]) {
    for (mailbox, _) in touched {
        if !mailbox.is_bounded() {
            mailbox.wait_for_space(BACKPRESSURE_IDLE).await;
        }
    }
}

async fn read_loop<S: LineSource>(conn: Arc<Connection>, mut source: S) {
    let mut touched = Vec::new();
    let mut parser = LineParser::default();
    let mut cache = RouteCache::default();
    let ended = loop {
        route_buffered(&conn, &mut source, &mut touched, &mut parser, &mut cache);
        hold_for_busy_readers(&touched).await;
        match source.fill().await {
            Ok(true) => {}
            Ok(false) => {
                // End of stream: a final line without a newline is still delivered.
                route_buffered(&conn, &mut source, &mut touched, &mut parser, &mut cache);
                break source.ended();
            }
            Err(e) => break e,
        }
    };
    // The source is the transport's read half: a socket's shutdown waits for it to be let go.
    drop(source);
    if conn.closed().is_some() {
        return;
    }
    let message = conn.transport.lost(&ended).await;
    conn.note(WARNING, message.clone());
    conn.fail_all(Closed::new(message));
    // Whatever state it is in, make sure a child is gone and reaped, a socket closed.
    conn.transport.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::RpcError;
    use crate::turn::tests::take_all;
    use crate::turn::TurnEvent;

    /// A stand-in server: answers requests in the reverse order they came, and emits a whole turn
    /// (completion included) before answering `turn/start`.
    const SERVER: &str = r#"
import json, sys
reqs = [json.loads(sys.stdin.readline()) for _ in range(2)]
for r in reversed(reqs):
    print(json.dumps({"id": r["id"], "result": {"echo": r["method"]}}), flush=True)
bad = json.loads(sys.stdin.readline())
print(json.dumps({"id": bad["id"], "error": {"code": -32602, "message": "bad params"}}), flush=True)
ts = json.loads(sys.stdin.readline())
tid = ts["params"]["threadId"]
for m in ["turn/started", "item/agentMessage/delta", "turn/completed"]:
    params = {"threadId": tid, "turnId": "T1"} if m != "turn/started" and m != "turn/completed" else {"threadId": tid, "turn": {"id": "T1"}}
    print(json.dumps({"method": m, "params": params}), flush=True)
print(json.dumps({"id": ts["id"], "result": {"turn": {"id": "T1", "status": "inProgress"}}}), flush=True)
sys.stdin.readline()
sys.stderr.write("fatal: going away\n")
sys.exit(7)
"#;

    fn python() -> LaunchSpec {
        LaunchSpec { program: "python3".into(), args: vec!["-c".into(), SERVER.into()], ..Default::default() }
    }

    fn wait(rx: Reply) -> CoreResult<Response> {
        runtime().block_on(async { tokio::time::timeout(Duration::from_secs(20), rx).await.unwrap().unwrap() })
    }

    #[test]
    fn responses_are_correlated_by_id_and_turns_lose_nothing() {
        let conn = Connection::start(&python(), Limits::default()).unwrap();
        let a = conn.request("first", Some("{}")).unwrap();
        let b = conn.request("second", None).unwrap();
        assert_eq!(&*wait(a).unwrap().result, r#"{"echo": "first"}"#);
        assert_eq!(&*wait(b).unwrap().result, r#"{"echo": "second"}"#);

        let err = wait(conn.request("bad", None).unwrap()).unwrap_err();
        assert!(matches!(err, CoreError::Rpc(RpcError { code: -32602, .. })), "{err:?}");

        let reply = runtime().block_on(conn.start_turn("th", r#"{"threadId":"th"}"#)).unwrap();
        let started = wait(reply).unwrap();
        let turn = started.turn.expect("turn channel registered with the response");
        let (methods, _) = take_all(&turn);
        assert_eq!(methods, vec!["turn/started", "item/agentMessage/delta", "turn/completed"]);

        // The server exits on the next request; everything waiting fails with the stderr tail.
        let last = conn.request("bye", None).unwrap();
        let CoreError::Closed(why) = wait(last).unwrap_err() else { panic!() };
        assert!(why.message().contains("exited with code 7"), "{}", why.message());
        assert!(why.message().contains("fatal: going away"), "{}", why.message());
        assert!(matches!(conn.request("after", None), Err(CoreError::Closed(_))));
        assert!(matches!(turn.take_one(), TurnEvent::Finished));
    }

    /// A stand-in server that compacts for a while after `thread/compact/start`, and refuses a
    /// `turn/start` sent before it reported the thread idle again.
    const COMPACTING_SERVER: &str = r#"
import json, select, sys
def send(m):
    print(json.dumps(m), flush=True)
compact = json.loads(sys.stdin.readline())
send({"id": compact["id"], "result": {}})
send({"method": "thread/status/changed", "params": {"threadId": "th", "status": {"type": "active"}}})
early, _, _ = select.select([sys.stdin], [], [], 0.3)
send({"method": "thread/status/changed", "params": {"threadId": "th", "status": {"type": "idle"}}})
ts = json.loads(sys.stdin.readline())
if early:
    send({"id": ts["id"], "error": {"code": -1, "message": "turn/start during the compaction"}})
else:
    send({"id": ts["id"], "result": {"turn": {"id": "T1", "status": "inProgress"}}})
sys.stdin.readline()
"#;

    #[test]
    fn a_turn_after_a_compaction_is_sent_once_the_thread_is_idle_again() {
        let spec = LaunchSpec {
            program: "python3".into(),
            args: vec!["-c".into(), COMPACTING_SERVER.into()],
            ..Default::default()
        };
        let conn = Connection::start(&spec, Limits::default()).unwrap();
        wait(conn.request(COMPACT_START, Some(r#"{"threadId":"th"}"#)).unwrap()).unwrap();
        let reply = runtime().block_on(conn.start_turn("th", r#"{"threadId":"th"}"#)).unwrap();
        let started = wait(reply).expect("turn/start waited for the compaction to end");
        assert!(started.turn.is_some());
        runtime().block_on(conn.close());
    }

    #[test]
    fn close_fails_pending_requests_and_reaps() {
        let conn = Connection::start(&python(), Limits::default()).unwrap();
        let a = conn.request("first", None).unwrap();
        runtime().block_on(conn.close());
        assert!(matches!(wait(a), Err(CoreError::Closed(_))));
        runtime().block_on(conn.close());
        // close() does not wait for the exit; the child is reaped in the background, soon.
        let Transport::Child(process) = &conn.transport else { panic!("a spawned runtime is a child") };
        let exit = runtime().block_on(async {
            tokio::time::timeout(Duration::from_secs(10), process.shutdown()).await.expect("reaped in time")
        });
        assert!(exit.is_some());
    }

    #[test]
    fn a_server_that_drops_the_socket_fails_every_waiter_at_once() {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;

        let (conn, server) = runtime().block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("ws://{}", listener.local_addr().unwrap());
            let server = tokio::spawn(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
                let mut ids = Vec::new();
                while ids.len() < 3 {
                    let Some(Ok(Message::Text(text))) = ws.next().await else { panic!("no request") };
                    ids.push(serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].clone());
                }
                // Answers the first request only, then dies without a close frame.
                ws.send(Message::text(format!("{{\"id\":{},\"result\":{{\"ok\":true}}}}", ids[0]))).await.unwrap();
                ws.flush().await.unwrap();
                tokio::time::sleep(Duration::from_millis(50)).await;
            });
            let spec = ConnectSpec {
                url,
                token: None,
                timeout: Duration::from_secs(5),
                ca_file: None,
                keepalive: transport::Keepalive::default(),
            };
            (Connection::connect(&spec, Limits::default()).await.unwrap(), server)
        });
        let first = conn.request("first", None).unwrap();
        let second = conn.request("second", None).unwrap();
        let third = conn.request("third", None).unwrap();
        assert_eq!(&*wait(first).unwrap().result, r#"{"ok":true}"#);
        let started = std::time::Instant::now();
        for reply in [second, third] {
            let CoreError::Closed(why) = wait(reply).unwrap_err() else { panic!("not a closed connection") };
            assert!(why.message().contains("dropped"), "{}", why.message());
            assert!(why.message().contains("thread_resume"), "{}", why.message());
        }
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(matches!(conn.request("after", None), Err(CoreError::Closed(_))));
        assert_eq!(conn.pid(), None);
        runtime().block_on(async { server.await.unwrap() });
        runtime().block_on(conn.close());
    }
}
