//! One turn's event channel: the queue its stream reads, and the running summary `run()` returns.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::error::Closed;
use crate::mailbox::Mailbox;
use crate::protocol::Event;

pub(crate) const TURN_STARTED: &str = "turn/started";
pub(crate) const TURN_COMPLETED: &str = "turn/completed";
pub(crate) const ITEM_COMPLETED: &str = "item/completed";
pub(crate) const TOKEN_USAGE_UPDATED: &str = "thread/tokenUsage/updated";

/// What a finished turn leaves behind, gathered while its events pass by, so `run()` can answer
/// without materialising every delta as a Python object.
#[derive(Debug, Default, Clone)]
pub(crate) struct TurnSummary {
    /// `item/completed` notifications, in arrival order.
    pub(crate) items: Vec<Event>,
    /// The latest `thread/tokenUsage/updated` notification.
    pub(crate) usage: Option<Event>,
    /// The `turn/completed` notification.
    pub(crate) completed: Option<Event>,
}

/// How many events a reader moves from the shared queue to its own side at once: the router and
/// the reader then meet on the queue's lock once per batch, not once per event.
const PREFETCH: usize = 256;

/// The consumer's side of a channel: events already taken off the shared queue but not yet
/// handed out (they belong to the channel, so a reader that stops early loses none), and the
/// summary of those handed out.
#[derive(Debug, Default)]
struct ReaderSide {
    prefetched: VecDeque<Event>,
    summary: TurnSummary,
}

#[derive(Debug)]
pub(crate) struct TurnChannel {
    turn_id: String,
    thread_id: Option<String>,
    events: Arc<Mailbox<Event>>,
    reader: Mutex<ReaderSide>,
    finished: AtomicBool,
    /// Set by the router when `turn/started` (or the completion) passes: the runtime rejects
    /// steer/interrupt for a turn it has not announced yet.
    started: AtomicBool,
    started_notify: Notify,
    /// Set by the router when the turn's completion is queued (not yet read).
    completion_routed: AtomicBool,
}

/// What taking one event from a turn's channel produced.
#[derive(Debug)]
pub(crate) enum TurnEvent {
    /// The next event; the turn's completion when the turn just finished.
    Event(Event),
    Empty,
    Finished,
    Closed(Closed),
}

impl TurnChannel {
    pub(crate) fn new(turn_id: &str, thread_id: Option<&str>) -> Arc<Self> {
        Arc::new(Self {
            turn_id: turn_id.to_owned(),
            thread_id: thread_id.map(str::to_owned),
            events: Mailbox::new(None),
            reader: Mutex::new(ReaderSide::default()),
            finished: AtomicBool::new(false),
            started: AtomicBool::new(false),
            started_notify: Notify::new(),
            completion_routed: AtomicBool::new(false),
        })
    }

    pub(crate) fn turn_id(&self) -> &str {
        &self.turn_id
    }

    pub(crate) fn thread_id(&self) -> Option<&str> {
        self.thread_id.as_deref()
    }

    #[cfg(test)]
    pub(crate) fn push(&self, event: Event) {
        self.note_start(&event);
        self.events.push(event);
    }

    /// Queues an event without waking the consumer; true when a wake is due (see
    /// [`Mailbox::push_quiet`]).
    pub(crate) fn push_quiet(&self, event: Event) -> bool {
        self.note_start(&event);
        self.events.push_quiet(event)
    }

    /// The shared queue the router fills.
    pub(crate) fn mailbox(&self) -> &Arc<Mailbox<Event>> {
        &self.events
    }

    pub(crate) fn extend(&self, events: impl IntoIterator<Item = Event>) {
        let events: Vec<_> = events.into_iter().collect();
        events.iter().for_each(|e| self.note_start(e));
        self.events.extend(events);
    }

    fn note_start(&self, event: &Event) {
        if event.method() == TURN_COMPLETED {
            self.completion_routed.store(true, Ordering::Release);
        }
        if matches!(event.method(), TURN_STARTED | TURN_COMPLETED) && !self.started.swap(true, Ordering::AcqRel) {
            self.started_notify.notify_waiters();
        }
    }

    /// Whether the turn's completion has been routed here (read or not).
    pub(crate) fn completion_routed(&self) -> bool {
        self.completion_routed.load(Ordering::Acquire)
    }

    pub(crate) fn close(&self, why: Closed) {
        self.events.close(why);
        self.started_notify.notify_waiters();
    }

