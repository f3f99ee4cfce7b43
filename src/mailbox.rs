//! A single-consumer queue that a reader task fills and that both blocking (sync) and async callers
//! drain, with a terminal "closed" state carrying why the connection ended.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::error::Closed;

/// Queue contents plus the terminal state, guarded together so a consumer never sees "closed"
/// before the last queued item.
#[derive(Debug)]
struct Slots<T> {
    items: VecDeque<T>,
    closed: Option<Closed>,
    /// Items discarded because a bounded mailbox was full.
    dropped: u64,
}

#[derive(Debug)]
pub(crate) struct Mailbox<T> {
    slots: Mutex<Slots<T>>,
    notify: Notify,
    /// `None` = unbounded. When full, the oldest item is dropped: these queues carry state updates
    /// nobody may be reading, and the newest are the most useful.
    capacity: Option<usize>,
    /// When the consumer last took something, in ms on [`clock_ms`]; until then, when the first
    /// item came (its reader is usually about to start: see `consumer_active`); 0 before that.
    last_take_ms: AtomicU64,
    /// Signalled when a take leaves few items queued (see [`Mailbox::wait_for_space`]).
    space: Notify,
}

/// Queued items below which a producer waiting for space may go on.
pub(crate) const LOW_WATER: usize = 1024;

/// Milliseconds since the first call, on a monotonic clock (never 0).
fn clock_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
}

/// What a drain found.
#[cfg(test)]
#[derive(Debug)]
pub(crate) enum Drained<T> {
    Items(VecDeque<T>),
    Empty,
    Closed(Closed),
}

/// What a single pop found.
#[derive(Debug)]
pub(crate) enum Popped<T> {
    Item(T),
    Empty,
    Closed(Closed),
}

