//! One turn's event channel: the queue its stream reads, and the running summary `run()` returns.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ahash::AHashMap as HashMap;
use tokio::time::Instant;

use tokio::sync::Notify;

use crate::error::Closed;
use crate::mailbox::Mailbox;
use crate::protocol::Event;

pub(crate) const TURN_STARTED: &str = "turn/started";
pub(crate) const TURN_COMPLETED: &str = "turn/completed";
pub(crate) const ITEM_STARTED: &str = "item/started";
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

/// Under load the runtime can send an item's `item/completed` just after its turn's
/// `turn/completed`. A completed turn with items still open holds its completion back this long
/// at most for them, so the result is never silently short of an item the agent produced.
pub(crate) const LATE_ITEMS_GRACE: Duration = Duration::from_secs(2);

/// The consumer's side of a channel: events already taken off the shared queue but not yet
/// handed out (they belong to the channel, so a reader that stops early loses none), and the
/// summary of those handed out.
#[derive(Debug, Default)]
struct ReaderSide {
    prefetched: VecDeque<Event>,
    summary: TurnSummary,
    /// Items handed out as started and not yet completed: item id -> its `item/started`.
    open_items: HashMap<Box<str>, Event>,
    /// The turn's completion, held back while items are still open, and until when.
    held: Option<(Event, Instant)>,
}

impl ReaderSide {
    /// The held completion, once its items have all completed or the grace ran out.
    fn release_held(&mut self) -> Option<Event> {
        let due = self.held.as_ref().is_some_and(|(_, until)| self.open_items.is_empty() || Instant::now() >= *until);
        if !due {
            return None;
        }
        let (completion, _) = self.held.take().expect("checked above");
        // Items that never completed are still part of the turn: they go into the result as
        // they were last seen (started), not left out.
        let mut missing: Vec<Event> = self.open_items.drain().map(|(_, started)| started).collect();
        missing.sort_by_key(|e| e.params_json().len()); // any fixed order; ids carry no time
        self.summary.items.extend(missing);
        Some(completion)
    }
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
    /// completion; events queued after it belong to no stream, except the late `item/completed`
    /// of items still open, which are handed out before the (held back) completion.
    pub(crate) fn take_one(&self) -> TurnEvent {
        if self.is_finished() {
            return TurnEvent::Finished;
        }
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(completion) = reader.release_held() {
                fold(&mut reader, &completion);
                self.finished.store(true, Ordering::Release);
                return TurnEvent::Event(completion);
            }
            if reader.prefetched.is_empty() {
                match self.events.take_into(&mut reader.prefetched, PREFETCH) {
                    Ok(true) => {}
                    Ok(false) => return TurnEvent::Empty,
                    // A held completion is still the turn's end: a closed connection cannot
                    // deliver the missing items any more.
                    Err(_) if reader.held.is_some() => {
                        let until = Instant::now();
                        if let Some((_, deadline)) = reader.held.as_mut() {
                            *deadline = until;
                        }
                        continue;
                    }
                    Err(why) => return TurnEvent::Closed(why),
                }
            }
            let event = reader.prefetched.pop_front().expect("refilled above");
            if reader.held.is_some() {
                // After the completion only the open items' completions belong to the turn.
                if event.method() == ITEM_COMPLETED
                    && item_id(&event).is_some_and(|id| reader.open_items.contains_key(id))
                {
                    fold(&mut reader, &event);
                    return TurnEvent::Event(event);
                }
                continue;
            }
            if event.method() == TURN_COMPLETED && !reader.open_items.is_empty() && completed_normally(&event) {
                reader.held = Some((event, Instant::now() + LATE_ITEMS_GRACE));
                continue;
            }
            if fold(&mut reader, &event) {
                self.finished.store(true, Ordering::Release);
            }
            return TurnEvent::Event(event);
        }
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
        let (prefetched, held_until) = {
            let reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
            (!reader.prefetched.is_empty(), reader.held.as_ref().map(|(_, until)| *until))
        };
        if prefetched || self.is_finished() {
            return;
        }
        match held_until {
            // A held completion is due at its deadline even if nothing more arrives.
            Some(until) => {
                let _ = tokio::time::timeout_at(until, self.events.ready()).await;
            }
            None => self.events.ready().await,
        }
    }

    pub(crate) fn summary(&self) -> TurnSummary {
        self.reader.lock().unwrap_or_else(|p| p.into_inner()).summary.clone()
    }
}