    /// Waits until the runtime has announced the turn (or the connection closed).
    pub(crate) async fn started(&self) {
        loop {
            let notified = self.started_notify.notified();
            if self.started.load(Ordering::Acquire) || self.events.is_closed() {
                return;
            }
            notified.await;
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// Takes the next event, folding it into the summary. The iteration ends with the turn's
    /// completion; events queued after it belong to no stream.
    pub(crate) fn take_one(&self) -> TurnEvent {
        if self.is_finished() {
            return TurnEvent::Finished;
        }
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        if reader.prefetched.is_empty() {
            match self.events.take_into(&mut reader.prefetched, PREFETCH) {
                Ok(true) => {}
                Ok(false) => return TurnEvent::Empty,
                Err(why) => return TurnEvent::Closed(why),
            }
        }
        let event = reader.prefetched.pop_front().expect("refilled above");
        if fold(&mut reader.summary, &event) {
            self.finished.store(true, Ordering::Release);
        }
        TurnEvent::Event(event)
    }

    /// Everything queued, without folding: for a channel nobody reads (the router demoting it).
    pub(crate) fn take_unread(&self) -> Vec<Event> {
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        // Queued events go after those already prefetched; a closed mailbox has none left.
        let _ = self.events.take_into(&mut reader.prefetched, usize::MAX);
        reader.prefetched.drain(..).collect()
    }

    /// Waits until `take_one` has something to say. Cancel-safe.
    pub(crate) async fn ready(&self) {
        let prefetched = !self.reader.lock().unwrap_or_else(|p| p.into_inner()).prefetched.is_empty();
        if !prefetched && !self.is_finished() {
            self.events.ready().await;
        }
    }

    pub(crate) fn summary(&self) -> TurnSummary {
        self.reader.lock().unwrap_or_else(|p| p.into_inner()).summary.clone()
    }
}

/// Folds one event into the summary; true when it is the turn's completion.
fn fold(summary: &mut TurnSummary, event: &Event) -> bool {
    match event.method() {
        ITEM_COMPLETED => summary.items.push(event.clone()),
        TOKEN_USAGE_UPDATED => summary.usage = Some(event.clone()),
        TURN_COMPLETED => {
            summary.completed = Some(event.clone());
            return true;
        }
        _ => {}
    }
    false
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn ev(method: &str) -> Event {
        Event::new(method, b"{}")
    }

    /// Methods of everything `take_one` hands out until it stops, and why it stopped.
    pub(crate) fn take_all(ch: &TurnChannel) -> (Vec<String>, TurnEvent) {
        let mut seen = Vec::new();
        loop {
            match ch.take_one() {
                TurnEvent::Event(e) => seen.push(e.method().to_owned()),
                other => return (seen, other),
            }
        }
    }

    #[test]
    fn events_end_at_completion_and_summary_is_kept() {
        let ch = TurnChannel::new("t1", Some("th"));
        for m in ["turn/started", ITEM_COMPLETED, "item/agentMessage/delta", TOKEN_USAGE_UPDATED, ITEM_COMPLETED] {
            ch.push(ev(m));
        }
        let (first, stop) = take_all(&ch);
        assert_eq!(first.len(), 5);
        assert!(matches!(stop, TurnEvent::Empty));
        ch.push(ev(TURN_COMPLETED));
        ch.push(ev("late/event"));
        let (second, stop) = take_all(&ch);
        assert_eq!(second, vec![TURN_COMPLETED]);
        assert!(matches!(stop, TurnEvent::Finished));
        let s = ch.summary();
        assert_eq!(s.items.len(), 2);
        assert!(s.usage.is_some() && s.completed.is_some());
    }

    #[test]
    fn a_reader_that_stops_early_leaves_the_rest_queued() {
        let ch = TurnChannel::new("t1", None);
        for m in ["turn/started", "a", "b", TURN_COMPLETED] {
            ch.push(ev(m));
        }
        assert!(matches!(ch.take_one(), TurnEvent::Event(e) if e.method() == "turn/started"));
        let (rest, _) = take_all(&ch);
        assert_eq!(rest, vec!["a", "b", TURN_COMPLETED]);
    }

    #[tokio::test]
    async fn started_resolves_once_turn_started_is_routed() {
        let ch = TurnChannel::new("t1", None);
        let ch2 = ch.clone();
        let waiter = tokio::spawn(async move { ch2.started().await });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        ch.push(ev(TURN_STARTED));
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter).await.unwrap().unwrap();
    }

    #[test]
    fn close_is_reported_after_queued_events() {
        let ch = TurnChannel::new("t1", None);
        ch.push(ev("turn/started"));
        ch.close(Closed::new("died"));
        let (seen, stop) = take_all(&ch);
        assert_eq!(seen, vec!["turn/started"]);
        assert!(matches!(stop, TurnEvent::Closed(c) if c.message() == "died"));
    }
}
