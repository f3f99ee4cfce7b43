//! An app-server that is already running (`codex app-server --listen ws://IP:PORT` or
//! `--listen unix://PATH`), reached over WebSocket (RFC 6455, by tokio-tungstenite): on TCP for
//! `ws://`, on TLS for `wss://` (rustls, certificates checked against the system's roots or the
//! given CA file), or on a Unix socket for `unix:///path`, where the runtime speaks WebSocket
//! as well. Each JSON-RPC message travels as one text frame, in both directions.
//!
//! One task writes (it also pings a quiet server and notices one that stopped answering); the
//! connection's reader loop reads, through [`FrameSource`]. tungstenite answers the server's
//! pings and close frames itself. Closing from this side sends a close frame and lets go of the
//! socket: the server keeps running.

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;
use std::time::{Duration, Instant};

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::header::{HeaderValue, AUTHORIZATION};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Bytes, Message, Utf8Bytes};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::StderrTail;
use crate::error::CoreError;
use crate::framing::{content_end, Line, LARGE_LINE};

/// The largest message (and frame) accepted from the server. tungstenite's defaults (64 MiB a
/// message, 16 MiB a frame) are below what the runtime can send in one line over stdio, where
/// there is no limit at all (a large diff, a base64 image); this keeps a bound only against a
/// corrupt length header.
const MAX_MESSAGE: usize = 1 << 30;
/// The most one read of the socket takes. tungstenite zeroes this much of its buffer before
/// every read, including the one that finds nothing and ends a batch, so it is a quarter of the
/// pipe reader's 256 KiB: under callgrind, 64 KiB cut about 110 instructions per streamed event
/// against 256 KiB (`benchmarks/run.py --callgrind stream_sockets`), and a burst costs a few
/// more reads instead (a loopback TCP segment is at most 64 KiB anyway).
const READ_BUFFER: usize = 64 * 1024;
/// The most messages one `fill` takes without waiting (about what one 256 KiB pipe read holds
/// of a delta stream), so the reader loop still wakes
/// consumers (and applies backpressure) regularly under a flood.
const MAX_BATCH: usize = 2048;
/// Time the close handshake and each half of the socket get when closing from this side.
const CLOSE_GRACE: Duration = Duration::from_millis(500);
/// Connection attempts refused while the server starts are retried, at most this far apart.
const RETRY_PAUSE_MAX: Duration = Duration::from_millis(200);

/// What to connect to, and how. `Debug` never shows the token.
#[derive(Clone)]
pub(crate) struct ConnectSpec {
    /// `ws://host:port[/path]`, `wss://host:port[/path]` or `unix:///absolute/path`.
    pub(crate) url: String,
    /// Sent as `Authorization: Bearer <token>` with the upgrade request.
    pub(crate) token: Option<String>,
    /// Bound on everything before the connection is usable: the connection itself (retried
    /// while refused: the server may still be starting), TLS, and the WebSocket upgrade.
    pub(crate) timeout: Duration,
    /// A PEM file with the certificates to trust for `wss://`, instead of the system's roots.
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) keepalive: Keepalive,
}

impl fmt::Debug for ConnectSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectSpec")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .field("timeout", &self.timeout)
            .field("ca_file", &self.ca_file)
            .field("keepalive", &self.keepalive)
            .finish()
    }
}

/// When a quiet server is pinged, and when one that stays silent is given up on. A healthy
/// server answers pings even in the middle of a long model call, so silence past `dead_after`
/// means the network or the server is gone (a dropped link sends no FIN: without this, a turn
/// would wait forever).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Keepalive {
    pub(crate) ping_after: Duration,
    pub(crate) dead_after: Duration,
}

impl Default for Keepalive {
    fn default() -> Self {
        Self { ping_after: Duration::from_secs(10), dead_after: Duration::from_secs(30) }
    }
}

/// A byte stream a WebSocket can run on: TCP or a Unix socket.
trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

type Ws = WebSocketStream<MaybeTlsStream<Box<dyn Io>>>;

/// Where the server listens.
enum Endpoint {
    Tcp { host: String, port: u16, tls: bool },
    Unix(PathBuf),
}

