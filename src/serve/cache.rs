//! Answers by request: a bounded map from a request's canonical key to its answer, where
//! the first request for a key computes it on a worker thread and every later request
//! (concurrent or not) waits for that one answer instead of planning again.
//!
//! Why this shape: a plan of the sample takes about a second of CPU, the machine may
//! have two cores, and a page moving a slider sends the same settings more than once. A
//! request that waits past its deadline is answered 504 while its worker goes on (the
//! planner has no cancellation points): the answer lands in the cache, so the retry is
//! instant, and the number of workers is bounded, so abandoned work cannot pile up.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

/// One key's answer, filled once.
pub struct Slot<V> {
    value: Mutex<Option<V>>,
    ready: Condvar,
}

impl<V: Clone> Slot<V> {
    fn new() -> Self {
        Slot {
            value: Mutex::new(None),
            ready: Condvar::new(),
        }
    }

    /// The answer, or `None` when the deadline passes first.
    pub fn wait(&self, deadline: Instant) -> Option<V> {
        let mut guard = lock(&self.value);
        loop {
            if let Some(v) = guard.as_ref() {
                return Some(v.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            guard = match self.ready.wait_timeout(guard, left) {
                Ok((g, _)) => g,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    pub fn fill(&self, v: V) {
        *lock(&self.value) = Some(v);
        self.ready.notify_all();
    }

    fn is_filled(&self) -> bool {
        lock(&self.value).is_some()
    }
}

/// A poisoned lock only means a worker panicked while holding it; the data it guards
/// (an `Option` set in one assignment, or the map) is still whole.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

struct Inner<V> {
    slots: HashMap<String, Arc<Slot<V>>>,
    /// Keys, oldest first, for eviction.
    order: VecDeque<String>,
    /// Answers being computed now.
    running: usize,
}

pub struct Cache<V> {
    inner: Mutex<Inner<V>>,
    capacity: usize,
    max_running: usize,
}

/// What [`Cache::get`] found.
pub enum Lookup<V> {
    /// Answered before, or being answered by another request: wait on it.
    Existing(Arc<Slot<V>>),
    /// New: the caller must compute it and fill the slot (then call [`Cache::done`]).
    Start(Arc<Slot<V>>),
    /// New, but `max_running` answers are being computed already.
    Busy,
}

impl<V: Clone> Cache<V> {
    pub fn new(capacity: usize, max_running: usize) -> Self {
        Cache {
            inner: Mutex::new(Inner {
                slots: HashMap::new(),
                order: VecDeque::new(),
                running: 0,
            }),
            capacity: capacity.max(1),
            max_running: max_running.max(1),
        }
    }

    pub fn get(&self, key: &str) -> Lookup<V> {
        let mut inner = lock(&self.inner);
        if let Some(s) = inner.slots.get(key) {
            return Lookup::Existing(Arc::clone(s));
        }
        if inner.running >= self.max_running {
            return Lookup::Busy;
        }
        // Evict the oldest finished answers; unfinished ones have waiters.
        while inner.slots.len() >= self.capacity {
            let Some(pos) = inner
                .order
                .iter()
                .position(|k| inner.slots.get(k).is_some_and(|s| s.is_filled()))
            else {
                break;
            };
            if let Some(k) = inner.order.remove(pos) {
                inner.slots.remove(&k);
            }
        }
        let slot = Arc::new(Slot::new());
        inner.slots.insert(key.to_string(), Arc::clone(&slot));
        inner.order.push_back(key.to_string());
        inner.running += 1;
        Lookup::Start(slot)
    }

    /// A computation started by [`Lookup::Start`] has filled its slot.
    pub fn done(&self) {
        let mut inner = lock(&self.inner);
        inner.running = inner.running.saturating_sub(1);
    }

    /// Answers held (finished or not).
    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.inner).slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_key_is_computed_once_and_every_waiter_gets_its_answer() {
        let cache: Cache<u32> = Cache::new(4, 2);
        let Lookup::Start(slot) = cache.get("a") else {
            panic!("first lookup starts")
        };
        let Lookup::Existing(same) = cache.get("a") else {
            panic!("second lookup waits")
        };
        let soon = Instant::now() + Duration::from_millis(20);
        assert_eq!(same.wait(soon), None, "nothing before the fill");
        slot.fill(7);
        cache.done();
        assert_eq!(same.wait(Instant::now()), Some(7));
    }

    #[test]
    fn too_many_running_is_busy_and_old_answers_are_evicted() {
        let cache: Cache<u32> = Cache::new(2, 1);
        let Lookup::Start(a) = cache.get("a") else {
            panic!("starts")
        };
        assert!(matches!(cache.get("b"), Lookup::Busy));
        a.fill(1);
        cache.done();
        let Lookup::Start(b) = cache.get("b") else {
            panic!("starts")
        };
        b.fill(2);
        cache.done();
        assert_eq!(cache.len(), 2);
        let Lookup::Start(c) = cache.get("c") else {
            panic!("starts")
        };
        c.fill(3);
        cache.done();
        assert_eq!(cache.len(), 2, "bounded");
        assert!(matches!(cache.get("a"), Lookup::Start(_)), "a was evicted");
    }
}
