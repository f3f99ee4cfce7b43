//! One turn's event channel: the queue its stream reads, and the running summary `run()` returns.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::error::Closed;
use crate::mailbox::{Drained, Mailbox};
use crate::protocol::Event;

pub const TURN_STARTED: &str = "turn/started";
pub const TURN_COMPLETED: &str = "turn/completed";
pub const ITEM_COMPLETED: &str = "item/completed";
pub const TOKEN_USAGE_UPDATED: &str = "thread/tokenUsage/updated";

/// What a finished turn leaves behind, gathered while its events pass by, so `run()` can answer
/// without materialising every delta as a Python object.
#[derive(Debug, Default, Clone)]
pub struct TurnSummary {
    /// `item/completed` notifications, in arrival order.
    pub items: Vec<Arc<Event>>,
    /// The latest `thread/tokenUsage/updated` notification.
    pub usage: Option<Arc<Event>>,
    /// The `turn/completed` notification.
    pub completed: Option<Arc<Event>>,
}

#[derive(Debug)]
pub struct TurnChannel {
    turn_id: String,
    thread_id: Option<String>,
    events: Arc<Mailbox<Arc<Event>>>,
    summary: Mutex<TurnSummary>,
    finished: AtomicBool,
    /// Set by the router when `turn/started` (or the completion) passes: the runtime rejects
    /// steer/interrupt for a turn it has not announced yet.
    started: AtomicBool,
    started_notify: Notify,
}

/// What one read of a turn's channel produced.
#[derive(Debug)]
pub enum TurnBatch {
    /// Events in order; the last one is the turn's completion when the turn just finished.
    Events(Vec<Arc<Event>>),
    /// Nothing queued yet.
    Empty,
    /// The turn's completion has already been handed out.
    Finished,
    /// The connection closed before the turn finished.
    Closed(Closed),
}

impl TurnChannel {
    pub fn new(turn_id: &str, thread_id: Option<&str>) -> Arc<Self> {
        Arc::new(Self {
            turn_id: turn_id.to_owned(),
            thread_id: thread_id.map(str::to_owned),
            events: Mailbox::new(None),
            summary: Mutex::new(TurnSummary::default()),
            finished: AtomicBool::new(false),
            started: AtomicBool::new(false),
            started_notify: Notify::new(),
        })
    }

    pub fn turn_id(&self) -> &str {
        &self.turn_id
    }

    pub fn thread_id(&self) -> Option<&str> {
        self.thread_id.as_deref()
    }

    pub fn push(&self, event: Arc<Event>) {
        self.note_start(&event);
        self.events.push(event);
    }

    /// Queues an event without waking the consumer; returns the mailbox to wake, if one is due.
    pub fn push_quiet(&self, event: Arc<Event>) -> Option<&Arc<Mailbox<Arc<Event>>>> {
        self.note_start(&event);
        self.events.push_quiet(event).then_some(&self.events)
    }

    pub fn extend(&self, events: impl IntoIterator<Item = Arc<Event>>) {
        let events: Vec<_> = events.into_iter().collect();
        events.iter().for_each(|e| self.note_start(e));
        self.events.extend(events);
    }

    fn note_start(&self, event: &Event) {
        if matches!(event.method(), TURN_STARTED | TURN_COMPLETED) && !self.started.swap(true, Ordering::AcqRel) {
            self.started_notify.notify_waiters();
        }
    }

    pub fn close(&self, why: Closed) {
        self.events.close(why);
        self.started_notify.notify_waiters();
    }

    /// Waits until the runtime has announced the turn (or the connection closed).
    pub async fn started(&self) {
        loop {
            let notified = self.started_notify.notified();
            if self.started.load(Ordering::Acquire) || self.events.is_closed() {
                return;
            }
            notified.await;
        }
    }

    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// Takes up to `max` queued events, stopping after the turn's completion, folding each into
    /// the summary. Events queued after the completion stay queued (they belong to no stream).
    pub fn take_batch(&self, max: usize) -> TurnBatch {
        if self.is_finished() {
            return TurnBatch::Finished;
        }
        match self.events.drain_at_most(max) {
            Drained::Empty => TurnBatch::Empty,
            Drained::Closed(why) => TurnBatch::Closed(why),
            Drained::Items(mut items) => {
                let mut summary = self.summary.lock().unwrap_or_else(|p| p.into_inner());
                let mut taken = Vec::with_capacity(items.len());
                while let Some(event) = items.pop_front() {
                    let done = fold(&mut summary, &event);
                    taken.push(event);
                    if done {
                        self.finished.store(true, Ordering::Release);
                        if !items.is_empty() {
                            self.events.extend_front(std::mem::take(&mut items));
                        }
                        break;
                    }
                }
                TurnBatch::Events(taken)
            }
        }
    }

    /// Waits until `take_batch` has something to say. Cancel-safe.
    pub async fn ready(&self) {
        if !self.is_finished() {
            self.events.ready().await;
        }
    }

    pub fn summary(&self) -> TurnSummary {
        self.summary.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Folds one event into the summary; true when it is the turn's completion.
fn fold(summary: &mut TurnSummary, event: &Arc<Event>) -> bool {
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
mod tests {
    use super::*;

    fn ev(method: &str) -> Arc<Event> {
        Arc::new(Event::new(method, b"{}"))
    }

    #[test]
    fn batch_stops_at_completion_and_summary_is_kept() {
        let ch = TurnChannel::new("t1", Some("th"));
        for m in ["turn/started", ITEM_COMPLETED, "item/agentMessage/delta", TOKEN_USAGE_UPDATED, ITEM_COMPLETED] {
            ch.push(ev(m));
        }
        let TurnBatch::Events(first) = ch.take_batch(usize::MAX) else { panic!() };
        assert_eq!(first.len(), 5);
        assert!(matches!(ch.take_batch(usize::MAX), TurnBatch::Empty));
        ch.push(ev(TURN_COMPLETED));
        ch.push(ev("late/event"));
        let TurnBatch::Events(second) = ch.take_batch(usize::MAX) else { panic!() };
        assert_eq!(second.iter().map(|e| e.method()).collect::<Vec<_>>(), vec![TURN_COMPLETED]);
        assert!(matches!(ch.take_batch(usize::MAX), TurnBatch::Finished));
        let s = ch.summary();
        assert_eq!(s.items.len(), 2);
        assert!(s.usage.is_some() && s.completed.is_some());
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
        assert!(matches!(ch.take_batch(usize::MAX), TurnBatch::Events(v) if v.len() == 1));
        assert!(matches!(ch.take_batch(usize::MAX), TurnBatch::Closed(c) if c.message() == "died"));
    }
}
