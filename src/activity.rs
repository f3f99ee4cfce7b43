//! Which threads the runtime has reported idle, and how often, and the rule built on it: a
//! `turn/start` sent while the runtime compacts the thread is accepted but never runs, so after
//! this client started a compaction (`thread/compact/start`), the thread's next turn first waits
//! for the runtime to report the thread idle again (see `Connection::start_turn`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use ahash::AHashMap as HashMap;
use tokio::sync::Notify;

use crate::protocol::Event;

pub(crate) const THREAD_STATUS_CHANGED: &str = "thread/status/changed";

#[derive(Default)]
pub(crate) struct ThreadActivity {
    /// Number of `thread/status/changed` → idle notifications seen, per thread id.
    idle_counts: Mutex<HashMap<String, u64>>,
    /// Compactions this client started, per thread: the thread's idle count before each.
    compactions: Mutex<HashMap<String, u64>>,
    changed: Notify,
    closed: AtomicBool,
}

impl ThreadActivity {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        lock(&self.idle_counts)
    }

    /// Notes a status change if `event` is one that says `thread_id` went idle.
    pub(crate) fn observe(&self, event: &Event, thread_id: &str) {
        #[derive(serde::Deserialize)]
        struct Status<'a> {
            #[serde(rename = "type", borrow)]
            kind: std::borrow::Cow<'a, str>,
        }
        #[derive(serde::Deserialize)]
        struct Params<'a> {
            #[serde(borrow)]
            status: Status<'a>,
        }
        if event.method() != THREAD_STATUS_CHANGED {
            return;
        }
        let idle = serde_json::from_slice::<Params<'_>>(event.params_json()).is_ok_and(|p| p.status.kind == "idle");
        if idle {
            *self.lock().entry(thread_id.to_owned()).or_default() += 1;
            self.changed.notify_waiters();
        }
    }

    pub(crate) fn idle_count(&self, thread_id: &str) -> u64 {
        self.lock().get(thread_id).copied().unwrap_or(0)
    }

    /// Waits until `thread_id` has gone idle more than `count` times (or the connection closed).
    pub(crate) async fn idle_after(&self, thread_id: &str, count: u64) {
        loop {
            let changed = self.changed.notified();
            if self.idle_count(thread_id) > count || self.closed.load(Ordering::Acquire) {
                return;
            }
            changed.await;
        }
    }

    /// Notes that a compaction of `thread_id` started, the thread having gone idle `idle_before`
    /// times before it was asked for.
    pub(crate) fn compaction_started(&self, thread_id: &str, idle_before: u64) {
        lock(&self.compactions).insert(thread_id.to_owned(), idle_before);
    }

    /// Waits until a compaction this client started on `thread_id` has ended (the thread went
    /// idle since), for `limit` at most, then forgets it; returns at once if there is none.
    /// Cancel-safe: the compaction is forgotten only once the wait is over.
    pub(crate) async fn compaction_ended(&self, thread_id: &str, limit: Duration) {
        let Some(idle_before) = lock(&self.compactions).get(thread_id).copied() else { return };
        let _ = tokio::time::timeout(limit, self.idle_after(thread_id, idle_before)).await;
        let mut compactions = lock(&self.compactions);
        // A compaction started meanwhile is another one, to be waited for by the next turn.
        if compactions.get(thread_id) == Some(&idle_before) {
            compactions.remove(thread_id);
        }
    }

    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.changed.notify_waiters();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[tokio::test]
    async fn waits_for_the_next_idle_report() {
        let a = Arc::new(ThreadActivity::default());
        let before = a.idle_count("th");
        let a2 = a.clone();
        let waiter = tokio::spawn(async move { a2.idle_after("th", before).await });
        a.observe(&Event::new(THREAD_STATUS_CHANGED, br#"{"threadId":"th","status":{"type":"active"}}"#), "th");
        a.observe(&Event::new(THREAD_STATUS_CHANGED, br#"{"threadId":"other","status":{"type":"idle"}}"#), "other");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        a.observe(&Event::new(THREAD_STATUS_CHANGED, br#"{"threadId":"th","status":{"type":"idle"}}"#), "th");
        tokio::time::timeout(Duration::from_secs(5), waiter).await.unwrap().unwrap();
        assert_eq!(a.idle_count("th"), before + 1);
    }

    fn idle(thread_id: &str) -> Event {
        let params = format!(r#"{{"threadId":"{thread_id}","status":{{"type":"idle"}}}}"#);
        Event::new(THREAD_STATUS_CHANGED, params.as_bytes())
    }

    #[tokio::test]
    async fn a_turn_after_a_compaction_waits_for_the_thread_to_go_idle_once() {
        let a = Arc::new(ThreadActivity::default());
        // No compaction: nothing to wait for.
        tokio::time::timeout(Duration::from_secs(1), a.compaction_ended("th", Duration::from_secs(600))).await.unwrap();

        a.compaction_started("th", a.idle_count("th"));
        let a2 = a.clone();
        let turn = tokio::spawn(async move { a2.compaction_ended("th", Duration::from_secs(600)).await });
        a.observe(&idle("other"), "other");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!turn.is_finished(), "another thread's idle report is not this compaction's end");
        a.observe(&idle("th"), "th");
        tokio::time::timeout(Duration::from_secs(5), turn).await.unwrap().unwrap();
        // Waited for once: the next turn goes at once.
        tokio::time::timeout(Duration::from_secs(1), a.compaction_ended("th", Duration::from_secs(600))).await.unwrap();
    }

    #[tokio::test]
    async fn the_wait_for_a_compaction_is_bounded() {
        let a = ThreadActivity::default();
        a.compaction_started("th", a.idle_count("th"));
        let started = std::time::Instant::now();
        a.compaction_ended("th", Duration::from_millis(50)).await;
        assert!(started.elapsed() >= Duration::from_millis(50));
        // Given up on: forgotten as well.
        tokio::time::timeout(Duration::from_secs(1), a.compaction_ended("th", Duration::from_secs(600))).await.unwrap();
    }
}
