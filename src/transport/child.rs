//! The `codex app-server` child process: spawning it, one serialized writer for its stdin, a
//! bounded ring of its recent stderr lines, and ending it (terminate, then kill; always reaped).
//! Its stdout is read by the connection's reader loop through `framing::LineReader`.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{mpsc, watch, Notify};

/// How to start the runtime.
#[derive(Debug, Clone, Default)]
pub(crate) struct LaunchSpec {
    pub(crate) program: OsString,
    pub(crate) args: Vec<OsString>,
    /// Variables set on top of the inherited environment.
    pub(crate) env: Vec<(OsString, OsString)>,
    pub(crate) cwd: Option<PathBuf>,
}

/// Recent stderr lines, bounded in count and per-line length.
#[derive(Debug, Default)]
pub(crate) struct StderrTail {
    lines: Mutex<VecDeque<String>>,
}

const STDERR_LINES: usize = 400;
const STDERR_LINE_CHARS: usize = 4000;

impl StderrTail {
    pub(crate) fn push(&self, line: String) {
        let mut line = line;
        if line.len() > STDERR_LINE_CHARS {
            let mut cut = STDERR_LINE_CHARS;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push('…');
        }
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.len() == STDERR_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// The last `max_lines` lines, trimmed from the front to at most `max_chars` characters.
    pub(crate) fn tail(&self, max_lines: usize, max_chars: usize) -> String {
        let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        let start = lines.len().saturating_sub(max_lines);
        let joined = lines.iter().skip(start).cloned().collect::<Vec<_>>().join("\n");
        let count = joined.chars().count();
        if count <= max_chars {
            joined
        } else {
            joined.chars().skip(count - max_chars).collect()
        }
    }
}

/// How the process ended, once it has.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExitInfo(pub String);

/// A running app-server. Dropping it does not stop the process; call [`Process::shutdown`].
pub(crate) struct Process {
    pid: Option<u32>,
    stdin: Mutex<Option<StdinSide>>,
    stdout: Mutex<Option<ChildStdout>>,
    stderr: Arc<StderrTail>,
    exit: watch::Receiver<Option<ExitInfo>>,
    stderr_done: watch::Receiver<bool>,
    shutdown: mpsc::UnboundedSender<()>,
}

/// The writing end of the child's stdin, as callers see it: the writer task's queue, and a
/// second descriptor of the same (non-blocking) pipe for writing at once.
///
/// A line written while nothing is queued goes straight into the pipe from the caller's thread;
/// only what the pipe cannot take at once is queued for the writer task. Handing every line to
/// the task cost a wake-up of an I/O thread per request, which a small turn felt in its
/// latency. Callers hold the `Process::stdin` lock while they write, and `queued` counts the
/// lines the task has not finished, so a direct write never overtakes a queued line.
struct StdinSide {
    tx: mpsc::UnboundedSender<Vec<u8>>,
    direct: Option<OwnedFd>,
    queued: Arc<AtomicUsize>,
}

impl StdinSide {
    fn write(&self, mut bytes: Vec<u8>) -> bool {
        if let Some(fd) = self.direct.as_ref().filter(|_| self.queued.load(Ordering::Acquire) == 0) {
            let written = write_now(fd, &bytes);
            if written == bytes.len() {
                return true;
            }
            bytes.drain(..written);
        }
        self.queued.fetch_add(1, Ordering::AcqRel);
        self.tx.send(bytes).is_ok()
    }
}

/// Writes what the non-blocking pipe takes at once; the count written (0 when it is full, and
/// on an error, which the writer task then meets and reports as the pipe's end).
fn write_now(fd: &OwnedFd, bytes: &[u8]) -> usize {
    let mut done = 0;
    while done < bytes.len() {
        let rest = &bytes[done..];
        // SAFETY: `fd` is an open descriptor we own; the buffer is valid for `rest.len()` bytes.
        let n = unsafe { libc::write(fd.as_raw_fd(), rest.as_ptr().cast(), rest.len()) };
        if n > 0 {
            done += n as usize;
        } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        } else {
            break;
        }
    }
    done
}

/// A close-on-exec duplicate of stdin's descriptor for [`StdinSide`], if the pipe is
/// non-blocking (tokio makes it so); `None` leaves every write to the writer task.
fn direct_stdin(stdin: &ChildStdin) -> Option<OwnedFd> {
    let fd = stdin.as_raw_fd();
    // SAFETY: fcntl on a valid descriptor owned by `stdin`; F_GETFL reads flags only, and
    // F_DUPFD_CLOEXEC makes a new descriptor that the OwnedFd below then owns.
    unsafe {
        if libc::fcntl(fd, libc::F_GETFL) & libc::O_NONBLOCK == 0 {
            return None;
        }
        let dup = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0);
        (dup >= 0).then(|| OwnedFd::from_raw_fd(dup))
    }
}

