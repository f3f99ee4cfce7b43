//! Routes each server notification to whoever waits for it: a turn's channel, a login's mailbox, or
//! the bounded global queue.
//!
//! Ordering guarantee: the reader task routes lines in arrival order and registers a turn's channel
//! when it processes that turn's `turn/start` response, before the caller even sees the response.
//! Events that arrive while a `turn/start` is in flight on their thread are kept in a provisional
//! channel, so a turn that streams (or even completes) before `turn/start` returns loses nothing.

use std::collections::VecDeque;

use ahash::{AHashMap as HashMap, AHashSet as HashSet};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use tokio::sync::Notify;

use crate::activity::ThreadActivity;
use crate::error::Closed;
use crate::mailbox::Mailbox;
use crate::protocol::{Event, RouteKeys};
use crate::turn::{TurnChannel, TURN_COMPLETED, TURN_STARTED};

pub(crate) const LOGIN_COMPLETED: &str = "account/login/completed";

/// The reader's memory of the last turn it routed to. Consecutive events mostly belong to one
/// turn; while that turn's channel is alive it is the one the router would choose (a turn gets a
/// new channel only after all subscribers of the old one are gone), so the router's lock and map
/// are skipped.
#[derive(Default)]
pub(crate) struct RouteCache {
    turn_id: String,
    channel: Weak<TurnChannel>,
}

impl RouteCache {
    fn channel_for(&self, turn_id: &str) -> Option<Arc<TurnChannel>> {
        if self.turn_id == turn_id {
            self.channel.upgrade()
        } else {
            None
        }
    }

    fn remember(&mut self, turn_id: &str, channel: &Arc<TurnChannel>) {
        self.turn_id.clear();
        self.turn_id.push_str(turn_id);
        self.channel = Arc::downgrade(channel);
    }
}

/// Where [`Router::route_quiet`] put an event.
pub(crate) struct Routed {
    pub(crate) mailbox: Arc<Mailbox<Event>>,
    /// The consumer may be waiting and must be woken.
    pub(crate) wake: bool,
}

/// Bounds on memory held for nobody. Events of turns nobody subscribed to are kept (so a handle
/// created later can still replay them) only up to these limits, oldest turn first out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) global_queue: usize,
    pub(crate) orphan_turns: usize,
    pub(crate) orphan_bytes: usize,
    pub(crate) early_logins: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { global_queue: 4096, orphan_turns: 64, orphan_bytes: 64 * 1024 * 1024, early_logins: 64 }
    }
}

#[derive(Default)]
struct Orphans {
    by_turn: HashMap<String, VecDeque<Event>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Orphans {
    fn push(&mut self, turn_id: &str, event: Event, limits: &Limits) {
        self.bytes += event.weight();
        match self.by_turn.get_mut(turn_id) {
            Some(q) => q.push_back(event),
            None => {
                self.by_turn.insert(turn_id.to_owned(), VecDeque::from([event]));
                self.order.push_back(turn_id.to_owned());
            }
        }
        while (self.order.len() > limits.orphan_turns || self.bytes > limits.orphan_bytes) && self.order.len() > 1 {
            let oldest = self.order.pop_front().expect("non-empty");
            self.forget(&oldest);
        }
    }

    fn take(&mut self, turn_id: &str) -> VecDeque<Event> {
        let Some(q) = self.by_turn.remove(turn_id) else { return VecDeque::new() };
        self.bytes -= q.iter().map(|e| e.weight()).sum::<usize>();
        self.order.retain(|t| t != turn_id);
        q
    }

    fn forget(&mut self, turn_id: &str) {
        if let Some(q) = self.by_turn.remove(turn_id) {
            self.bytes -= q.iter().map(|e| e.weight()).sum::<usize>();
        }
    }
}

#[derive(Default)]
struct State {
    /// Turns somebody holds a stream for.
    subscribed: HashMap<String, Weak<TurnChannel>>,
    /// Channels opened for unknown turns while a `turn/start` was in flight on their thread.
    provisional: HashMap<String, Arc<TurnChannel>>,
    /// Threads with a `turn/start` in flight (at most one each: see [`Router::try_begin_turn_start`]).
    starting: HashSet<String>,
    /// The turn running on each thread, as far as we know (ours, or announced by `turn/started`).
    running: HashMap<String, String>,
    orphans: Orphans,
    logins: HashMap<String, Weak<Mailbox<Event>>>,
    early_logins: VecDeque<(String, Event)>,
    closed: Option<Closed>,
}

pub(crate) struct Router {
    state: Mutex<State>,
    /// Woken when a thread may have become free for a new turn.
    turn_slots: Notify,
    global: Arc<Mailbox<Event>>,
    activity: ThreadActivity,
    limits: Limits,
}

impl Router {
    pub(crate) fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            turn_slots: Notify::new(),
            global: Mailbox::new(Some(limits.global_queue)),
            activity: ThreadActivity::default(),
            limits,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notifications that belong to no turn or login.
    pub(crate) fn global(&self) -> &Arc<Mailbox<Event>> {
        &self.global
    }

