//! Which threads the runtime has reported idle, and how often: lets a caller wait for work the
//! runtime does in the background (a compaction) to end before starting a turn, since a
//! `turn/start` sent while a compaction runs is accepted but never runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use ahash::AHashMap as HashMap;
use tokio::sync::Notify;

use crate::protocol::Event;

pub(crate) const THREAD_STATUS_CHANGED: &str = "thread/status/changed";

#[derive(Default)]
pub(crate) struct ThreadActivity {
    /// Number of `thread/status/changed` → idle notifications seen, per thread id.
    idle_counts: Mutex<HashMap<String, u64>>,
    changed: Notify,
    closed: AtomicBool,
}

impl ThreadActivity {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        self.idle_counts.lock().unwrap_or_else(|p| p.into_inner())
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

    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.changed.notify_waiters();
    }
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
}