/// When anything was last received from the server, for the keepalive.
struct Heard {
    epoch: Instant,
    last_ms: AtomicU64,
}

impl Heard {
    fn new() -> Self {
        Self { epoch: Instant::now(), last_ms: AtomicU64::new(0) }
    }

    fn now(&self) {
        self.last_ms.store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn silent_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }
}

/// Sets its flag when dropped: a task or a reader that is done, however it ended.
struct Done(watch::Sender<bool>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.send_replace(true);
    }
}

/// The write side of a connected socket, and the handles to end it.
pub(crate) struct Socket {
    endpoint: Arc<str>,
    outgoing: Mutex<Option<mpsc::UnboundedSender<Vec<u8>>>>,
    notes: Arc<StderrTail>,
    writer_done: watch::Receiver<bool>,
    reader_done: watch::Receiver<bool>,
    /// Tells the reader to stop waiting, and why (closed here, or the server went silent).
    stop: Arc<watch::Sender<Option<Arc<str>>>>,
}

impl Socket {
    /// Queues one message (a line; its newline is not sent). False once the socket is closing
    /// or its writer has ended.
    pub(crate) fn write(&self, line: Vec<u8>) -> bool {
        let outgoing = self.outgoing.lock().unwrap_or_else(|p| p.into_inner());
        outgoing.as_ref().is_some_and(|tx| tx.send(line).is_ok())
    }

    pub(crate) fn notes(&self) -> &Arc<StderrTail> {
        &self.notes
    }

    /// Closes from this side: what is queued is sent, then a close frame; the reader gets the
    /// server's close (or is stopped after a grace period). Idempotent; the server keeps running.
    pub(crate) async fn shutdown(&self) {
        self.outgoing.lock().unwrap_or_else(|p| p.into_inner()).take();
        let mut writer = self.writer_done.clone();
        let _ = tokio::time::timeout(CLOSE_GRACE, writer.wait_for(|done| *done)).await;
        let mut reader = self.reader_done.clone();
        if tokio::time::timeout(CLOSE_GRACE, reader.wait_for(|done| *done)).await.is_err() {
            self.stop.send_replace(Some("was closed by this client".into()));
            let _ = tokio::time::timeout(CLOSE_GRACE, reader.wait_for(|done| *done)).await;
        }
    }

    /// The report for every waiter when the connection ended by itself.
    pub(crate) fn lost(&self, ended: &str) -> String {
        format!(
            "The connection to the Codex app-server at {} {ended}. Nothing reconnects by itself: \
             connect a new client and continue the thread with thread_resume().",
            self.endpoint
        )
    }
}

/// The read side of a connected socket: the server's messages, batched per wake-up.
pub(crate) struct FrameSource {
    stream: SplitStream<Ws>,
    received: Received,
    /// The message handed out last (borrowed by the reader until the next call).
    current: Bytes,
    stop: watch::Receiver<Option<Arc<str>>>,
    heard: Arc<Heard>,
    _done: Done,
}

/// What the stream gave and the reader has not taken yet.
///
/// A message up to `COPY_BELOW` is copied into `copied` and its frame let go of at once. That
/// is what keeps reads large: tungstenite cuts each frame out of its read buffer, and while any
/// frame of that buffer is alive it can neither reuse the buffer nor, on a connection made by a
/// handshake, grow it beyond the next frame, so every read after that takes a few hundred bytes
/// (seen with strace: 17,580 reads of about 1.5 KB for a 200,000-delta turn). With the buffer
/// unique again, tungstenite reclaims it and reads up to `READ_BUFFER` at a time. A larger
/// message keeps its own bytes (no copy of megabytes); the next read or two are small.
#[derive(Default)]
struct Received {
    /// Messages received and not yet handed out, in order.
    ready: VecDeque<Held>,
    /// The copied messages, back to back (`Held::Copied` holds where each one ends), and where
    /// the next one to hand out starts.
    copied: Vec<u8>,
    copied_start: usize,
    /// The server's close frame, once it came.
    close_frame: Option<String>,
    /// Set once the stream ended: how (completes "The connection to … ").
    end: Option<String>,
}