    /// Thread idle reports, for waiting out background work.
    pub(crate) fn activity(&self) -> &ThreadActivity {
        &self.activity
    }

    /// Delivers one notification and wakes its consumer.
    #[cfg(test)]
    pub(crate) fn route(&self, event: Event, keys: &RouteKeys) {
        if let Some(routed) = self.route_quiet(event, keys, &mut RouteCache::default()) {
            if routed.wake {
                routed.mailbox.wake();
            }
        }
    }

    /// Delivers one notification without waking anyone; returns the mailbox it went to (a
    /// turn's or the global one) and whether its consumer must be woken (see
    /// [`Mailbox::push_quiet`]).
    pub(crate) fn route_quiet(&self, event: Event, keys: &RouteKeys, cache: &mut RouteCache) -> Option<Routed> {
        if event.method() == LOGIN_COMPLETED {
            if let Some(login_id) = keys.login_id.as_deref() {
                self.route_login(login_id, event);
                return None;
            }
        }
        let Some(turn_id) = keys.turn_id.as_deref() else {
            if let Some(thread_id) = keys.thread_id.as_deref() {
                self.activity.observe(&event, thread_id);
            }
            let wake = self.global.push_quiet(event);
            return Some(Routed { mailbox: self.global.clone(), wake });
        };
        if let Some(thread_id) = keys.thread_id.as_deref() {
            match event.method() {
                TURN_STARTED => self.note_turn_running(thread_id, turn_id),
                TURN_COMPLETED => self.note_turn_done(thread_id, turn_id),
                _ => {}
            }
        }
        if let Some(ch) = cache.channel_for(turn_id) {
            let wake = ch.push_quiet(event);
            return Some(Routed { mailbox: ch.mailbox().clone(), wake });
        }
        let mut st = self.lock();
        if let Some(ch) = st.subscribed.get(turn_id).and_then(Weak::upgrade) {
            drop(st);
            cache.remember(turn_id, &ch);
            let wake = ch.push_quiet(event);
            return Some(Routed { mailbox: ch.mailbox().clone(), wake });
        }
        if let Some(ch) = st.provisional.get(turn_id) {
            // Nobody can be waiting on a provisional channel yet.
            ch.push_quiet(event);
            return None;
        }
        st.subscribed.remove(turn_id);
        let thread_starting = keys.thread_id.as_deref().is_some_and(|t| st.starting.contains(t));
        if thread_starting {
            let ch = TurnChannel::new(turn_id, keys.thread_id.as_deref());
            ch.extend(st.orphans.take(turn_id));
            ch.push_quiet(event);
            st.provisional.insert(turn_id.to_owned(), ch);
        } else {
            let limits = self.limits;
            st.orphans.push(turn_id, event, &limits);
        }
        None
    }

    fn route_login(&self, login_id: &str, event: Event) {
        let mut st = self.lock();
        if let Some(mb) = st.logins.get(login_id).and_then(Weak::upgrade) {
            drop(st);
            mb.push(event);
            return;
        }
        st.logins.remove(login_id);
        st.early_logins.push_back((login_id.to_owned(), event));
        while st.early_logins.len() > self.limits.early_logins {
            st.early_logins.pop_front();
        }
    }

    /// Claims the thread for a new turn if no turn is running or starting on it.
    pub(crate) fn try_begin_turn_start(&self, thread_id: &str) -> bool {
        let mut st = self.lock();
        if st.running.contains_key(thread_id) || st.starting.contains(thread_id) {
            return false;
        }
        st.starting.insert(thread_id.to_owned())
    }

