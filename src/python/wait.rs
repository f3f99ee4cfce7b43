//! Blocking waits for the sync API: the GIL is released while waiting, and the wait wakes up every
//! few milliseconds to let Python deliver signals, so Ctrl-C interrupts any call.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, Runtime};
use pyo3_async_runtimes::TaskLocals;

use crate::error::{CoreError, CoreResult};
use crate::runtime::{runtime, Owner};

/// Refuses to use an object (a client, a stream) in a forked child of the process that made it:
/// its connection is driven by I/O threads that did not survive the fork, so any wait would hang.
pub(super) fn check_owner(py: Python<'_>, owner: Owner) -> PyResult<()> {
    if owner.is_current() {
        return Ok(());
    }
    let message = "this Codex client was created in the parent process before fork() and cannot be used \
                   in the child; create a new Codex() or AsyncCodex() in the child instead";
    Err(super::errors::to_pyerr(py, CoreError::Protocol(message.into())))
}

/// Called in the child right after `fork()` (registered with `pthread_atfork`): the parent's
/// pending awaitables will never settle here, so they must not hold up the child's exit.
pub(super) extern "C" fn forget_parent_awaitables() {
    // Only an atomic store: async-signal-safe, as a fork handler must be.
    PENDING_AWAITABLES.store(0, Ordering::Release);
}

/// The asyncio glue's view of the I/O runtime. pyo3-async-runtimes' own tokio runtime is a
/// once-per-process global, which a forked child would inherit dead; this one resolves
/// [`runtime()`] on every spawn, so it follows the process.
struct IoRuntime;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

impl Runtime for IoRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        runtime().spawn(fut)
    }

    /// pyo3-async-runtimes hands each finished awaitable's "set the asyncio result" step (which
    /// takes the GIL) to `spawn_blocking`. On tokio's blocking pool that meant one more OS
    /// thread per concurrently finishing awaitable (26 threads at 256 concurrent turns); these
    /// steps all serialise on the GIL anyway, so one completion thread runs them in order.
    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        completions::run(Box::new(f));
        // Nobody awaits this handle (the library drops it); an empty task stands in for it.
        runtime().spawn(async {})
    }
}

/// The thread that completes asyncio futures (see [`IoRuntime::spawn_blocking`]), one per
/// process: a forked child starts its own, as it does its own I/O runtime.
mod completions {
    use std::ptr;
    use std::sync::atomic::{AtomicPtr, Ordering};
    use std::sync::mpsc::{channel, Sender};

    use crate::runtime::Owner;

    type Job = Box<dyn FnOnce() + Send>;

    /// The completion thread's queue and the process it belongs to; leaked like the runtime,
    /// and swapped without a lock so a child forked mid-send cannot deadlock on it.
    struct Queue {
        owner: Owner,
        sender: Sender<Job>,
    }

    static CURRENT: AtomicPtr<Queue> = AtomicPtr::new(ptr::null_mut());

    pub(super) fn run(job: Job) {
        let seen = CURRENT.load(Ordering::Acquire);
        // SAFETY: non-null pointers in CURRENT come from `Box::into_raw` below and are never freed.
        let job = match unsafe { seen.as_ref() } {
            Some(queue) if queue.owner.is_current() => match queue.sender.send(job) {
                Ok(()) => return,
                Err(unsent) => unsent.0, // the thread is gone: start another
            },
            _ => job,
        };
        let (sender, receiver) = channel::<Job>();
        let started = std::thread::Builder::new().name("openai-codex-py".into()).spawn(move || {
            for job in receiver {
                job();
            }
        });
        if started.is_err() {
            job(); // no thread to be had: run it here rather than lose the result
            return;
        }
        let fresh = Box::into_raw(Box::new(Queue { owner: Owner::current(), sender }));
        let installed = match CURRENT.compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(winner) => {
                // Another thread installed a queue first; ours is dropped, and its thread ends.
                // SAFETY: `fresh` was never published, so this thread owns it.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        };
        // SAFETY: `installed` is published (or was, by the winner) and is never freed.
        if let Err(unsent) = unsafe { &*installed }.sender.send(job) {
            (unsent.0)();
        }
    }
}

impl ContextExt for IoRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(|cell| cell.get().cloned()).unwrap_or_default()
    }
}

/// Awaitables handed to Python whose Rust future has not finished yet.
static PENDING_AWAITABLES: AtomicUsize = AtomicUsize::new(0);

/// Counts one pending awaitable for as long as it lives (finished or dropped by cancellation).
struct PendingGuard;