/// A message of `Received::ready`.
enum Held {
    /// In `Received::copied`, ending there.
    Copied(usize),
    /// Its frame's own bytes.
    Whole(Bytes),
}

/// Messages up to this size are copied out of tungstenite's read buffer (see [`Received`]).
const COPY_BELOW: usize = READ_BUFFER;
/// After a batch of large messages, a copy buffer above this size is given back.
const SHRINK_ABOVE: usize = 4 * 1024 * 1024;

impl Received {
    fn hold(&mut self, message: Bytes) {
        if message.len() < COPY_BELOW {
            self.copied.extend_from_slice(&message);
            self.ready.push_back(Held::Copied(self.copied.len()));
        } else {
            self.ready.push_back(Held::Whole(message));
        }
    }

    /// Called when everything was handed out: the copy buffer starts over.
    fn reset(&mut self) {
        debug_assert!(self.ready.is_empty());
        self.copied.clear();
        self.copied_start = 0;
        if self.copied.capacity() > SHRINK_ABOVE {
            self.copied = Vec::new();
        }
    }

    fn take(&mut self, item: Option<Result<Message, tungstenite::Error>>) {
        match item {
            Some(Ok(Message::Text(text))) => self.hold(Bytes::from(text)),
            Some(Ok(Message::Binary(bytes))) => self.hold(bytes),
            Some(Ok(Message::Close(frame))) => self.close_frame = Some(describe_close(frame.as_ref())),
            // tungstenite has queued the answer to a ping already; pongs only prove the server
            // is there (`heard`).
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            None => {
                self.end = Some(match self.close_frame.take() {
                    Some(frame) => format!("was closed by the server ({frame})"),
                    None => "was closed by the server".to_owned(),
                })
            }
            Some(Err(tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake))) => {
                self.end = Some("dropped: the server went away without closing it (no close frame)".to_owned())
            }
            Some(Err(tungstenite::Error::Io(e))) => self.end = Some(format!("failed: {e}")),
            Some(Err(e)) => self.end = Some(format!("failed: {e}")),
        }
    }
}