    /// Resolves when some thread may have become free (see [`Router::try_begin_turn_start`]).
    pub(crate) fn turn_slot_freed(&self) -> tokio::sync::futures::Notified<'_> {
        self.turn_slots.notified()
    }

    fn note_turn_running(&self, thread_id: &str, turn_id: &str) {
        self.lock().running.entry(thread_id.to_owned()).or_insert_with(|| turn_id.to_owned());
    }

    fn note_turn_done(&self, thread_id: &str, turn_id: &str) {
        let mut st = self.lock();
        if st.running.get(thread_id).is_some_and(|t| t == turn_id) {
            st.running.remove(thread_id);
            drop(st);
            self.turn_slots.notify_waiters();
        }
    }

    /// Records that a `turn/start` for `thread_id` was answered. With the new turn's id (and a
    /// caller still waiting), returns that turn's channel, holding everything already routed to it.
    pub(crate) fn turn_start_finished(&self, thread_id: &str, turn_id: Option<&str>) -> Option<Arc<TurnChannel>> {
        let mut st = self.lock();
        st.starting.remove(thread_id);
        let channel = turn_id.map(|id| subscribe_locked(&mut st, id, Some(thread_id)));
        if let (Some(id), Some(ch)) = (turn_id, &channel) {
            // The turn may already have completed (routed before this response): then the
            // thread is free again.
            if !ch.completion_routed() {
                st.running.insert(thread_id.to_owned(), id.to_owned());
            }
        }
        // No start is pending on this thread any more: provisional channels nobody claimed
        // (events of some other turn that happened to arrive meanwhile) become orphans.
        let unclaimed: Vec<String> = st
            .provisional
            .iter()
            .filter(|(_, ch)| ch.thread_id() == Some(thread_id))
            .map(|(id, _)| id.clone())
            .collect();
        let limits = self.limits;
        for id in unclaimed {
            let ch = st.provisional.remove(&id).expect("listed above");
            for e in ch.take_unread() {
                st.orphans.push(&id, e, &limits);
            }
        }
        drop(st);
        self.turn_slots.notify_waiters();
        channel
    }

    /// A channel for `turn_id`, shared with any other live subscriber, replaying what was buffered.
    pub(crate) fn subscribe_turn(&self, turn_id: &str) -> Arc<TurnChannel> {
        subscribe_locked(&mut self.lock(), turn_id, None)
    }

    /// Drops the router's entry for a turn whose last subscriber went away.
    pub(crate) fn release_turn(&self, turn_id: &str) {
        let mut st = self.lock();
        if st.subscribed.get(turn_id).is_some_and(|w| w.strong_count() == 0) {
            st.subscribed.remove(turn_id);
        }
    }

    /// A mailbox for one login's completion, replaying one that already arrived.
    pub(crate) fn subscribe_login(&self, login_id: &str) -> Arc<Mailbox<Event>> {
        let mut st = self.lock();
        if let Some(mb) = st.logins.get(login_id).and_then(Weak::upgrade) {
            return mb;
        }
        let mb = Mailbox::new(None);
        if let Some(why) = &st.closed {
            mb.close(why.clone());
        }
        let (early, rest): (VecDeque<_>, VecDeque<_>) =
            std::mem::take(&mut st.early_logins).into_iter().partition(|(id, _)| id == login_id);
        st.early_logins = rest;
        mb.extend(early.into_iter().map(|(_, e)| e));
        st.logins.insert(login_id.to_owned(), Arc::downgrade(&mb));
        mb
    }

    /// Fails every waiter at once: the connection is gone.
    pub(crate) fn close(&self, why: Closed) {
        let mut st = self.lock();
        if st.closed.is_some() {
            return;
        }
        st.closed = Some(why.clone());
        let turns: Vec<Arc<TurnChannel>> =
            st.subscribed.values().filter_map(Weak::upgrade).chain(st.provisional.values().cloned()).collect();
        let logins: Vec<_> = st.logins.values().filter_map(Weak::upgrade).collect();
        drop(st);
        for ch in turns {
            ch.close(why.clone());
        }
        for mb in logins {
            mb.close(why.clone());
        }
        self.global.close(why);
        self.activity.close();
        self.turn_slots.notify_waiters();
    }

    /// Number of turns with buffered events nobody subscribed to.
    #[cfg(test)]
    pub(crate) fn orphan_turns(&self) -> usize {
        self.lock().orphans.order.len()
    }
}