/// Folds one event into the summary (and the open items); true when it is the turn's completion.
fn fold(reader: &mut ReaderSide, event: &Event) -> bool {
    match event.method() {
        ITEM_STARTED => {
            if let Some(id) = item_id(event) {
                reader.open_items.insert(id.into(), event.clone());
            }
        }
        ITEM_COMPLETED => {
            if let Some(id) = item_id(event) {
                reader.open_items.remove(id);
            }
            reader.summary.items.push(event.clone());
        }
        TOKEN_USAGE_UPDATED => reader.summary.usage = Some(event.clone()),
        TURN_COMPLETED => {
            reader.summary.completed = Some(event.clone());
            return true;
        }
        _ => {}
    }
    false
}

/// The `item.id` of an `item/started` or `item/completed` notification.
fn item_id(event: &Event) -> Option<&str> {
    #[derive(serde::Deserialize)]
    struct Params<'a> {
        #[serde(borrow)]
        item: ItemRef<'a>,
    }
    #[derive(serde::Deserialize)]
    struct ItemRef<'a> {
        #[serde(borrow)]
        id: &'a str,
    }
    serde_json::from_slice::<Params<'_>>(event.params_json()).ok().map(|p| p.item.id)
}

/// Whether a `turn/completed` says the turn ran to its end (not interrupted or failed: then
/// open items will not complete, and nothing is waited for).
fn completed_normally(event: &Event) -> bool {
    #[derive(serde::Deserialize)]
    struct Params<'a> {
        #[serde(borrow)]
        turn: Turn<'a>,
    }
    #[derive(serde::Deserialize)]
    struct Turn<'a> {
        #[serde(borrow)]
        status: &'a str,
    }
    serde_json::from_slice::<Params<'_>>(event.params_json()).is_ok_and(|p| p.turn.status == "completed")
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

    fn item(method: &str, id: &str) -> Event {
        Event::new(
            method,
            format!(r#"{{"item":{{"id":"{id}","type":"commandExecution"}},"threadId":"th"}}"#).as_bytes(),
        )
    }

    fn completion(status: &str) -> Event {
        Event::new(
            TURN_COMPLETED,
            format!(r#"{{"threadId":"th","turn":{{"id":"t1","status":"{status}"}}}}"#).as_bytes(),
        )
    }

    #[test]
    fn an_item_completed_after_the_turn_is_handed_out_before_the_completion() {
        let ch = TurnChannel::new("t1", Some("th"));
        for e in [ev(TURN_STARTED), item(ITEM_STARTED, "a"), item(ITEM_STARTED, "b"), item(ITEM_COMPLETED, "a")] {
            ch.push(e);
        }
        ch.push(completion("completed"));
        let (seen, stop) = take_all(&ch);
        assert_eq!(seen, [TURN_STARTED, ITEM_STARTED, ITEM_STARTED, ITEM_COMPLETED]);
        assert!(matches!(stop, TurnEvent::Empty), "the completion waits for item b");
        // Late: b's completion, and an unrelated event that belongs to no stream.
        ch.push(ev("thread/status/changed"));
        ch.push(item(ITEM_COMPLETED, "b"));
        let (seen, stop) = take_all(&ch);
        assert_eq!(seen, [ITEM_COMPLETED, TURN_COMPLETED]);
        assert!(matches!(stop, TurnEvent::Finished));
        assert_eq!(ch.summary().items.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_item_that_never_completes_is_kept_as_started_after_the_grace() {
        let ch = TurnChannel::new("t1", Some("th"));
        for e in [item(ITEM_STARTED, "a"), completion("completed")] {
            ch.push(e);
        }
        assert!(matches!(ch.take_one(), TurnEvent::Event(e) if e.method() == ITEM_STARTED));
        assert!(matches!(ch.take_one(), TurnEvent::Empty));
        let waited = Instant::now();
        ch.ready().await; // returns at the deadline, with nothing new queued
        assert!(waited.elapsed() >= LATE_ITEMS_GRACE);
        assert!(matches!(ch.take_one(), TurnEvent::Event(e) if e.method() == TURN_COMPLETED));
        let items = ch.summary().items;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].method(), ITEM_STARTED, "the item is in the result as last seen");
    }

    #[test]
    fn an_interrupted_turn_does_not_wait_for_its_open_items() {
        let ch = TurnChannel::new("t1", Some("th"));
        for e in [item(ITEM_STARTED, "a"), completion("interrupted")] {
            ch.push(e);
        }
        let (seen, stop) = take_all(&ch);
        assert_eq!(seen, [ITEM_STARTED, TURN_COMPLETED]);
        assert!(matches!(stop, TurnEvent::Finished));
    }

    #[test]
    fn a_closed_connection_ends_a_held_completion_at_once() {
        let ch = TurnChannel::new("t1", Some("th"));
        for e in [item(ITEM_STARTED, "a"), completion("completed")] {
            ch.push(e);
        }
        let _ = take_all(&ch);
        ch.close(Closed::new("gone"));
        assert!(matches!(ch.take_one(), TurnEvent::Event(e) if e.method() == TURN_COMPLETED));
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