impl super::LineSource for FrameSource {
    fn next_buffered(&mut self) -> Option<Line<'_>> {
        // Without trailing whitespace; an empty message is skipped.
        loop {
            match self.received.ready.pop_front()? {
                Held::Copied(end) => {
                    let start = std::mem::replace(&mut self.received.copied_start, end);
                    let len = content_end(&self.received.copied[start..end]);
                    if len > 0 {
                        return Some(Line { text: &self.received.copied[start..start + len], shared: None });
                    }
                }
                Held::Whole(bytes) => {
                    let len = content_end(&bytes);
                    if len > 0 {
                        self.current = bytes.slice(..len);
                        let shared = (len > LARGE_LINE).then_some(&self.current);
                        return Some(Line { text: &self.current, shared });
                    }
                }
            }
        }
    }

    async fn fill(&mut self) -> Result<bool, String> {
        if self.received.end.is_some() {
            return Ok(false);
        }
        if self.received.ready.is_empty() {
            self.received.reset();
        }
        let (stream, received) = (&mut self.stream, &mut self.received);
        // Everything that already arrived, without waiting once something has: one wake of the
        // consumers for the lot, as one read of a pipe does. Every poll uses this task's own
        // waker, so a frame costs no waker swap.
        let batch = std::future::poll_fn(|cx| {
            let mut took = false;
            while received.end.is_none() && received.ready.len() < MAX_BATCH {
                match stream.poll_next_unpin(cx) {
                    Poll::Ready(item) => {
                        received.take(item);
                        took = true;
                    }
                    Poll::Pending => break,
                }
            }
            if took {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        let stopped = tokio::select! {
            biased;
            () = batch => None,
            why = self.stop.wait_for(Option::is_some) => Some(why.ok().and_then(|why| why.clone())),
        };
        if let Some(why) = stopped {
            self.received.end = Some(why.map_or_else(|| "was closed by this client".to_owned(), |w| w.to_string()));
            return Ok(false);
        }
        self.heard.now();
        Ok(true)
    }

    fn ended(&self) -> String {
        self.received.end.clone().unwrap_or_else(|| "ended".to_owned())
    }
}

/// Connects to the running app-server `spec` names and completes the WebSocket upgrade. Every
/// error message leaves the token out (`spec.token` is replaced wherever it would appear).
pub(crate) async fn connect(spec: &ConnectSpec) -> Result<(Socket, FrameSource), CoreError> {
    let token = spec.token.as_deref().filter(|t| !t.is_empty());
    open(spec).await.map_err(|e| match (e, token) {
        (CoreError::Connect(m), Some(t)) => CoreError::Connect(m.replace(t, "<token>")),
        (CoreError::Auth(m), Some(t)) => CoreError::Auth(m.replace(t, "<token>")),
        (CoreError::Timeout(m), Some(t)) => CoreError::Timeout(m.replace(t, "<token>")),
        (e, _) => e,
    })
}

async fn open(spec: &ConnectSpec) -> Result<(Socket, FrameSource), CoreError> {
    let url = spec.url.as_str();
    let (endpoint, mut request) = endpoint(url)?;
    if let Some(token) = spec.token.as_deref() {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            CoreError::Connect("the auth token holds characters an HTTP header cannot carry".to_owned())
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
    }
    let connector = match &endpoint {
        Endpoint::Tcp { tls: true, .. } => {
            Connector::Rustls(tls_config(spec.ca_file.as_deref()).map_err(CoreError::Connect)?)
        }
        _ => Connector::Plain,
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
        .read_buffer_size(READ_BUFFER);
    let deadline = tokio::time::Instant::now() + spec.timeout;
    let mut stage = "nothing accepted the connection";
    let attempt = tokio::time::timeout_at(deadline, async {
        let io = reach(&endpoint, url, deadline).await?;
        stage = if matches!(endpoint, Endpoint::Tcp { tls: true, .. }) {
            "the TLS handshake or the WebSocket upgrade did not finish"
        } else {
            "the server did not answer the WebSocket upgrade"
        };
        tokio_tungstenite::client_async_tls_with_config(request, io, Some(config), Some(connector))
            .await
            .map_err(|e| handshake_error(e, url, spec.token.is_some()))
    })
    .await;
    let (ws, _response) = match attempt {
        Ok(done) => done?,
        Err(_) => {
            return Err(CoreError::Timeout(format!(
                "no connection to the Codex app-server at {url} within {:.1} s: {stage}",
                spec.timeout.as_secs_f64()
            )))
        }
    };
    Ok(start(ws, url, spec.keepalive))
}

/// The endpoint of `url`, and the upgrade request to send there.
fn endpoint(url: &str) -> Result<(Endpoint, Request), CoreError> {
    let bad = |why: &str| CoreError::Connect(format!("cannot connect to {url:?}: {why}"));
    if let Some(path) = url.strip_prefix("unix://") {
        let path = PathBuf::from(path);
        if !path.is_absolute() {
            return Err(bad("a unix:// address needs an absolute path (unix:///path/to/socket)"));
        }
        // The runtime serves WebSocket on its Unix socket too; the host only fills the header.
        let request = "ws://localhost/".into_client_request().map_err(|e| bad(&e.to_string()))?;
        return Ok((Endpoint::Unix(path), request));
    }
    let tls = match url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase()) {
        Some(s) if s == "ws" => false,
        Some(s) if s == "wss" => true,
        _ => return Err(bad("the address must start with ws://, wss:// or unix://")),
    };
    let request = url.into_client_request().map_err(|e| bad(&e.to_string()))?;
    let uri = request.uri();
    let host = uri.host().ok_or_else(|| bad("the address has no host"))?;
    // An IPv6 literal comes bracketed in a URL, and bare to the resolver.
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host).to_owned();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    Ok((Endpoint::Tcp { host, port, tls }, request))
}

/// Opens the byte stream to `endpoint`, retrying a refused connection (or a socket file not
/// there yet) until `deadline`: a server that is still starting is not an error yet.
async fn reach(endpoint: &Endpoint, url: &str, deadline: tokio::time::Instant) -> Result<Box<dyn Io>, CoreError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        let attempt = match endpoint {
            Endpoint::Tcp { host, port, .. } => TcpStream::connect((host.as_str(), *port)).await.map(|tcp| {
                // Requests are small and latency-bound; nothing is gained by coalescing them.
                let _ = tcp.set_nodelay(true);
                Box::new(tcp) as Box<dyn Io>
            }),
            Endpoint::Unix(path) => UnixStream::connect(path).await.map(|unix| Box::new(unix) as Box<dyn Io>),
        };
        let error = match attempt {
            Ok(io) => return Ok(io),
            Err(e) => e,
        };
        let not_yet = matches!(error.kind(), std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound);
        if not_yet && tokio::time::Instant::now() + pause < deadline {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(RETRY_PAUSE_MAX);
            continue;
        }
        let retried = started.elapsed().as_secs_f64();
        let what = match (endpoint, error.kind()) {
            (Endpoint::Unix(path), std::io::ErrorKind::NotFound) => format!("there is no socket at {}", path.display()),
            (_, std::io::ErrorKind::ConnectionRefused) => "connection refused: nothing is listening there".to_owned(),
            _ => error.to_string(),
        };
        let tried = if not_yet { format!(" (retried for {retried:.1} s)") } else { String::new() };
        return Err(CoreError::Connect(format!("could not connect to the Codex app-server at {url}: {what}{tried}")));
    }
}