/// A stream's hold on a turn channel. While any subscription to a turn lives, its events are
/// delivered to the channel; when the last one is dropped, the router forgets the turn.
pub(crate) struct TurnSubscription {
    channel: Option<Arc<TurnChannel>>,
    router: Arc<Router>,
}

impl TurnSubscription {
    pub(crate) fn new(router: Arc<Router>, channel: Arc<TurnChannel>) -> Self {
        Self { channel: Some(channel), router }
    }
}

impl std::ops::Deref for TurnSubscription {
    type Target = TurnChannel;

    fn deref(&self) -> &TurnChannel {
        self.channel.as_ref().expect("present until drop")
    }
}

impl Drop for TurnSubscription {
    fn drop(&mut self) {
        if let Some(channel) = self.channel.take() {
            let turn_id = channel.turn_id().to_owned();
            drop(channel);
            self.router.release_turn(&turn_id);
        }
    }
}

fn subscribe_locked(st: &mut State, turn_id: &str, thread_id: Option<&str>) -> Arc<TurnChannel> {
    if let Some(ch) = st.subscribed.get(turn_id).and_then(Weak::upgrade) {
        return ch;
    }
    let ch = match st.provisional.remove(turn_id) {
        Some(ch) => ch,
        None => {
            let ch = TurnChannel::new(turn_id, thread_id);
            ch.extend(st.orphans.take(turn_id));
            ch
        }
    };
    if let Some(why) = &st.closed {
        ch.close(why.clone());
    }
    st.subscribed.insert(turn_id.to_owned(), Arc::downgrade(&ch));
    ch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::turn::tests::take_all;
    use crate::turn::TurnEvent;

    fn keys<'a>(thread: &'a str, turn: Option<&'a str>) -> RouteKeys<'a> {
        RouteKeys { thread_id: Some(thread.into()), turn_id: turn.map(Into::into), login_id: None }
    }

    fn methods(ch: &TurnChannel) -> Vec<String> {
        take_all(ch).0
    }

    #[test]
    fn events_of_a_subscribed_turn_go_to_its_channel() {
        let r = Router::new(Limits::default());
        let ch = r.subscribe_turn("t1");
        r.route(Event::new("turn/started", b"{}"), &keys("th", Some("t1")));
        r.route(Event::new("other", b"{}"), &keys("th", Some("t2")));
        r.route(Event::new("thread/status/changed", b"{}"), &keys("th", None));
        assert_eq!(methods(&ch), vec!["turn/started"]);
        assert_eq!(r.orphan_turns(), 1);
        assert!(matches!(r.global().drain(), crate::mailbox::Drained::Items(v) if v.len() == 1));
    }

    #[test]
    fn a_turn_that_completes_before_turn_start_returns_is_replayed_whole() {
        let r = Router::new(Limits::default());
        assert!(r.try_begin_turn_start("th"));
        for m in ["turn/started", "item/agentMessage/delta", "turn/completed"] {
            r.route(Event::new(m, b"{}"), &keys("th", Some("t1")));
        }
        let ch = r.turn_start_finished("th", Some("t1")).unwrap();
        assert_eq!(methods(&ch), vec!["turn/started", "item/agentMessage/delta", "turn/completed"]);
        assert!(matches!(ch.take_one(), TurnEvent::Finished));
    }

    #[test]
    fn events_before_registration_without_pending_start_are_replayed_on_subscribe() {
        let r = Router::new(Limits::default());
        r.route(Event::new("turn/started", b"{}"), &keys("th", Some("t1")));
        r.route(Event::new("turn/completed", b"{}"), &keys("th", Some("t1")));
        let ch = r.subscribe_turn("t1");
        assert_eq!(methods(&ch), vec!["turn/started", "turn/completed"]);
        assert_eq!(r.orphan_turns(), 0);
    }

    #[test]
    fn unclaimed_provisional_channels_become_orphans() {
        let r = Router::new(Limits::default());
        assert!(r.try_begin_turn_start("th"));
        r.route(Event::new("late", b"{}"), &keys("th", Some("old")));
        r.route(Event::new("turn/started", b"{}"), &keys("th", Some("new")));
        let ch = r.turn_start_finished("th", Some("new")).unwrap();
        assert_eq!(methods(&ch), vec!["turn/started"]);
        assert_eq!(r.orphan_turns(), 1);
        assert_eq!(methods(&r.subscribe_turn("old")), vec!["late"]);
    }

    #[test]
    fn dropped_subscribers_stop_receiving_and_orphans_are_bounded() {
        let limits = Limits { orphan_turns: 3, ..Limits::default() };
        let r = Router::new(limits);
        let ch = r.subscribe_turn("t0");
        drop(ch);
        r.release_turn("t0");
        for i in 0..10 {
            r.route(Event::new("x", b"{}"), &keys("th", Some(&format!("t{i}"))));
        }
        assert_eq!(r.orphan_turns(), 3);
        assert!(matches!(r.subscribe_turn("t0").take_one(), TurnEvent::Empty));
        assert_eq!(methods(&r.subscribe_turn("t9")), vec!["x"]);
    }

    #[test]
    fn dropping_the_last_subscription_releases_the_turn() {
        let r = Router::new(Limits::default());
        let a = TurnSubscription::new(r.clone(), r.subscribe_turn("t1"));
        let b = TurnSubscription::new(r.clone(), r.subscribe_turn("t1"));
        drop(a);
        r.route(Event::new("x", b"{}"), &keys("th", Some("t1")));
        assert_eq!(methods(&b), vec!["x"]);
        drop(b);
        r.route(Event::new("y", b"{}"), &keys("th", Some("t1")));
        assert_eq!(r.orphan_turns(), 1);
    }

    #[test]
    fn a_thread_is_busy_from_turn_start_until_its_completion() {
        let r = Router::new(Limits::default());
        assert!(r.try_begin_turn_start("th"));
        assert!(!r.try_begin_turn_start("th"), "a second start waits for the first");
        let ch = r.turn_start_finished("th", Some("t1")).unwrap();
        assert!(!r.try_begin_turn_start("th"), "t1 is running");
        assert!(r.try_begin_turn_start("other"));
        r.route(Event::new("turn/completed", b"{}"), &keys("th", Some("t1")));
        assert!(r.try_begin_turn_start("th"));
        drop(ch);
    }

    #[test]
    fn a_turn_that_completed_before_its_response_does_not_keep_the_thread_busy() {
        let r = Router::new(Limits::default());
        assert!(r.try_begin_turn_start("th"));
        r.route(Event::new("turn/started", b"{}"), &keys("th", Some("t1")));
        r.route(Event::new("turn/completed", b"{}"), &keys("th", Some("t1")));
        let _ch = r.turn_start_finished("th", Some("t1")).unwrap();
        assert!(r.try_begin_turn_start("th"));
    }

    #[test]
    fn turns_started_elsewhere_keep_the_thread_busy() {
        let r = Router::new(Limits::default());
        r.route(Event::new("turn/started", b"{}"), &keys("th", Some("compaction")));
        assert!(!r.try_begin_turn_start("th"));
        r.route(Event::new("turn/completed", b"{}"), &keys("th", Some("compaction")));
        assert!(r.try_begin_turn_start("th"));
    }

    #[test]
    fn global_queue_is_bounded() {
        let r = Router::new(Limits { global_queue: 10, ..Limits::default() });
        for _ in 0..100 {
            r.route(Event::new("configWarning", b"{}"), &RouteKeys::default());
        }
        assert_eq!(r.global().dropped(), 90);
    }

    #[test]
    fn login_completion_before_subscription_is_kept() {
        let r = Router::new(Limits::default());
        let k = RouteKeys { login_id: Some("L".into()), ..RouteKeys::default() };
        r.route(Event::new(LOGIN_COMPLETED, br#"{"loginId":"L","success":true}"#), &k);
        let mb = r.subscribe_login("L");
        assert!(matches!(mb.drain(), crate::mailbox::Drained::Items(v) if v.len() == 1));
    }

    #[test]
    fn close_fails_every_waiter_and_later_subscribers() {
        let r = Router::new(Limits::default());
        let ch = r.subscribe_turn("t1");
        let login = r.subscribe_login("L");
        r.close(Closed::new("gone"));
        assert!(matches!(ch.take_one(), TurnEvent::Closed(_)));
        assert!(login.is_closed());
        assert!(r.global().is_closed());
        assert!(matches!(r.subscribe_turn("t2").take_one(), TurnEvent::Closed(_)));
    }
}
