//! A stdio app-server served over WebSocket, for benchmarks and tests of the socket transport.
//!
//! ```text
//! cargo run --release --example ws_bridge -- serve [--ws HOST:PORT] [--unix PATH] -- COMMAND [ARGS...]
//! cargo run --release --example ws_bridge -- count URL
//! cargo run --release --example ws_bridge -- initialize URL N
//! ```
//!
//! `serve` listens on `ws://HOST:PORT` (port 0: any free one) and/or on `unix://PATH`, where it
//! speaks WebSocket over the Unix socket as `codex app-server --listen unix://PATH` does. It
//! prints one line per listener, the URL to connect to, then `ready`, and runs until its stdin
//! closes (so it never outlives the process that started it). Each connection gets its
//! own child, `COMMAND ARGS...` (e.g. `devtools/fake_app_server.py`), whose stdio it bridges: a
//! line of the child's stdout becomes one text frame, a frame from the client one line of its
//! stdin. Frames are fed as lines come and flushed when the child's stdout has nothing more
//! buffered, so a fast child's output goes out in large writes. One thread does it all, so on a
//! shared machine the bridge takes one core at most from what it measures.
//!
//! `count` is the floor of a socket transport: a bare tungstenite client that connects to URL
//! (`ws://...` or `unix:///...`), sends `thread/resume`, waits for its answer, then sends
//! `turn/start` and only counts the frames that come until `turn/completed`. It prints one JSON
//! line: `events` (frames after the `turn/start` answer), `wall_s`, `events_per_s`, `cpu_s`.
//!
//! `initialize` is the floor of a connect: N + 1 times (the first not counted), a bare
//! tungstenite client connects to URL, sends `initialize`, waits for its answer and closes. It
//! prints one JSON line: `connect_s` and `initialize_s`, the medians of the upgrade and of the
//! `initialize` round trip, the server's own time to answer included.
//!
//! An example target, so maturin never builds it into the wheel; `cargo test` checks it compiles.

use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::process::{ChildStdin, ChildStdout, Command};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

/// What one read of the child's stdout (or of the socket, for `count`) takes at most: the same
/// as the SDK's pipe reader and socket reader (`framing::INITIAL_CAPACITY`).
const READ_SIZE: usize = 256 * 1024;
/// How long a child that lost its client gets to exit on its own (stdin EOF) before it is killed.
const CHILD_GRACE: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let outcome = match args.first().map(String::as_str) {
        Some("serve") => runtime.block_on(serve(&args[1..])),
        Some("count") if args.len() == 2 => runtime.block_on(count(&args[1])),
        Some("initialize") if args.len() == 3 => match args[2].parse() {
            Ok(times) => runtime.block_on(initialize(&args[1], times)),
            Err(_) => Err(format!("initialize takes a count, not {:?}", args[2])),
        },
        _ => Err("usage: ws_bridge serve [--ws HOST:PORT] [--unix PATH] -- COMMAND [ARGS...] | ws_bridge count URL"
            .to_owned()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ws_bridge: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Both directions carry whole messages, whatever their size, as stdio does.
fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default().max_message_size(None).max_frame_size(None).read_buffer_size(READ_SIZE)
}

// ---------------------------------------------------------------------------------------------
// serve

async fn serve(args: &[String]) -> Result<(), String> {
    let split = args.iter().position(|a| a == "--").ok_or("serve needs `-- COMMAND [ARGS...]`")?;
    let (options, command) = (&args[..split], &args[split + 1..]);
    if command.is_empty() {
        return Err("serve needs a command after `--`".to_owned());
    }
    let (mut tcp, mut unix) = (None, None);
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let value = options.next().ok_or_else(|| format!("{option} needs a value"))?;
        match option.as_str() {
            "--ws" => tcp = Some(TcpListener::bind(value).await.map_err(|e| format!("cannot listen on {value}: {e}"))?),
            "--unix" => {
                let _ = std::fs::remove_file(value);
                unix = Some(UnixListener::bind(value).map_err(|e| format!("cannot listen on {value}: {e}"))?);
            }
            _ => return Err(format!("unknown option {option}")),
        }
    }
    if tcp.is_none() && unix.is_none() {
        return Err("serve needs --ws or --unix".to_owned());
    }
    if let Some(listener) = &tcp {
        println!("ws://{}", listener.local_addr().map_err(|e| e.to_string())?);
    }
    if let Some(listener) = &unix {
        let path = listener.local_addr().map_err(|e| e.to_string())?;
        println!("unix://{}", path.as_pathname().map(|p| p.display().to_string()).unwrap_or_default());
    }
    println!("ready");
    let command: &'static [String] = command.to_vec().leak();
    // Whoever started the bridge holds its stdin: when that closes (they exited, even by a
    // crash), the bridge exits too, and its children with it (`kill_on_drop`).
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 64];
    loop {
        tokio::select! {
            read = stdin.read(&mut sink) => {
                if matches!(read, Ok(0) | Err(_)) {
                    return Ok(());
                }
            }
            Some(accepted) = accept_tcp(tcp.as_ref()) => {
                let (stream, _) = accepted.map_err(|e| format!("accept failed: {e}"))?;
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, command));
            }
            Some(accepted) = accept_unix(unix.as_ref()) => {
                let (stream, _) = accepted.map_err(|e| format!("accept failed: {e}"))?;
                tokio::spawn(connection(stream, command));
            }
        }
    }
}