/// Time the runtime gets to exit on its own after its stdin closes, before it is terminated.
const EXIT_ON_EOF_GRACE: Duration = Duration::from_millis(1500);
/// Time between terminate and kill.
const TERMINATE_GRACE: Duration = Duration::from_secs(2);

impl Process {
    /// Starts the process. Must run inside the runtime (it registers the pipes with the reactor).
    pub(crate) fn spawn(spec: &LaunchSpec) -> std::io::Result<Self> {
        let mut cmd = Command::new(&spec.program);
        cmd.args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Last resort if everything else fails: tokio kills the child when the handle drops.
            .kill_on_drop(true);
        if let Some(cwd) = &spec.cwd {
            cmd.current_dir(cwd);
        }
        // Own process group: a Ctrl-C in the terminal interrupts the Python program (which can
        // then interrupt the turn cleanly) instead of killing the runtime under it.
        #[cfg(unix)]
        cmd.process_group(0);

        let mut child = cmd.spawn()?;
        let pid = child.id();
        let stdin = child.stdin.take().expect("stdin was piped");
        let stdout = child.stdout.take().expect("stdout was piped");
        widen_pipe(&stdout);
        let stderr_pipe = child.stderr.take().expect("stderr was piped");
        let stderr_tail = Arc::new(StderrTail::default());

        let stderr = stderr_tail.clone();
        let (stderr_done_tx, stderr_done) = watch::channel(false);
        tokio::spawn(async move {
            drain_stderr(stderr_pipe, stderr_tail).await;
            let _ = stderr_done_tx.send(true);
        });

        let (stdin_tx, stdin_rx) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let stdin_side = StdinSide { tx: stdin_tx, direct: direct_stdin(&stdin), queued: queued.clone() };
        tokio::spawn(write_stdin(stdin, stdin_rx, queued));

        let (exit_tx, exit_rx) = watch::channel(None);
        let (shutdown_tx, shutdown_rx) = mpsc::unbounded_channel();
        UNREAPED.fetch_add(1, Ordering::AcqRel);
        tokio::spawn(supervise(child, exit_tx, shutdown_rx));

        Ok(Self {
            pid,
            stdin: Mutex::new(Some(stdin_side)),
            stdout: Mutex::new(Some(stdout)),
            stderr,
            exit: exit_rx,
            stderr_done,
            shutdown: shutdown_tx,
        })
    }

    pub(crate) fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Writes bytes to stdin, at once or through the writer's queue. False when the writer is
    /// gone (process ended or shutting down).
    pub(crate) fn write(&self, bytes: Vec<u8>) -> bool {
        let stdin = self.stdin.lock().unwrap_or_else(|p| p.into_inner());
        stdin.as_ref().is_some_and(|side| side.write(bytes))
    }

    /// The stdout pipe; can be taken once, by the reader loop.
    pub(crate) fn take_stdout(&self) -> Option<ChildStdout> {
        self.stdout.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    pub(crate) fn stderr(&self) -> &Arc<StderrTail> {
        &self.stderr
    }

    /// How the process ended, if it has.
    pub(crate) fn exit_info(&self) -> Option<ExitInfo> {
        self.exit.borrow().clone()
    }

    /// Waits up to `limit` for the process to end and its stderr to be read to the end, so an
    /// error report can say how it ended and what it printed last.
    pub(crate) async fn wait_exit(&self, limit: Duration) -> Option<ExitInfo> {
        let mut exit = self.exit.clone();
        let mut stderr_done = self.stderr_done.clone();
        let _ = tokio::time::timeout(limit, async {
            let _ = exit.wait_for(Option::is_some).await;
            let _ = stderr_done.wait_for(|done| *done).await;
        })
        .await;
        self.exit_info()
    }

    /// Ends the process: closes stdin, then terminates, then kills; resolves once it is reaped.
    /// Safe to call any number of times.
    /// Starts ending the process without waiting for it: stdin is closed (the app-server's own
    /// signal to exit), and the supervisor terminates, then kills it if it lingers, and reaps
    /// it in the background (see [`wait_for_reaps`]).
    pub(crate) fn begin_shutdown(&self) {
        // Dropping the sender lets the writer flush what is queued, then close stdin.
        self.stdin.lock().unwrap_or_else(|p| p.into_inner()).take();
        let _ = self.shutdown.send(());
    }

    pub(crate) async fn shutdown(&self) -> Option<ExitInfo> {
        self.begin_shutdown();
        let mut rx = self.exit.clone();
        // The supervisor always publishes an exit (it reaps after kill), so this cannot hang
        // unless the kernel never reaps a killed child.
        let _ = rx.wait_for(Option::is_some).await;
        self.exit_info()
    }
}

async fn drain_stderr(pipe: tokio::process::ChildStderr, tail: Arc<StderrTail>) {
    let mut reader = BufReader::new(pipe);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                let text = text.trim_end_matches(['\n', '\r']);
                if !text.is_empty() {
                    tail.push(text.to_owned());
                }
            }
        }
    }
}

