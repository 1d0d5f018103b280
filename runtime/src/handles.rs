//! Generation-checked handle tables.
//!
//! A handle is a `u64` that bindings hand to foreign code instead of a pointer. Looking one up
//! never dereferences anything the caller gave us: it is split into a slot index, a generation
//! and a kind tag, and only a live slot with the same generation and kind matches. Destroyed,
//! forged, zero and wrong-kind handles therefore give an error instead of undefined behaviour.
//! A slot is retired once its generations are used up, so no handle value is ever given out twice.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::{Error, ErrorCode, Result};

/// Handle layout: bits 56..64 kind tag, 32..56 generation (never 0), 0..32 slot index + 1.
const GENERATION_BITS: u32 = 24;
const GENERATION_MASK: u64 = (1 << GENERATION_BITS) - 1;

struct Slot<T> {
    generation: u32,
    value: Option<Arc<T>>,
}

struct Slots<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: u64,
}

/// A table of reference-counted values addressed by generation-checked `u64` handles.
///
/// Values are `Arc`s: a lookup clones the `Arc`, so a value stays alive for the duration of a
/// call even if another thread destroys its handle meanwhile.
pub struct HandleTable<T> {
    kind: u8,
    what: &'static str,
    inner: Mutex<Slots<T>>,
}

impl<T> HandleTable<T> {
    /// Creates an empty table whose handles carry `kind` (distinct per table, non-zero) and
    /// are called `what` in error messages.
    pub const fn new(kind: u8, what: &'static str) -> Self {
        Self { kind, what, inner: Mutex::new(Slots { slots: Vec::new(), free: Vec::new(), live: 0 }) }
    }

    /// Stores `value` and returns its new handle.
    pub fn insert(&self, value: Arc<T>) -> u64 {
        let mut inner = self.inner.lock();
        inner.live += 1;
        let index = match inner.free.pop() {
            Some(index) => index,
            None => {
                inner.slots.push(Slot { generation: 1, value: None });
                u32::try_from(inner.slots.len() - 1).expect("more than 2^32 live handles")
            }
        };
        let slot = &mut inner.slots[index as usize];
        slot.value = Some(value);
        self.encode(index, slot.generation)
    }

    /// Returns the value behind `handle`.
    pub fn get(&self, handle: u64) -> Result<Arc<T>> {
        let index = self.decode(handle)?;
        let inner = self.inner.lock();
        inner
            .slots
            .get(index)
            .filter(|slot| self.encode(index as u32, slot.generation) == handle)
            .and_then(|slot| slot.value.clone())
            .ok_or_else(|| self.invalid(handle))
    }

    /// Removes `handle` from the table; the value is dropped once no call uses it any more.
    pub fn remove(&self, handle: u64) -> Result<Arc<T>> {
        let index = self.decode(handle)?;
        let mut inner = self.inner.lock();
        let removed = match inner.slots.get_mut(index) {
            Some(slot) if self.encode(index as u32, slot.generation) == handle && slot.value.is_some() => {
                // A new generation makes every copy of the old handle invalid for good.
                slot.generation = next_generation(slot.generation);
                slot.value.take()
            }
            _ => None,
        };
        let value = removed.ok_or_else(|| self.invalid(handle))?;
        // A slot whose generations are used up is retired rather than reused: its next
        // generation would repeat one that a stale copy of an old handle may still carry.
        if !is_last_generation(inner.slots[index].generation) {
            inner.free.push(index as u32);
        }
        inner.live -= 1;
        Ok(value)
    }

    /// Number of live handles in this table.
    pub fn live(&self) -> u64 {
        self.inner.lock().live
    }

    fn encode(&self, index: u32, generation: u32) -> u64 {
        (u64::from(self.kind) << 56) | ((u64::from(generation) & GENERATION_MASK) << 32) | (u64::from(index) + 1)
    }

    fn decode(&self, handle: u64) -> Result<usize> {
        let index_plus_one = handle & 0xffff_ffff;
        if handle >> 56 != u64::from(self.kind) || index_plus_one == 0 {
            return Err(self.invalid(handle));
        }
        Ok((index_plus_one - 1) as usize)
    }