async fn accept_tcp(listener: Option<&TcpListener>) -> Option<std::io::Result<(TcpStream, std::net::SocketAddr)>> {
    match listener {
        Some(listener) => Some(listener.accept().await),
        None => std::future::pending().await,
    }
}

async fn accept_unix(
    listener: Option<&UnixListener>,
) -> Option<std::io::Result<(UnixStream, tokio::net::unix::SocketAddr)>> {
    match listener {
        Some(listener) => Some(listener.accept().await),
        None => std::future::pending().await,
    }
}

/// One client: upgrade, start its child, and pump both ways until either side is done.
async fn connection<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(stream: S, command: &'static [String]) {
    let ws = match tokio_tungstenite::accept_async_with_config(stream, Some(ws_config())).await {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("ws_bridge: the WebSocket upgrade failed: {e}");
            return;
        }
    };
    let mut child = match Command::new(&command[0])
        .args(&command[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            eprintln!("ws_bridge: cannot start {}: {e}", command[0]);
            return;
        }
    };
    let stdin = child.stdin.take().expect("stdin was piped");
    let stdout = child.stdout.take().expect("stdout was piped");
    widen_pipe(&stdout);
    let (sink, stream) = ws.split();
    let to_client = tokio::spawn(child_to_client(stdout, sink));
    client_to_child(stream, stdin).await;
    // The client is gone or closed: the child has seen stdin's EOF and should exit by itself.
    if tokio::time::timeout(CHILD_GRACE, child.wait()).await.is_err() {
        let _ = child.kill().await;
    }
    let _ = tokio::time::timeout(CHILD_GRACE, to_client).await;
}

/// A pipe as wide as one read, as the SDK makes its child's stdout (`transport::child`): the
/// child writes in fewer, larger pieces and the bridge wakes up less often.
fn widen_pipe(stdout: &ChildStdout) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid, open pipe descriptor owned by `stdout`; F_SETPIPE_SZ only resizes it.
    unsafe { libc::fcntl(stdout.as_raw_fd(), libc::F_SETPIPE_SZ, READ_SIZE as libc::c_int) };
}

type Sink<S> = futures_util::stream::SplitSink<WebSocketStream<S>, Message>;
type Stream<S> = futures_util::stream::SplitStream<WebSocketStream<S>>;