async fn write_stdin(mut stdin: ChildStdin, mut rx: mpsc::UnboundedReceiver<Vec<u8>>, queued: Arc<AtomicUsize>) {
    let mut batch = Vec::with_capacity(64);
    // recv_many returns 0 only when every sender is gone and the queue is empty.
    while rx.recv_many(&mut batch, 64).await > 0 {
        for bytes in batch.drain(..) {
            if stdin.write_all(&bytes).await.is_err() {
                // Callers keep queueing (and the count never reaches 0 again): the closed
                // receiver refuses them once this task ends.
                return;
            }
            queued.fetch_sub(1, Ordering::AcqRel);
        }
        if stdin.flush().await.is_err() {
            return;
        }
    }
    // Dropping stdin here sends EOF, which asks the app-server to exit.
}

async fn supervise(
    mut child: Child,
    exit_tx: watch::Sender<Option<ExitInfo>>,
    mut shutdown_rx: mpsc::UnboundedReceiver<()>,
) {
    let status = tokio::select! {
        status = child.wait() => status,
        _ = shutdown_rx.recv() => stop(&mut child).await,
    };
    let info = match status {
        Ok(status) => describe(status),
        Err(e) => format!("could not be waited for ({e})"),
    };
    let _ = exit_tx.send(Some(ExitInfo(info)));
    UNREAPED.fetch_sub(1, Ordering::AcqRel);
    REAPED.notify_waiters();
}

/// In a forked child: the parent's children are not ours to wait for (called from the fork
/// handler, so only an atomic store).
pub(crate) fn forget_parent_children() {
    UNREAPED.store(0, Ordering::Release);
}

/// Children spawned and not yet reaped, in this process.
static UNREAPED: AtomicUsize = AtomicUsize::new(0);
static REAPED: Notify = Notify::const_new();

/// Waits (up to `limit`) until every child this process spawned has been reaped: `close()`
/// does not wait for the exit, so the interpreter's exit hook does, and no runtime outlives us.
/// True if none is left.
pub(crate) async fn wait_for_reaps(limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let reaped = REAPED.notified();
        if UNREAPED.load(Ordering::Acquire) == 0 {
            return true;
        }
        if tokio::time::timeout_at(deadline, reaped).await.is_err() {
            return UNREAPED.load(Ordering::Acquire) == 0;
        }
    }
}

async fn stop(child: &mut Child) -> std::io::Result<std::process::ExitStatus> {
    // stdin is closing (see `Process::shutdown`); a healthy app-server exits on that promptly.
    // One that does not is terminated (with its process group), then killed.
    if let Ok(status) = tokio::time::timeout(EXIT_ON_EOF_GRACE, child.wait()).await {
        return status;
    }
    terminate(child);
    if let Ok(status) = tokio::time::timeout(TERMINATE_GRACE, child.wait()).await {
        return status;
    }
    let _ = child.start_kill();
    child.wait().await
}

#[cfg(unix)]
fn terminate(child: &mut Child) {
    if let Some(pid) = child.id() {
        // SAFETY: plain syscalls on a pid we own; a failure (already gone) is harmless.
        unsafe {
            libc::kill(-(pid as libc::pid_t), libc::SIGTERM);
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
    }
}

#[cfg(not(unix))]
fn terminate(child: &mut Child) {
    let _ = child.start_kill();
}

fn describe(status: std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with code {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("was killed by signal {sig}");
        }
    }
    "exited".to_owned()
}