/// A failed upgrade, said plainly; a 401 or 403 is an authentication failure.
fn handshake_error(error: tungstenite::Error, url: &str, token_given: bool) -> CoreError {
    match error {
        tungstenite::Error::Http(response) => {
            let status = response.status();
            let body = response.body().as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            let body: String = body.trim().chars().take(200).collect();
            let said = if body.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status}: {body}") };
            if status.as_u16() == 401 || status.as_u16() == 403 {
                let why = if token_given {
                    "the server refused the bearer token"
                } else {
                    "the server wants a bearer token: set CodexConfig.auth_token or auth_token_file"
                };
                CoreError::Auth(format!("authentication failed at the Codex app-server at {url}: {why} ({said})"))
            } else {
                CoreError::Connect(format!("the Codex app-server at {url} refused the WebSocket upgrade ({said})"))
            }
        }
        tungstenite::Error::Io(e) => {
            CoreError::Connect(format!("the connection to {url} failed during the handshake: {e}"))
        }
        e => CoreError::Connect(format!("the WebSocket handshake with {url} failed: {e}")),
    }
}

/// The writer task and the two halves, once the upgrade is done.
fn start(ws: Ws, url: &str, keepalive: Keepalive) -> (Socket, FrameSource) {
    let (sink, stream) = ws.split();
    let (tx, rx) = mpsc::unbounded_channel();
    let (writer_done_tx, writer_done) = watch::channel(false);
    let (reader_done_tx, reader_done) = watch::channel(false);
    let (stop_tx, stop_rx) = watch::channel(None);
    let stop = Arc::new(stop_tx);
    let heard = Arc::new(Heard::new());
    heard.now();
    tokio::spawn(write_frames(sink, rx, keepalive, heard.clone(), stop.clone(), Done(writer_done_tx)));
    let socket = Socket {
        endpoint: url.into(),
        outgoing: Mutex::new(Some(tx)),
        notes: Arc::new(StderrTail::default()),
        writer_done,
        reader_done,
        stop,
    };
    let source = FrameSource {
        stream,
        received: Received::default(),
        current: Bytes::new(),
        stop: stop_rx,
        heard,
        _done: Done(reader_done_tx),
    };
    (socket, source)
}