/// Each line of the child's stdout as a text frame; a normal close frame when stdout ends.
async fn child_to_client<S: AsyncRead + AsyncWrite + Unpin>(mut stdout: ChildStdout, mut sink: Sink<S>) {
    let mut buf = BytesMut::with_capacity(READ_SIZE);
    // Everything before `scanned` has no newline.
    let mut scanned = 0;
    loop {
        if buf.capacity() - buf.len() < READ_SIZE / 4 {
            // Reclaims the space of frames already written, or grows for a long line.
            buf.reserve(READ_SIZE);
        }
        // Flush only when the pipe has nothing more right now: under a flood, frames go out in
        // tungstenite's write-buffer-sized writes, not one write per read.
        let read = match stdout.read_buf(&mut buf).now_or_never() {
            Some(read) => read,
            None => {
                if sink.flush().await.is_err() {
                    return;
                }
                stdout.read_buf(&mut buf).await
            }
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        while let Some(pos) = memchr::memchr(b'\n', &buf[scanned..]) {
            let mut line = buf.split_to(scanned + pos + 1);
            scanned = 0;
            line.truncate(line.len() - 1);
            if line.last() == Some(&b'\r') {
                line.truncate(line.len() - 1);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = line.freeze();
            let frame = match Utf8Bytes::try_from(line.clone()) {
                Ok(text) => Message::Text(text),
                Err(_) => Message::Binary(line),
            };
            if sink.feed(frame).await.is_err() {
                return;
            }
        }
        scanned = buf.len();
    }
    let _ = sink.send(Message::Close(None)).await;
}

/// Each text or binary frame from the client as one line of the child's stdin, until the client
/// closes or goes away; then stdin is closed.
async fn client_to_child<S: AsyncRead + AsyncWrite + Unpin>(mut stream: Stream<S>, mut stdin: ChildStdin) {
    while let Some(Ok(message)) = stream.next().await {
        let payload = match message {
            Message::Text(text) => text.into(),
            Message::Binary(bytes) => bytes,
            Message::Close(_) => break,
            _ => continue,
        };
        let written = async {
            stdin.write_all(&payload).await?;
            stdin.write_all(b"\n").await?;
            stdin.flush().await
        };
        if written.await.is_err() {
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// count

async fn count(url: &str) -> Result<(), String> {
    count_on(connect(url).await?).await
}

/// A WebSocket client connected to `url` (`ws://HOST:PORT[/...]` or `unix:///PATH`).
async fn connect(url: &str) -> Result<WebSocketStream<Box<dyn Duplex>>, String> {
    let (stream, request): (Box<dyn Duplex>, &str) = if let Some(path) = url.strip_prefix("unix://") {
        let stream = UnixStream::connect(path).await.map_err(|e| format!("cannot connect to {url}: {e}"))?;
        (Box::new(stream), "ws://localhost/")
    } else {
        let address = url.strip_prefix("ws://").ok_or("a ws:// or unix:// URL is needed")?;
        let address = address.split('/').next().unwrap_or(address);
        let stream = TcpStream::connect(address).await.map_err(|e| format!("cannot connect to {url}: {e}"))?;
        let _ = stream.set_nodelay(true);
        (Box::new(stream), url)
    };
    let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(ws_config()))
        .await
        .map_err(|e| format!("the WebSocket upgrade failed: {e}"))?;
    Ok(ws)
}

trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

async fn initialize(url: &str, times: usize) -> Result<(), String> {
    let failed = |e: tokio_tungstenite::tungstenite::Error| e.to_string();
    let (mut connects, mut initializes) = (Vec::new(), Vec::new());
    for i in 0..=times {
        let started = Instant::now();
        let mut ws = connect(url).await?;
        let connected = Instant::now();
        let hello = r#"{"id":1,"method":"initialize","params":{"clientInfo":{"name":"ws_bridge","title":null,"version":"0"},"capabilities":{"experimentalApi":true}}}"#;
        ws.send(Message::text(hello)).await.map_err(failed)?;
        wait_for_answer(&mut ws, r#"{"id":1,"#).await?;
        let answered = Instant::now();
        let _ = ws.close(None).await;
        if i > 0 {
            connects.push((connected - started).as_secs_f64());
            initializes.push((answered - connected).as_secs_f64());
        }
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!(r#"{{"connect_s":{},"initialize_s":{}}}"#, median(connects), median(initializes));
    Ok(())
}

/// Reads frames until one starts with `prefix` (an answer's opening).
async fn wait_for_answer<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    prefix: &str,
) -> Result<(), String> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) if text.as_str().starts_with(prefix) => return Ok(()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the server closed before answering".to_owned()),
        }
    }
}

async fn count_on<S: AsyncRead + AsyncWrite + Unpin>(mut ws: WebSocketStream<S>) -> Result<(), String> {
    let failed = |e: tokio_tungstenite::tungstenite::Error| e.to_string();
    ws.send(Message::text(r#"{"id":1,"method":"thread/resume","params":{"threadId":"t"}}"#)).await.map_err(failed)?;
    wait_for_answer(&mut ws, r#"{"id":1,"#).await?;
    let end = memchr::memmem::Finder::new(br#""method":"turn/completed""#);
    let (cpu0, wall0) = (cpu_s(), Instant::now());
    ws.send(Message::text(r#"{"id":2,"method":"turn/start","params":{"threadId":"t","input":[]}}"#))
        .await
        .map_err(failed)?;
    let mut frames: u64 = 0;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                frames += 1;
                if end.find(text.as_bytes()).is_some() {
                    break;
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(failed(e)),
            None => return Err("the server closed before turn/completed".to_owned()),
        }
    }
    let (wall, cpu) = (wall0.elapsed().as_secs_f64(), cpu_s() - cpu0);
    let _ = ws.close(None).await;
    // The turn/start answer is not an event; the rest are (the turn's, and two global ones).
    let events = frames - 1;
    println!(r#"{{"events":{events},"wall_s":{wall},"events_per_s":{},"cpu_s":{cpu}}}"#, events as f64 / wall);
    Ok(())
}

/// User and system CPU time of this process so far, in seconds.
fn cpu_s() -> f64 {
    // SAFETY: getrusage only writes the struct it is given, which is zeroed and ours.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