    fn invalid(&self, handle: u64) -> Error {
        if handle == 0 {
            Error::new(ErrorCode::InvalidHandle, format!("null {} handle", self.what))
        } else {
            Error::new(
                ErrorCode::InvalidHandle,
                format!(
                    "invalid {} handle {handle:#x}: never created, already destroyed, or not {} handle",
                    self.what, self.what
                ),
            )
        }
    }
}

/// The generation after `generation`. Slots are retired at [`is_last_generation`], so within a
/// slot's life this never wraps; the wrap to 1 only keeps the function total.
fn next_generation(generation: u32) -> u32 {
    let next = (generation + 1) & GENERATION_MASK as u32;
    if next == 0 { 1 } else { next }
}

/// Whether a slot at `generation` has given out every generation it can: its handles carried
/// 1 to `GENERATION_MASK - 1`, and `GENERATION_MASK` is the value it holds once retired.
fn is_last_generation(generation: u32) -> bool {
    generation == GENERATION_MASK as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_checked() {
        let table = HandleTable::new(7, "test");
        let other = HandleTable::<u32>::new(8, "other");
        let a = table.insert(Arc::new(1u32));
        let b = table.insert(Arc::new(2u32));
        assert_ne!(a, 0);
        assert_eq!(*table.get(a).unwrap(), 1);
        assert_eq!(*table.get(b).unwrap(), 2);
        assert_eq!(table.live(), 2);

        assert_eq!(*table.remove(a).unwrap(), 1);
        assert_eq!(table.get(a).unwrap_err().code, ErrorCode::InvalidHandle);
        assert_eq!(table.remove(a).unwrap_err().code, ErrorCode::InvalidHandle);

        // The slot is reused with a new generation: the stale handle stays invalid.
        let c = table.insert(Arc::new(3u32));
        assert_ne!(c, a);
        assert_eq!(table.get(a).unwrap_err().code, ErrorCode::InvalidHandle);
        assert_eq!(*table.get(c).unwrap(), 3);

        for forged in [0, 1, u64::MAX, c ^ (1 << 32), c + 1, (7 << 56) | 0xffff_ffff] {
            assert_eq!(table.get(forged).unwrap_err().code, ErrorCode::InvalidHandle, "{forged:#x}");
        }
        assert_eq!(other.get(c).unwrap_err().code, ErrorCode::InvalidHandle);
        assert_eq!(table.live(), 2);
    }

    #[test]
    fn a_slot_is_retired_before_its_generation_could_repeat() {
        let table = HandleTable::new(7, "test");
        let first = table.insert(Arc::new(0u32));
        table.remove(first).unwrap();
        // Fast-forward the slot to its last usable generation.
        table.inner.lock().slots[0].generation = GENERATION_MASK as u32 - 1;
        table.inner.lock().free = vec![0];
        let last = table.insert(Arc::new(1u32));
        assert_eq!((last >> 32) & GENERATION_MASK, GENERATION_MASK - 1);
        table.remove(last).unwrap();
        // The slot is not reused: the next value gets a new slot, and no handle ever handed out
        // (including the very first, generation 1) becomes valid again.
        let next = table.insert(Arc::new(2u32));
        assert_eq!(next & 0xffff_ffff, 2, "a fresh slot");
        assert_eq!(table.get(first).unwrap_err().code, ErrorCode::InvalidHandle);
        assert_eq!(table.get(last).unwrap_err().code, ErrorCode::InvalidHandle);
        for _ in 0..1000 {
            let handle = table.insert(Arc::new(3u32));
            assert_ne!(handle & 0xffff_ffff, 1, "the retired slot was reused");
            table.remove(handle).unwrap();
        }
        assert_eq!(table.live(), 1);
    }

    #[test]
    fn generations_wrap_without_reaching_zero() {
        assert_eq!(next_generation(GENERATION_MASK as u32), 1);
        assert_eq!(next_generation(1), 2);
    }
}
