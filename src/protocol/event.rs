//! One server notification as the router queues it and Python reads it.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;

use super::members::Members;

/// One server notification: its method and the raw JSON of its params. Cheap to clone (two
/// reference counts): queues, summaries and Python objects share one copy of the bytes. The
/// member index, when there is one, rides in the same allocation, after the params.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    method: Arc<str>,
    data: Data,
    params_len: u32,
    /// See [`Event::shape`].
    shape: u64,
}

/// Where an event's bytes live.
#[derive(Debug, Clone)]
enum Data {
    /// The params bytes, then the encoded member index (see `members`).
    Inline(Arc<[u8]>),
    /// The params of a large line, in the line's own memory (see `framing::Line::shared`); not
    /// indexed. Behind an `Arc` although `Bytes` counts its own references: so `Data` is 16
    /// bytes, as the one `Arc<[u8]>` was (with a bare `Bytes`, 40), and events are no bigger.
    Shared(Arc<Bytes>),
}

impl Event {
    /// An event made here rather than read off the wire (its members are not indexed).
    pub(crate) fn new(method: &str, params_json: &[u8]) -> Self {
        Self::with_members(method_name(method), params_json, super::members::UNINDEXED)
    }

    /// Events of one nonzero shape have the same members, in the same order, with values of the
    /// same kinds; only the text of string values may differ. The reader gives lines it reads
    /// through one remembered line (see `repeats`) that line's shape; 0 is no shape. Shapes are
    /// unique in the process, so a check made on the members holds for all events of a shape.
    pub(crate) fn shape(&self) -> u64 {
        self.shape
    }

    pub(super) fn with_shape(mut self, shape: u64) -> Self {
        self.shape = shape;
        self
    }

    /// `tail` is what a member index stores after the params (see
    /// [`MemberIndex::tail`](super::members::MemberIndex::tail)).
    pub(super) fn with_members(method: Arc<str>, params: &[u8], tail: &[u8]) -> Self {
        // Written straight into the shared allocation, without zeroing it first.
        let mut data = Arc::<[u8]>::new_uninit_slice(params.len() + tail.len());
        let buf = Arc::get_mut(&mut data).expect("a fresh Arc is unique").as_mut_ptr().cast::<u8>();
        // SAFETY: `buf` holds exactly `params.len() + tail.len()` bytes, written here in two
        // disjoint runs from slices that cannot overlap a fresh allocation; after that every
        // byte is initialised.
        let data = unsafe {
            std::ptr::copy_nonoverlapping(params.as_ptr(), buf, params.len());
            std::ptr::copy_nonoverlapping(tail.as_ptr(), buf.add(params.len()), tail.len());
            data.assume_init()
        };
        Self { method, data: Data::Inline(data), params_len: params.len() as u32, shape: 0 }
    }

    /// An event whose params are `params`, kept as they are rather than copied.
    pub(super) fn shared(method: Arc<str>, params: Bytes) -> Self {
        Self { method, params_len: params.len() as u32, data: Data::Shared(Arc::new(params)), shape: 0 }
    }

    /// The params' top-level members, if the reader indexed them (flat objects of at most
    /// [`INDEXED_MEMBERS`](super::members::INDEXED_MEMBERS) members under 64 KiB).
    pub(crate) fn members(&self) -> Option<Members<'_>> {
        match &self.data {
            Data::Inline(data) => Members::in_tail(&data[self.params_len as usize..]),
            Data::Shared(_) => None,
        }
    }

    pub(crate) fn method(&self) -> &str {
        &self.method
    }

    /// The method name, shared by every event with the same method.
    pub(crate) fn method_arc(&self) -> &Arc<str> {
        &self.method
    }

    /// The raw JSON of `params` (`{}` when the notification had none).
    pub(crate) fn params_json(&self) -> &[u8] {
        match &self.data {
            _ if self.params_len == 0 => b"{}",
            Data::Inline(data) => &data[..self.params_len as usize],
            Data::Shared(params) => params,
        }
    }

    /// Approximate heap footprint, for the router's memory bounds.
    pub(crate) fn weight(&self) -> usize {
        match &self.data {
            Data::Inline(data) => data.len() + 64,
            Data::Shared(params) => params.len() + 96,
        }
    }
}

/// Method names are a small fixed set; sharing one allocation per name keeps queued events small.
/// The table is bounded so a misbehaving server cannot grow it without limit.
pub(super) fn method_name(name: &str) -> Arc<str> {
    thread_local! {
        // Consecutive events mostly share a method (a stream of deltas): skip the table then.
        static LAST: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some(known) = last.as_ref().filter(|known| ***known == *name) {
            return known.clone();
        }
        let found = shared_method_name(name);
        *last = Some(found.clone());
        found
    })
}

fn shared_method_name(name: &str) -> Arc<str> {
    const MAX_NAMES: usize = 1024;
    static NAMES: OnceLock<Mutex<HashSet<Arc<str>>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = names.get(name) {
        return known.clone();
    }
    let fresh: Arc<str> = name.into();
    if names.len() < MAX_NAMES {
        names.insert(fresh.clone());
    }
    fresh
}