/// Sends each queued message as a text frame (flushing once per batch), pings a quiet server
/// and stops the reader when the server stays silent. When every sender is gone (closing), it
/// sends a normal close frame and ends.
async fn write_frames(
    mut sink: SplitSink<Ws, Message>,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
    keepalive: Keepalive,
    heard: Arc<Heard>,
    stop: Arc<watch::Sender<Option<Arc<str>>>>,
    _done: Done,
) {
    let mut batch = Vec::with_capacity(64);
    let period = keepalive.ping_after / 2;
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            // recv_many returns 0 only when every sender is gone and the queue is empty.
            n = rx.recv_many(&mut batch, 64) => {
                if n == 0 {
                    break;
                }
                for line in batch.drain(..) {
                    if sink.feed(text_frame(line)).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
            _ = ticks.tick() => {
                let silent = heard.silent_for();
                if silent >= keepalive.dead_after {
                    stop.send_replace(Some(
                        format!("went silent: nothing came back, not even to pings, for {} s", silent.as_secs()).into(),
                    ));
                    return;
                }
                if silent >= keepalive.ping_after && sink.send(Message::Ping(Bytes::from_static(b"openai-codex"))).await.is_err() {
                    return;
                }
            }
        }
    }
    let close = CloseFrame { code: CloseCode::Normal, reason: Utf8Bytes::from_static("client closed") };
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(Message::Close(Some(close)))).await;
}

/// One message as a text frame: the line without its newline.
fn text_frame(mut line: Vec<u8>) -> Message {
    while line.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        line.pop();
    }
    // The writer makes its lines from Rust strings: valid UTF-8, always.
    let text = String::from_utf8(line).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Message::Text(text.into())
}

fn describe_close(frame: Option<&CloseFrame>) -> String {
    match frame {
        Some(frame) if frame.reason.is_empty() => format!("close code {}", u16::from(frame.code)),
        Some(frame) => format!("close code {}: {}", u16::from(frame.code), frame.reason.as_str()),
        None => "no close code".to_owned(),
    }
}

/// The TLS settings for `wss://`: the certificates of `ca_file` if given, else the system's
/// roots (read once per process).
fn tls_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    static SYSTEM: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    let Some(path) = ca_file else {
        return SYSTEM
            .get_or_init(|| {
                let found = rustls_native_certs::load_native_certs();
                let mut roots = RootCertStore::empty();
                roots.add_parsable_certificates(found.certs);
                if roots.is_empty() {
                    let why = found.errors.first().map(|e| format!(" ({e})")).unwrap_or_default();
                    return Err(format!("no trusted root certificates were found on this system{why}; pass ca_file"));
                }
                client_config(roots)
            })
            .clone();
    };
    let unreadable = |e: &dyn fmt::Display| format!("the CA file {} could not be read: {e}", path.display());
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        roots.add(cert).map_err(|e| unreadable(&e))?;
    }
    if roots.is_empty() {
        return Err(format!("the CA file {} holds no PEM certificate", path.display()));
    }
    client_config(roots)
}