impl<T> Mailbox<T> {
    pub(crate) fn new(capacity: Option<usize>) -> Arc<Self> {
        Arc::new(Self {
            slots: Mutex::new(Slots { items: VecDeque::new(), closed: None, dropped: 0 }),
            notify: Notify::new(),
            capacity,
            last_take_ms: AtomicU64::new(0),
            space: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Slots<T>> {
        // A panic while holding this lock leaves plain data behind; keep going.
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues an item and wakes the consumer; items pushed after close are discarded.
    pub(crate) fn push(&self, item: T) {
        if self.push_quiet(item) {
            self.wake();
        }
    }

    /// Queues an item without waking the consumer. Returns true when the consumer may be waiting
    /// (the queue was empty), in which case the caller must call [`Mailbox::wake`] soon: the
    /// reader routes a whole buffer of lines, then wakes each consumer once.
    pub(crate) fn push_quiet(&self, item: T) -> bool {
        let mut s = self.lock();
        if s.closed.is_some() {
            return false;
        }
        if let Some(cap) = self.capacity {
            while s.items.len() >= cap {
                s.items.pop_front();
                s.dropped += 1;
            }
        }
        s.items.push_back(item);
        if self.last_take_ms.load(Ordering::Relaxed) == 0 {
            // The first item: the reader has one idle window from now to start taking.
            self.last_take_ms.store(clock_ms(), Ordering::Relaxed);
        }
        s.items.len() == 1
    }

    /// Wakes the consumer (or lets its next wait return at once).
    pub(crate) fn wake(&self) {
        self.notify.notify_one();
    }

    /// Queues several items at once (used when replaying buffered events).
    pub(crate) fn extend(&self, items: impl IntoIterator<Item = T>) {
        let mut s = self.lock();
        if s.closed.is_none() {
            s.items.extend(items);
        }
        drop(s);
        self.notify.notify_one();
    }

    /// Marks the mailbox closed; queued items remain readable before the close is reported.
    pub(crate) fn close(&self, why: Closed) {
        let mut s = self.lock();
        if s.closed.is_none() {
            s.closed = Some(why);
        }
        drop(s);
        // Wake a waiter, and leave a permit for one that is about to wait.
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.lock().closed.is_some()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Takes every queued item without waiting.
    #[cfg(test)]
    pub(crate) fn drain(&self) -> Drained<T> {
        self.drain_at_most(usize::MAX)
    }

    /// Takes up to `max` queued items without waiting.
    #[cfg(test)]
    pub(crate) fn drain_at_most(&self, max: usize) -> Drained<T> {
        let mut taken = VecDeque::new();
        match self.take_into(&mut taken, max) {
            Ok(true) => Drained::Items(taken),
            Ok(false) => Drained::Empty,
            Err(why) => Drained::Closed(why),
        }
    }

    /// Moves up to `max` queued items to the back of `out` without waiting: true if there were
    /// any; the reason once the mailbox is closed and empty. When everything fits in an empty
    /// `out`, the two buffers are swapped: a reader draining into the same deque again and
    /// again hands the producer back its capacity, so neither side allocates per batch.
    pub(crate) fn take_into(&self, out: &mut VecDeque<T>, max: usize) -> Result<bool, Closed> {
        let mut s = self.lock();
        if s.items.is_empty() {
            return match &s.closed {
                Some(why) => Err(why.clone()),
                None => Ok(false),
            };
        }
        if out.is_empty() && s.items.len() <= max {
            std::mem::swap(&mut s.items, out);
        } else {
            // From the front: the rest of a long backlog stays where it is.
            let n = s.items.len().min(max);
            out.extend(s.items.drain(..n));
        }
        let left = s.items.len();
        drop(s);
        self.note_take(left);
        Ok(true)
    }

    /// Takes one item without waiting.
    pub(crate) fn pop(&self) -> Popped<T> {
        let mut s = self.lock();
        if let Some(item) = s.items.pop_front() {
            let left = s.items.len();
            drop(s);
            self.note_take(left);
            return Popped::Item(item);
        }
        match &s.closed {
            Some(why) => Popped::Closed(why.clone()),
            None => Popped::Empty,
        }
    }

    fn note_take(&self, left: usize) {
        self.last_take_ms.store(clock_ms(), Ordering::Relaxed);
        if left <= LOW_WATER {
            self.space.notify_waiters();
        }
    }

    /// Whether the oldest items are dropped when full (then no producer ever waits for space).
    pub(crate) fn is_bounded(&self) -> bool {
        self.capacity.is_some()
    }

    /// Items queued now.
    pub(crate) fn backlog(&self) -> usize {
        self.lock().items.len()
    }

    /// Whether the consumer took something within `window`, or the first item came that
    /// recently: a stream's first read comes a moment after its events start to arrive, and a
    /// producer that did not wait for it would buffer whatever the runtime sends meanwhile.
    pub(crate) fn consumer_active(&self, window: Duration) -> bool {
        let last = self.last_take_ms.load(Ordering::Relaxed);
        last != 0 && clock_ms().saturating_sub(last) <= window.as_millis() as u64
    }

    /// Backpressure for a producer: waits while more than [`LOW_WATER`] items are queued *and*
    /// the consumer keeps taking them (it took one within `idle`). A consumer that stops reading
    /// (it waits for something else, or has gone away) releases the producer after `idle`, so
    /// this bounds memory for a slow reader without ever blocking anyone for long.
    pub(crate) async fn wait_for_space(&self, idle: Duration) {
        loop {
            let space = self.space.notified();
            tokio::pin!(space);
            space.as_mut().enable();
            if self.backlog() <= LOW_WATER || self.is_closed() || !self.consumer_active(idle) {
                return;
            }
            let _ = tokio::time::timeout(idle, space).await;
        }
    }

    /// Waits until something is queued or the mailbox is closed. Cancel-safe: it consumes nothing,
    /// so dropping the future (an asyncio task cancelled, a timeout) loses no item.
    pub(crate) async fn ready(&self) {
        loop {
            let notified = self.notify.notified();
            {
                let s = self.lock();
                if !s.items.is_empty() || s.closed.is_some() {
                    return;
                }
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bounded_mailbox_drops_oldest() {
        let m = Mailbox::new(Some(2));
        for i in 0..5 {
            m.push(i);
        }
        let Drained::Items(items) = m.drain() else { panic!() };
        assert_eq!(Vec::from(items), vec![3, 4]);
        assert_eq!(m.dropped(), 3);
    }

    #[test]
    fn quiet_pushes_report_when_a_wake_is_due() {
        let m = Mailbox::new(None);
        assert!(m.push_quiet(1));
        assert!(!m.push_quiet(2));
        let Drained::Items(first) = m.drain_at_most(1) else { panic!() };
        assert_eq!(Vec::from(first), vec![1]);
        let Drained::Items(rest) = m.drain_at_most(10) else { panic!() };
        assert_eq!(Vec::from(rest), vec![2]);
        assert!(m.push_quiet(3));
    }

    #[test]
    fn items_before_close_are_still_delivered() {
        let m = Mailbox::new(None);
        m.push(1);
        m.close(Closed::new("gone"));
        m.push(2);
        let Drained::Items(items) = m.drain() else { panic!() };
        assert_eq!(Vec::from(items), vec![1]);
        assert!(matches!(m.drain(), Drained::Closed(c) if c.message() == "gone"));
    }

    #[tokio::test]
    async fn ready_wakes_on_push_from_another_task() {
        let m = Mailbox::new(None);
        let m2 = m.clone();
        let waiter = tokio::spawn(async move {
            m2.ready().await;
            m2.drain()
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        m.push(7);
        let Drained::Items(items) = tokio::time::timeout(Duration::from_secs(5), waiter).await.unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(Vec::from(items), vec![7]);
    }

    #[tokio::test]
    async fn a_producer_waits_for_space_only_while_the_consumer_reads() {
        let m = Mailbox::new(None);
        for i in 0..(LOW_WATER * 3) {
            m.push(i);
        }
        // Nobody has read yet: the producer waits for the first read for one idle window only.
        let started = std::time::Instant::now();
        tokio::time::timeout(Duration::from_secs(1), m.wait_for_space(Duration::from_millis(50))).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(50));
        // An active reader: the producer waits until the backlog is down to the low-water mark.
        m.drain_at_most(1);
        let m2 = m.clone();
        let producer = tokio::spawn(async move { m2.wait_for_space(Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!producer.is_finished());
        while m.backlog() > LOW_WATER {
            m.drain_at_most(100);
        }
        tokio::time::timeout(Duration::from_secs(5), producer).await.unwrap().unwrap();
        // A reader that stops releases the producer after the idle window.
        for i in 0..(LOW_WATER * 3) {
            m.push(i);
        }
        m.drain_at_most(1);
        tokio::time::timeout(Duration::from_secs(2), m.wait_for_space(Duration::from_millis(50))).await.unwrap();
    }

    #[tokio::test]
    async fn ready_wakes_on_close() {
        let m: Arc<Mailbox<u8>> = Mailbox::new(None);
        let m2 = m.clone();
        let waiter = tokio::spawn(async move { m2.ready().await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        m.close(Closed::new("bye"));
        tokio::time::timeout(Duration::from_secs(5), waiter).await.unwrap().unwrap();
    }
}