/// Asks for a 256 KiB stdout pipe (Linux; the default is 64 KiB), as large as one read of the
/// reader's buffer: a runtime streaming fast then fills it in fewer, larger writes, and the
/// reader wakes a quarter as often. Not larger: pipe buffers count against a per-user limit
/// (`pipe-user-pages-soft`, 64 MiB by default) past which every new pipe of that user's
/// programs gets a minimal buffer; 256 connections stay under it. Best effort: the system may
/// refuse it, and nothing depends on the size.
#[cfg(target_os = "linux")]
fn widen_pipe(stdout: &ChildStdout) {
    // SAFETY: a valid, open pipe descriptor owned by `stdout`; F_SETPIPE_SZ only resizes it.
    unsafe { libc::fcntl(stdout.as_raw_fd(), libc::F_SETPIPE_SZ, crate::framing::INITIAL_CAPACITY as libc::c_int) };
}

#[cfg(not(target_os = "linux"))]
fn widen_pipe(_stdout: &ChildStdout) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_tail_is_bounded() {
        let t = StderrTail::default();
        for i in 0..1000 {
            t.push(format!("line {i}"));
        }
        let tail = t.tail(3, 10_000);
        assert_eq!(tail, "line 997\nline 998\nline 999");
        assert_eq!(t.tail(2, 5), "e 999");
        t.push("é".repeat(5000));
        assert!(t.tail(1, 100_000).chars().count() <= STDERR_LINE_CHARS + 1);
    }

    /// Lines written at once and lines queued behind a full pipe reach the child whole and in
    /// order: the child reads nothing for a while, so the pipe fills and later writes queue,
    /// then it copies stdin to a file, which must be exactly what was written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stdin_lines_arrive_whole_and_in_order_past_a_full_pipe() {
        let out = std::env::temp_dir().join(format!("openai-codex-stdin-{}.txt", std::process::id()));
        let script = format!("sleep 0.1; cat > '{}'", out.display());
        let spec = LaunchSpec { program: "sh".into(), args: vec!["-c".into(), script.into()], ..Default::default() };
        let p = Arc::new(Process::spawn(&spec).unwrap());
        let writers: Vec<_> = (0..3u32)
            .map(|w| {
                let p = p.clone();
                std::thread::spawn(move || {
                    let mut sent = Vec::new();
                    for i in 0..200u32 {
                        // Sizes from a few bytes to 40 KiB, so some writes are split by the pipe.
                        let len = ((i * 7919 + w * 104_729) % 40_960) as usize;
                        let line = format!("{w} {i} {}\n", "x".repeat(len)).into_bytes();
                        assert!(p.write(line.clone()));
                        sent.push(line);
                        // Writing goes on while the child starts reading, when the queue
                        // drains and direct writes resume.
                        if i % 4 == 0 {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                    sent
                })
            })
            .collect();
        let sent: Vec<Vec<Vec<u8>>> = writers.into_iter().map(|t| t.join().unwrap()).collect();
        tokio::time::timeout(Duration::from_secs(20), p.shutdown()).await.unwrap().unwrap();
        let got = std::fs::read(&out).unwrap();
        let _ = std::fs::remove_file(&out);
        let mut next = [0usize; 3];
        for line in got.split_inclusive(|b| *b == b'\n') {
            let w: usize = std::str::from_utf8(&line[..1]).unwrap().parse().unwrap();
            assert_eq!(line, &sent[w][next[w]][..], "writer {w}, line {}", next[w]);
            next[w] += 1;
        }
        assert_eq!(next, [200, 200, 200]);
    }

    #[tokio::test]
    async fn shutdown_terminates_and_reaps() {
        let spec = LaunchSpec { program: "sleep".into(), args: vec!["30".into()], ..Default::default() };
        let p = Process::spawn(&spec).unwrap();
        let info = tokio::time::timeout(Duration::from_secs(10), p.shutdown()).await.unwrap().unwrap();
        // `sleep` ignores stdin EOF, so this took the terminate path.
        assert!(info.0.contains("signal 15"), "{info:?}");
        // Idempotent.
        assert_eq!(p.shutdown().await, Some(info));
    }

    #[tokio::test]
    async fn exit_is_observed_and_stderr_kept() {
        let spec = LaunchSpec {
            program: "sh".into(),
            args: vec!["-c".into(), "echo boom >&2; exit 3".into()],
            ..Default::default()
        };
        let p = Process::spawn(&spec).unwrap();
        let info = p.wait_exit(Duration::from_secs(10)).await.unwrap();
        assert_eq!(info.0, "exited with code 3");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(p.stderr().tail(10, 100), "boom");
    }
}