fn client_config(roots: RootCertStore) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS could not be set up: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
// The test servers' upgrade callbacks return tungstenite's `ErrorResponse`, a type it fixes.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use crate::transport::LineSource;
    use tokio::net::{TcpListener, UnixListener};
    use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request as ServerRequest, Response};
    use tokio_tungstenite::tungstenite::http::StatusCode;

    fn spec(url: String) -> ConnectSpec {
        ConnectSpec {
            url,
            token: None,
            timeout: Duration::from_secs(5),
            ca_file: None,
            keepalive: Keepalive::default(),
        }
    }

    async fn listener() -> (TcpListener, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        (listener, url)
    }

    /// Every message until the stream ends, and how it ended.
    async fn read_all(source: &mut FrameSource) -> (Vec<Vec<u8>>, String) {
        let mut lines = Vec::new();
        loop {
            while let Some(line) = source.next_buffered() {
                lines.push(line.text.to_vec());
            }
            if !source.fill().await.unwrap() {
                return (lines, source.ended());
            }
        }
    }

    #[test]
    fn addresses_are_read_with_their_default_ports() {
        let tcp = |url: &str| match endpoint(url) {
            Ok((Endpoint::Tcp { host, port, tls }, _)) => (host, port, tls),
            Ok((Endpoint::Unix(_), _)) => panic!("{url} is not a unix socket"),
            Err(e) => panic!("{url}: {e}"),
        };
        assert_eq!(tcp("ws://127.0.0.1:4500"), ("127.0.0.1".to_owned(), 4500, false));
        assert_eq!(tcp("ws://example.com/rpc"), ("example.com".to_owned(), 80, false));
        assert_eq!(tcp("wss://example.com"), ("example.com".to_owned(), 443, true));
        assert_eq!(tcp("ws://[::1]:9"), ("::1".to_owned(), 9, false));
        assert!(
            matches!(endpoint("unix:///run/codex.sock"), Ok((Endpoint::Unix(p), _)) if p == Path::new("/run/codex.sock"))
        );
        for bad in ["unix://relative.sock", "http://127.0.0.1:1", "127.0.0.1:4500", "ws://"] {
            assert!(matches!(endpoint(bad), Err(CoreError::Connect(_))), "{bad} was accepted");
        }
    }

    #[tokio::test]
    async fn large_frames_pings_and_the_close_frame() {
        let (listener, url) = listener().await;
        let big = format!("{{\"big\":\"{}\"}}", "x".repeat(20 * 1024 * 1024));
        let sent = big.clone();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let check = |req: &ServerRequest, resp: Response| -> Result<Response, ErrorResponse> {
                assert_eq!(req.headers()[AUTHORIZATION], "Bearer t0k");
                Ok(resp)
            };
            let config = WebSocketConfig::default().max_message_size(None).max_frame_size(None);
            let mut ws = tokio_tungstenite::accept_hdr_async_with_config(tcp, check, Some(config)).await.unwrap();
            ws.send(Message::Ping(Bytes::from_static(b"are you there"))).await.unwrap();
            ws.send(Message::text(sent)).await.unwrap();
            ws.send(Message::text("{\"small\":1}\n")).await.unwrap();
            ws.send(Message::binary(b"{\"binary\":2}".to_vec())).await.unwrap();
            let (mut pong, mut text) = (false, None);
            while !(pong && text.is_some()) {
                match ws.next().await.unwrap().unwrap() {
                    Message::Pong(payload) => pong = payload.as_ref() == b"are you there",
                    Message::Text(t) => text = Some(t.to_string()),
                    _ => {}
                }
            }
            ws.close(Some(CloseFrame { code: CloseCode::Away, reason: "bye".into() })).await.unwrap();
            while ws.next().await.is_some() {}
            text.unwrap()
        });
        let (socket, mut source) = connect(&ConnectSpec { token: Some("t0k".into()), ..spec(url) }).await.unwrap();
        assert!(socket.write(b"{\"id\":1}\n".to_vec()));
        let (lines, ended) = read_all(&mut source).await;
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].len(), big.len());
        assert_eq!(lines[1], b"{\"small\":1}");
        assert_eq!(lines[2], b"{\"binary\":2}");
        assert_eq!(ended, "was closed by the server (close code 1001: bye)");
        assert_eq!(server.await.unwrap(), "{\"id\":1}", "one message per frame, without the newline");
        drop(source);
        socket.shutdown().await;
        assert!(!socket.write(b"{}\n".to_vec()));
    }

    #[tokio::test]
    async fn a_refused_token_is_an_authentication_error_that_never_shows_it() {
        let (listener, url) = listener().await;
        tokio::spawn(async move {
            for _ in 0..2 {
                let (tcp, _) = listener.accept().await.unwrap();
                let refuse = |req: &ServerRequest, _resp: Response| -> Result<Response, ErrorResponse> {
                    // A careless server that repeats what it was sent.
                    let said = req.headers().get(AUTHORIZATION).map(|v| v.to_str().unwrap().to_owned());
                    let mut answer = ErrorResponse::new(Some(format!("invalid token {said:?}")));
                    *answer.status_mut() = StatusCode::UNAUTHORIZED;
                    Err(answer)
                };
                let _ = tokio_tungstenite::accept_hdr_async(tcp, refuse).await;
            }
        });
        let secret = "sekrit-123-token";
        let Err(CoreError::Auth(message)) =
            connect(&ConnectSpec { token: Some(secret.into()), ..spec(url.clone()) }).await
        else {
            panic!("a 401 is an authentication error")
        };
        assert!(message.starts_with("authentication failed"), "{message}");
        assert!(message.contains("refused the bearer token") && message.contains("401"), "{message}");
        assert!(!message.contains(secret), "{message}");
        let Err(CoreError::Auth(message)) = connect(&spec(url)).await else {
            panic!("a 401 is an authentication error")
        };
        assert!(message.contains("wants a bearer token"), "{message}");
    }

    #[tokio::test]
    async fn a_refused_connection_is_retried_until_the_timeout() {
        let (listener, url) = listener().await;
        drop(listener);
        let started = Instant::now();
        let Err(CoreError::Connect(message)) =
            connect(&ConnectSpec { timeout: Duration::from_millis(300), ..spec(url) }).await
        else {
            panic!("nothing listens there")
        };
        assert!(message.contains("connection refused"), "{message}");
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(150) && waited < Duration::from_secs(2), "{waited:?}");
    }

    #[tokio::test]
    async fn a_server_that_starts_late_is_waited_for() {
        let (listener, url) = listener().await;
        let addr = listener.local_addr().unwrap();
        drop(listener);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let listener = TcpListener::bind(addr).await.unwrap();
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            ws.send(Message::text("{\"ready\":true}")).await.unwrap();
            ws.close(None).await.unwrap();
            while ws.next().await.is_some() {}
        });
        let (_socket, mut source) = connect(&spec(url)).await.unwrap();
        let (lines, _) = read_all(&mut source).await;
        assert_eq!(lines, vec![b"{\"ready\":true}".to_vec()]);
    }

    #[tokio::test]
    async fn a_server_that_never_answers_the_upgrade_times_out() {
        let (listener, url) = listener().await;
        let holder = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(tcp);
        });
        let Err(CoreError::Timeout(message)) =
            connect(&ConnectSpec { timeout: Duration::from_millis(200), ..spec(url) }).await
        else {
            panic!("the upgrade was never answered")
        };
        assert!(
            message.contains("within 0.2 s") && message.contains("did not answer the WebSocket upgrade"),
            "{message}"
        );
        holder.abort();
    }

    #[tokio::test]
    async fn a_server_gone_silent_is_given_up_on() {
        let (listener, url) = listener().await;
        let holder = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            // Never reads again, so never answers a ping: a link that went dead.
            tokio::time::sleep(Duration::from_secs(10)).await;
            drop(ws);
        });
        let keepalive = Keepalive { ping_after: Duration::from_millis(40), dead_after: Duration::from_millis(200) };
        let (_socket, mut source) = connect(&ConnectSpec { keepalive, ..spec(url) }).await.unwrap();
        let started = Instant::now();
        let (lines, ended) = read_all(&mut source).await;
        assert!(lines.is_empty());
        assert!(ended.starts_with("went silent"), "{ended}");
        assert!(started.elapsed() < Duration::from_secs(3));
        holder.abort();
    }

    #[tokio::test]
    async fn unix_sockets_speak_websocket_too() {
        let dir = std::env::temp_dir().join(format!("openai-codex-unix-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app-server.sock");
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).unwrap();
        tokio::spawn(async move {
            let (unix, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(unix).await.unwrap();
            let Some(Ok(Message::Text(request))) = ws.next().await else { panic!("no request") };
            ws.send(Message::text(format!("{{\"echo\":{request}}}"))).await.unwrap();
            drop(ws); // no close frame: the server died
        });
        let (socket, mut source) = connect(&spec(format!("unix://{}", path.display()))).await.unwrap();
        assert!(socket.write(b"{\"id\":7}\n".to_vec()));
        let (lines, ended) = read_all(&mut source).await;
        assert_eq!(lines, vec![b"{\"echo\":{\"id\":7}}".to_vec()]);
        assert!(ended.starts_with("dropped"), "{ended}");
        let Err(CoreError::Connect(message)) = connect(&ConnectSpec {
            timeout: Duration::from_millis(100),
            ..spec(format!("unix://{}/none.sock", dir.display()))
        })
        .await
        else {
            panic!("there is no such socket")
        };
        assert!(message.contains("there is no socket at"), "{message}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_spec_never_prints_its_token() {
        let printed = format!("{:?}", ConnectSpec { token: Some("sekrit".into()), ..spec("ws://h:1".into()) });
        assert!(!printed.contains("sekrit") && printed.contains("<hidden>"), "{printed}");
    }
}