impl PendingGuard {
    fn new() -> Self {
        PENDING_AWAITABLES.fetch_add(1, Ordering::AcqRel);
        Self
    }
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        PENDING_AWAITABLES.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An asyncio awaitable for `fut`, driven by the I/O runtime.
pub(super) fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let guard = PendingGuard::new();
    pyo3_async_runtimes::generic::future_into_py::<IoRuntime, _, T>(py, async move {
        let out = fut.await;
        drop(guard);
        out
    })
}

/// Waits (GIL released, up to `limit`) until every awaitable handed to Python has settled, so
/// that none completes while the interpreter finalizes: an I/O thread attaching to a finalizing
/// interpreter is killed by CPython and aborts the process.
pub(super) fn wait_for_awaitables(py: Python<'_>, limit: Duration) {
    if PENDING_AWAITABLES.load(Ordering::Acquire) == 0 {
        return;
    }
    py.detach(|| {
        let deadline = Instant::now() + limit;
        while PENDING_AWAITABLES.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        // The result of a finished future is delivered to its event loop just after it returns.
        std::thread::sleep(Duration::from_millis(20));
    });
}

/// How often a blocked call checks for KeyboardInterrupt and other signals.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// The wait ran out of time.
pub(super) struct TimedOut;

/// The error for a wait for `what` that ran past `timeout`.
pub(super) fn timed_out(what: impl std::fmt::Display, timeout: Option<Duration>) -> CoreError {
    let secs = timeout.map_or(0.0, |t| t.as_secs_f64());
    CoreError::Timeout(format!("timed out after {secs:.3}s waiting for {what}"))
}

/// What a wait for `what` bounded by `timeout` produced: its own outcome, or the timeout error.
pub(super) fn within<T>(
    outcome: Result<CoreResult<T>, TimedOut>,
    what: impl std::fmt::Display,
    timeout: Option<Duration>,
) -> CoreResult<T> {
    outcome.unwrap_or_else(|TimedOut| Err(timed_out(what, timeout)))
}

/// Validates a user-supplied timeout in seconds.
pub(super) fn timeout_arg(timeout: Option<f64>) -> PyResult<Option<Duration>> {
    match timeout {
        None => Ok(None),
        Some(t) if t.is_finite() && t >= 0.0 => Ok(Some(Duration::from_secs_f64(t))),
        Some(t) => Err(PyValueError::new_err(format!("timeout must be a non-negative number of seconds, got {t}"))),
    }
}

/// Drives `fut` to completion on the I/O runtime while this thread waits without the GIL.
/// Returns `Err(TimedOut)` past `timeout`; a pending signal handler's exception (such as
/// KeyboardInterrupt) is raised instead.
pub(super) fn block_on<F>(py: Python<'_>, timeout: Option<Duration>, fut: F) -> PyResult<Result<F::Output, TimedOut>>
where
    F: Future + Send,
    F::Output: Send,
{
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut fut = pin!(fut);
    loop {
        let slice = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()).min(SIGNAL_CHECK),
            None => SIGNAL_CHECK,
        };
        if let Some(out) = py.detach(|| poll_parked(fut.as_mut(), slice)) {
            return Ok(Ok(out));
        }
        py.check_signals()?;
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(Err(TimedOut));
        }
    }
}

/// Polls `fut` on this thread, parked between polls, for up to `slice`: `None` if it is still
/// pending then. The I/O threads drive the connection; whatever wakes the future unparks this
/// thread. Unlike `Runtime::block_on` under `tokio::time::timeout`, a wait arms no tokio timer:
/// arming one wakes a parked I/O thread to take the new deadline, a wake-up per wait that a
/// small turn (two waits) felt in its latency.
fn poll_parked<F: Future>(mut fut: Pin<&mut F>, slice: Duration) -> Option<F::Output> {
    // The runtime's context, for futures that use its timers or spawn on it.
    let _context = runtime().enter();
    let end = Instant::now() + slice;
    PARK_WAKER.with(|waker| {
        let mut cx = Context::from_waker(waker);
        loop {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return Some(out);
            }
            let now = Instant::now();
            if now >= end {
                return None;
            }
            // A wake that came between the poll and here makes this return at once.
            std::thread::park_timeout(end - now);
        }
    })
}

/// Wakes a thread parked in [`poll_parked`].
struct Unparker(std::thread::Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

thread_local! {
    static PARK_WAKER: Waker = Waker::from(Arc::new(Unparker(std::thread::current())));
}

/// Awaits `fut` with an optional deadline, for the async API.
pub(super) async fn with_deadline<F: Future>(timeout: Option<Duration>, fut: F) -> Result<F::Output, TimedOut> {
    match timeout {
        None => Ok(fut.await),
        Some(t) => tokio::time::timeout(t, fut).await.map_err(|_| TimedOut),
    }
}
