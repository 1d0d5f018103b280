//! [`RecyclingAllocator`]: the global allocator of Pixbridge's native libraries, which keeps a
//! few freed image-sized blocks for the next image of the same size.
//!
//! Why: glibc serves a block of more than its mmap threshold (32 MiB at most) with fresh pages
//! from the kernel, and in any thread but the process's first one (every thread of a JVM, for
//! instance) it allocates from an arena whose heaps are at most 64 MiB, so a 33 MB 4K image
//! next to another one often lands in a new mapping that is unmapped again when freed. Every
//! blur then pays for faulting in and zeroing its whole output: on a 4K image that made a blur
//! through Java up to 2.5 times slower than the same blur from a Rust program, whose main
//! thread reuses its heap. Keeping the last freed large blocks makes repeated operations on
//! images of one size reuse warm memory in every host.
//!
//! The same holds for a chain of operations on a 24 MP photograph (decode, crop, resize,
//! sharpen: four to six blocks of 70-100 MB): where faulting a page in is slow (about 3 ms per
//! MB in the VMs we benchmark on), each fresh block cost a third of a second.
//!
//! The cache is bounded ([`DEFAULT_CACHE_BYTES`] or `PIXBRIDGE_MEMORY_CACHE_MB`, [`SLOTS`]
//! blocks, only blocks of at least [`MIN_CACHED_BYTES`]). A request takes a cached block of its
//! exact layout, or else the smallest of its alignment up to [`MAX_LENT_RATIO`] times its size:
//! a deferred pipeline frees each step's image before the next step's is made, so the block a
//! decode used serves the sharpen after the resize, and two or three blocks serve the whole
//! chain run after run. A lent block is remembered with its own layout, which it is cached and
//! freed with when its owner frees it with the smaller one. The cache never
//! makes large blocks take more than a quarter above the most memory the program has had live
//! in them at once: a request that finds no block of its layout first frees the oldest cached
//! blocks until live and cached large blocks together are within that bound again. A job whose
//! temporary blocks are not all live at the same moment (a 24 MP decode, crop, resize, sharpen
//! and encode: six blocks of 53-96 MB, at most four live at once) keeps all of them from one run
//! to the next within that quarter; a program whose sizes change gives stale blocks back as it
//! needs new ones. Large blocks also start on a page boundary
//! ([`LARGE_BLOCK_ALIGN`]). Everything else goes to [`System`] unchanged.
//!
//! Zeroed large blocks cost only the pages that are written (issue 15): a file whose header
//! claims 512 MiB of pixels and that holds a few bytes fails to decode having touched a few
//! pages of its zero-filled buffer, not all of them. A fresh block comes from the system's
//! `calloc` (a block over-allocated by a page, with the page-aligned start inside it): the
//! system maps a large one to pages the kernel zeroes when they are first touched. (Asking
//! [`System`] for a page-aligned zeroed block instead ends in `posix_memalign` and a `memset` of
//! the whole block.) A cached block handed out zeroed was written by its last owner and is
//! cleared for the requested size only; on Linux, its pages that are not resident (never
//! touched, or swapped out) are discarded with `madvise(MADV_DONTNEED)` instead of written, so
//! a bomb decoded again in the block the last one left does not fault them in either.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Smallest block kept for reuse: below this, malloc reuses memory well on its own.
pub const MIN_CACHED_BYTES: usize = 4 << 20;
/// Most bytes of freed blocks kept at once unless the environment variable
/// `PIXBRIDGE_MEMORY_CACHE_MB` says otherwise (read once, at the first large block freed; `0`
/// turns the cache off): enough for the blocks of a 24 MP pipeline. A 4K RGBA8 image is 33 MB,
/// a 24 MP one 96 MB.
pub const DEFAULT_CACHE_BYTES: usize = 512 << 20;
/// The environment variable that sets the cache's bound in MiB.
pub const CACHE_ENV: &str = "PIXBRIDGE_MEMORY_CACHE_MB";
/// Most blocks kept at once.
pub const SLOTS: usize = 16;
/// A cached block may serve a request down to this fraction of its size.
pub const MAX_LENT_RATIO: usize = 2;

/// `limit` not read from the environment yet.
const LIMIT_UNREAD: usize = usize::MAX;

/// A freed block: its address (as an integer, so the cache is `Send`), its layout, and when it
/// was freed (for evicting the oldest).
#[derive(Clone, Copy)]
struct Block {
    address: usize,
    layout: Layout,
    freed: u64,
}

impl Block {
    /// Returns the block to [`System`].
    ///
    /// # Safety
    /// The block must be owned by the caller alone; it came from [`alloc_large`] with
    /// `self.layout`, as every block this allocator records did.
    unsafe fn free(self) {
        // SAFETY: the caller's contract.
        unsafe { free_large(self.address as *mut u8, self.layout) };
    }
}

/// Freed blocks kept for reuse.
struct Cache {
    blocks: [Option<Block>; SLOTS],
    /// Blocks handed out for a smaller layout than their own (address, own layout): their
    /// owner frees them with the smaller layout, and the cache must know the real one.
    lent: [Option<(usize, Layout)>; SLOTS],
    bytes: usize,
    frees: u64,
    /// Bytes of cacheable-size blocks handed out and not yet freed.
    live: usize,
    /// The most `live` has ever been.
    peak: usize,
}

impl Cache {
    /// Takes a cached block of exactly this layout, or else the smallest one of the same
    /// alignment that is at most [`MAX_LENT_RATIO`] times as large (a pipeline's steps have
    /// different sizes, and a block that served a larger step can serve the next one).
    fn take(&mut self, layout: Layout) -> Option<*mut u8> {
        let exact = self.blocks.iter().position(|slot| slot.is_some_and(|block| block.layout == layout));
        let index = exact.or_else(|| {
            let fits = |block: &Block| {
                block.layout.align() == layout.align()
                    && block.layout.size() >= layout.size()
                    && block.layout.size() / MAX_LENT_RATIO <= layout.size()
            };
            let lent_slot_free = self.lent.iter().any(Option::is_none);
            let candidates = self.blocks.iter().enumerate().filter_map(|(i, slot)| slot.filter(fits).map(|b| (i, b)));
            candidates.min_by_key(|(_, block)| block.layout.size()).filter(|_| lent_slot_free).map(|(i, _)| i)
        })?;
        let block = self.blocks[index].take()?;
        if block.layout != layout
            && let Some(lent) = self.lent.iter_mut().find(|slot| slot.is_none())
        {
            *lent = Some((block.address, block.layout));
        }
        self.bytes -= block.layout.size();
        self.live += block.layout.size();
        Some(block.address as *mut u8)
    }

    /// The block's own layout if it was lent for a smaller one (and forgets the loan).
    fn returned(&mut self, address: usize, layout: Layout) -> Layout {
        match self.lent.iter_mut().find(|slot| slot.is_some_and(|(lent, _)| lent == address)) {
            Some(slot) => slot.take().map_or(layout, |(_, own)| own),
            None => layout,
        }
    }

    /// Records a block of `bytes` handed out fresh from the system.
    fn allocated(&mut self, bytes: usize) {
        self.live += bytes;
        self.peak = self.peak.max(self.live);
    }

    /// The oldest cached blocks to free so that live and cached blocks together stay within a
    /// quarter above the most that has ever been live at once (see the module docs).
    fn over_peak(&mut self) -> [Option<Block>; SLOTS] {
        self.release((self.live + self.bytes).saturating_sub(self.peak + self.peak / 4))
    }

    /// Takes the oldest cached blocks out (for the caller to free) until they hold at least
    /// `bytes` bytes or the cache is empty.
    fn release(&mut self, bytes: usize) -> [Option<Block>; SLOTS] {
        let mut released = [None; SLOTS];
        let mut total = 0;
        for out in released.iter_mut() {
            if total >= bytes {
                break;
            }
            let oldest = self.blocks.iter_mut().filter(|slot| slot.is_some()).min_by_key(|slot| slot.map(|b| b.freed));
            let Some(block) = oldest.and_then(Option::take) else { break };
            self.bytes -= block.layout.size();
            total += block.layout.size();
            *out = Some(block);
        }
        released
    }

    /// Keeps the block at `address`, evicting the oldest blocks until it fits within `limit`
    /// bytes. Returns what the caller must free: the evicted blocks, and the block itself if it
    /// can never fit.
    fn put(&mut self, address: usize, layout: Layout, limit: usize) -> [Option<Block>; SLOTS + 1] {
        let layout = self.returned(address, layout);
        let mut to_free = [None; SLOTS + 1];
        self.live = self.live.saturating_sub(layout.size());
        self.frees += 1;
        let block = Block { address, layout, freed: self.frees };
        if layout.size() > limit {
            to_free[SLOTS] = Some(block);
            return to_free;
        }
        for evicted in to_free.iter_mut().take(SLOTS) {
            let full = self.blocks.iter().all(Option::is_some);
            if !full && self.bytes + layout.size() <= limit {
                break;
            }
            let oldest = self.blocks.iter_mut().filter(|slot| slot.is_some()).min_by_key(|slot| slot.map(|b| b.freed));
            *evicted = oldest.and_then(Option::take);
            self.bytes -= evicted.map_or(0, |b| b.layout.size());
        }
        let free_slot = self.blocks.iter_mut().find(|slot| slot.is_none());
        // Evicting every block leaves a free slot and room (the block fits the cap alone).
        if let Some(free_slot) = free_slot {
            *free_slot = Some(block);
            self.bytes += layout.size();
        } else {
            to_free[SLOTS] = Some(block);
        }
        to_free
    }
}

/// A [`GlobalAlloc`] over [`System`] that reuses recently freed large blocks (see the
/// [module docs](self)). Declared as the global allocator by the C ABI and JNI libraries.
pub struct RecyclingAllocator {
    cache: Mutex<Cache>,
    /// Most bytes kept; [`LIMIT_UNREAD`] until the environment has been read.
    limit: AtomicUsize,
}

impl RecyclingAllocator {
    /// An allocator with an empty cache, bounded by `PIXBRIDGE_MEMORY_CACHE_MB` MiB or
    /// [`DEFAULT_CACHE_BYTES`].
    pub const fn new() -> Self {
        Self::with_limit(LIMIT_UNREAD)
    }

    /// An allocator with an empty cache that keeps at most `limit` bytes (0: none).
    pub const fn with_limit(limit: usize) -> Self {
        RecyclingAllocator {
            cache: Mutex::new(Cache {
                blocks: [None; SLOTS],
                lent: [None; SLOTS],
                bytes: 0,
                frees: 0,
                live: 0,
                peak: 0,
            }),
            limit: AtomicUsize::new(limit),
        }
    }

    /// The cache's bound in bytes, read from the environment the first time.
    fn limit(&self) -> usize {
        let limit = self.limit.load(Ordering::Relaxed);
        if limit != LIMIT_UNREAD {
            return limit;
        }
        // Reading the variable allocates only small blocks, which never take the cache's lock.
        let from_environment = std::env::var(CACHE_ENV)
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok())
            .map_or(DEFAULT_CACHE_BYTES, |megabytes| megabytes.saturating_mul(1 << 20).min(LIMIT_UNREAD - 1));
        self.limit.store(from_environment, Ordering::Relaxed);
        from_environment
    }

    /// Bytes of freed blocks currently kept for reuse.
    pub fn cached_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Gives every cached block back to the system and returns how many bytes that was: for an
    /// idle process that wants its image memory back now rather than when the next image of
    /// another size evicts it. The high-water mark is reset to what is live, so the cache grows
    /// again only as far as the next jobs need.
    pub fn trim(&self) -> usize {
        let mut cache = self.lock();
        let released = cache.release(usize::MAX);
        cache.peak = cache.live;
        drop(cache);
        let mut bytes = 0;
        // Freed outside the lock: unmapping a large block takes a while.
        for block in released.into_iter().flatten() {
            bytes += block.layout.size();
            // SAFETY: released blocks are owned by no one else.
            unsafe { block.free() };
        }
        bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        // Nothing panics while the lock is held; recover rather than abort if it ever did.
        self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn cacheable(layout: Layout) -> bool {
        layout.size() >= MIN_CACHED_BYTES
    }

    /// A cached block of exactly `layout`, if it is a cacheable layout and one is cached. A
    /// cacheable layout that finds none first frees the oldest cached blocks, at least as many
    /// bytes as it asks for (see the module docs).
    fn reuse(&self, layout: Layout) -> Option<*mut u8> {
        if !Self::cacheable(layout) {
            return None;
        }
        let mut cache = self.lock();
        if let Some(block) = cache.take(layout) {
            return Some(block);
        }
        cache.allocated(layout.size());
        let stale = cache.over_peak();
        drop(cache);
        // Freed outside the lock: unmapping a large block takes a while.
        for block in stale.into_iter().flatten() {
            // SAFETY: drained blocks are owned by no one else.
            unsafe { block.free() };
        }
        None
    }
}

impl RecyclingAllocator {
    /// A block from `system` for `layout`, which [`Self::reuse`] (or `realloc`) has already
    /// counted as live when it is cacheable: a failed allocation is uncounted again.
    fn fresh(&self, layout: Layout, system: impl FnOnce() -> *mut u8) -> *mut u8 {
        let block = system();
        if block.is_null() && Self::cacheable(layout) {
            let mut cache = self.lock();
            cache.live = cache.live.saturating_sub(layout.size());
        }
        block
    }
}

impl Drop for RecyclingAllocator {
    /// Frees the cached blocks (a global allocator is never dropped; other instances are).
    fn drop(&mut self) {
        let cache = self.cache.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        for block in cache.blocks.iter_mut().filter_map(Option::take) {
            // SAFETY: a cached block is owned by the cache alone.
            unsafe { block.free() };
        }
        cache.bytes = 0;
    }
}

impl Default for RecyclingAllocator {
    fn default() -> Self {
        Self::new()
    }
}

/// Large blocks start on a page boundary whatever alignment is asked for, so that image rows
/// have the same alignment in every process and run (glibc starts a block 16 bytes into a
/// mapping, or anywhere in its heap) and SIMD timings do not depend on where a buffer landed.
pub const LARGE_BLOCK_ALIGN: usize = 4096;

/// The block asked of [`System`] for a large block of `layout`: `padding(layout)` bytes more, at
/// the alignment of a pointer, which `malloc` and `calloc` serve. `None` if that overflows.
fn large_system_layout(layout: Layout) -> Option<Layout> {
    let size = layout.size().checked_add(padding(layout))?;
    Layout::from_size_align(size, align_of::<*mut u8>()).ok()
}

/// Bytes a large block of `layout` is over-allocated by: room to move its start to
/// `layout.align()` or [`LARGE_BLOCK_ALIGN`], whichever is larger, with the address the system
/// returned stored just before it.
fn padding(layout: Layout) -> usize {
    layout.align().max(LARGE_BLOCK_ALIGN)
}

/// A large block for `layout` (a cacheable one) from [`System`], zero-filled if `zeroed`, or
/// null if the system has no memory.
///
/// The block is `padding(layout)` bytes larger than asked, at pointer alignment, so that a
/// zeroed one is a plain `calloc`: glibc, musl, macOS and ASan serve a large `calloc` with fresh
/// pages from the kernel and do not write them, where [`System`]'s `alloc_zeroed` of a
/// page-aligned layout allocates with `posix_memalign` and clears every page with a `memset`.
/// The start handed out is the first multiple of the padding at least one pointer into the
/// system's block; the system's address is stored in that pointer, for [`free_large`].
///
/// # Safety
/// `layout` has a non-zero size.
unsafe fn alloc_large(layout: Layout, zeroed: bool) -> *mut u8 {
    let Some(system) = large_system_layout(layout) else { return std::ptr::null_mut() };
    // SAFETY: a non-zero size (the caller's plus the padding).
    let raw = unsafe { if zeroed { System.alloc_zeroed(system) } else { System.alloc(system) } };
    if raw.is_null() {
        return raw;
    }
    let pad = padding(layout);
    // `raw` is pointer-aligned and the padding a multiple of the pointer size (a power of two at
    // least 4096), so the offset is at least one pointer and at most the padding: the block
    // handed out, `[raw + offset, raw + offset + size)`, and the stored address before it lie
    // within the system's `size + padding` bytes.
    let offset = pad - (raw as usize) % pad;
    // SAFETY: within the system's block (above); the slot is pointer-aligned (the start is a
    // multiple of the padding, and the slot one pointer before it) and the caller never sees it.
    unsafe {
        let block = raw.add(offset);
        block.cast::<*mut u8>().sub(1).write(raw);
        block
    }
}

/// Gives a block from [`alloc_large`] back to [`System`].
///
/// # Safety
/// `block` came from [`alloc_large`] with `layout`, and is not used after this.
unsafe fn free_large(block: *mut u8, layout: Layout) {
    // SAFETY: `alloc_large` stored the system's address just before the block, computed this
    // layout without overflow and allocated with it.
    unsafe {
        let raw = block.cast::<*mut u8>().sub(1).read();
        let system = Layout::from_size_align_unchecked(layout.size() + padding(layout), align_of::<*mut u8>());
        System.dealloc(raw, system);
    }
}

/// A block from the system for `layout`: [`alloc_large`] for a cacheable layout, [`System`]
/// with the layout unchanged for the others.
///
/// # Safety
/// `layout` has a non-zero size.
unsafe fn alloc_system(layout: Layout, zeroed: bool) -> *mut u8 {
    // SAFETY: the caller's contract.
    unsafe {
        match (RecyclingAllocator::cacheable(layout), zeroed) {
            (true, _) => alloc_large(layout, zeroed),
            (false, true) => System.alloc_zeroed(layout),
            (false, false) => System.alloc(layout),
        }
    }
}

/// Makes the first `size` bytes of a reused cached block read as zero (see [`pages::clear`]).
///
/// # Safety
/// The block is owned by the caller and valid for `size` bytes.
unsafe fn clear(block: *mut u8, size: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: the caller's contract.
    unsafe {
        pages::clear(block, size)
    };
    #[cfg(not(target_os = "linux"))]
    // SAFETY: the caller's contract.
    unsafe {
        block.write_bytes(0, size)
    };
}

/// Clearing a reused block without faulting in the pages of it that are not resident (Linux).
#[cfg(target_os = "linux")]
mod pages {
    use std::ffi::{c_int, c_long, c_void};
    use std::sync::atomic::{AtomicUsize, Ordering};

    // The C library's, which the standard library links.
    unsafe extern "C" {
        fn sysconf(name: c_int) -> c_long;
        fn mincore(address: *mut c_void, length: usize, residency: *mut u8) -> c_int;
        fn madvise(address: *mut c_void, length: usize, advice: c_int) -> c_int;
    }

    /// `_SC_PAGESIZE` in glibc and musl on Linux.
    const SC_PAGESIZE: c_int = 30;
    /// `MADV_DONTNEED` on Linux.
    const MADV_DONTNEED: c_int = 4;
    /// Pages whose residency one `mincore` call asks for (16 MiB of 4 KiB pages).
    const PAGES_PER_QUERY: usize = 4096;

    /// The system's page size; 0 if unknown.
    pub(super) fn page_size() -> usize {
        static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);
        let known = PAGE_SIZE.load(Ordering::Relaxed);
        if known != 0 {
            return known;
        }
        // SAFETY: `sysconf` has no preconditions.
        let page = usize::try_from(unsafe { sysconf(SC_PAGESIZE) }).unwrap_or(0);
        let page = if page.is_power_of_two() { page } else { 0 };
        PAGE_SIZE.store(page, Ordering::Relaxed);
        page
    }

    /// Writes zeros to the resident pages of `[block, block + size)` and to the parts of pages
    /// at either end, and discards the other whole pages with `MADV_DONTNEED`, after which they
    /// read as zero (memory from `malloc` is private anonymous memory) and cost nothing until
    /// written. A page never touched is not resident, so a block its last owner wrote only the
    /// start of (a bomb's failed decode) is cleared by writing that start; a block it filled is
    /// resident and cleared with `memset`, its pages kept (the point of the cache). A page
    /// swapped out is discarded rather than read back. If the kernel refuses either call, the
    /// pages are written.
    ///
    /// Whichever way a page goes, it reads as zero afterwards; what `mincore` reports decides
    /// only what that costs.
    ///
    /// # Safety
    /// The block is owned by the caller and valid for `size` bytes.
    pub(super) unsafe fn clear(block: *mut u8, size: usize) {
        let page = page_size();
        let start = block as usize;
        let head = if page == 0 { size } else { start.next_multiple_of(page) - start };
        if page == 0 || size < head + page {
            // SAFETY: the caller's contract.
            return unsafe { block.write_bytes(0, size) };
        }
        let whole = (size - head) / page * page;
        // SAFETY: `head + whole <= size`: the parts of pages at either end are the caller's.
        unsafe {
            block.write_bytes(0, head);
            block.add(head + whole).write_bytes(0, size - head - whole);
        }
        let mut residency = [0u8; PAGES_PER_QUERY];
        let mut done = 0;
        while done < whole {
            let length = (whole - done).min(PAGES_PER_QUERY * page);
            // SAFETY: whole pages of the caller's block.
            let query = unsafe { block.add(head + done) };
            let pages = length / page;
            // SAFETY: a page-aligned range of mapped memory and room for one byte per page.
            if unsafe { mincore(query.cast(), length, residency.as_mut_ptr()) } != 0 {
                // SAFETY: as above.
                unsafe { query.write_bytes(0, length) };
                done += length;
                continue;
            }
            let mut first = 0;
            while first < pages {
                let resident = residency[first] & 1 == 1;
                let end = (first..pages).find(|&i| (residency[i] & 1 == 1) != resident).unwrap_or(pages);
                // SAFETY: pages `first..end` of the query, the caller's.
                unsafe {
                    let run = query.add(first * page);
                    let bytes = (end - first) * page;
                    if resident || madvise(run.cast(), bytes, MADV_DONTNEED) != 0 {
                        run.write_bytes(0, bytes);
                    }
                }
                first = end;
            }
            done += length;
        }
    }

    /// How many of the pages of `[block, block + size)` are resident (for tests).
    #[cfg(test)]
    pub(super) fn resident_pages(block: *mut u8, size: usize) -> usize {
        let page = page_size();
        let start = (block as usize).next_multiple_of(page);
        let end = (block as usize + size) / page * page;
        let mut residency = vec![0u8; end.saturating_sub(start) / page];
        // SAFETY: page-aligned mapped memory, one byte per page of room.
        let status = unsafe { mincore(start as *mut c_void, end - start, residency.as_mut_ptr()) };
        assert_eq!(status, 0, "mincore failed");
        residency.iter().filter(|&&byte| byte & 1 == 1).count()
    }
}

// SAFETY: every block handed out is either fresh from the system (`alloc_system`) or a large
// block `alloc_large` allocated for the requested layout, or for a layout of the same alignment
// at most `MAX_LENT_RATIO` times as large, and that its owner freed (returned to the cache); every
// large block goes back with `free_large` and the layout it was allocated for (a lent block's own
// layout, which the cache remembers), every small one to `System` with its layout.
unsafe impl GlobalAlloc for RecyclingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: a non-zero-size layout (the caller's contract).
        self.reuse(layout).unwrap_or_else(|| self.fresh(layout, || unsafe { alloc_system(layout, false) }))
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if let Some(block) = self.reuse(layout) {
            // A cached block was written by its last owner: cleared, for the requested size only
            // (a lent block's tail is never read through this layout).
            // SAFETY: the block is valid for `layout.size()` bytes and owned by the caller now.
            unsafe { clear(block, layout.size()) };
            return block;
        }
        // SAFETY: a non-zero-size layout (the caller's contract).
        self.fresh(layout, || unsafe { alloc_system(layout, true) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !Self::cacheable(layout) {
            // SAFETY: `ptr` came from `System` with `layout` (small layouts are passed unchanged).
            return unsafe { System.dealloc(ptr, layout) };
        }
        let limit = self.limit();
        let to_free = self.lock().put(ptr as usize, layout, limit);
        // Freed outside the lock: unmapping a large block takes a while.
        for block in to_free.into_iter().flatten() {
            // SAFETY: evicted or refused blocks are owned by no one else.
            unsafe { block.free() };
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size`, rounded up to `layout.align()`, fits `isize`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if !Self::cacheable(layout) && !Self::cacheable(new_layout) {
            // SAFETY: `ptr` is live and came from `System` with `layout`; forwarded unchanged.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // A large block on either side has another system layout: move it by hand. A growing
        // buffer (an encoder's output) asks for a new size at each step: a miss here does not
        // empty the cache, or every run that encodes would lose the blocks of the next one.
        let cached = if Self::cacheable(new_layout) {
            let mut cache = self.lock();
            let block = cache.take(new_layout);
            if block.is_none() {
                cache.allocated(new_size);
            }
            block
        } else {
            None
        };
        // SAFETY: `new_layout` has a non-zero size (the caller's contract).
        let moved = cached.unwrap_or_else(|| self.fresh(new_layout, || unsafe { alloc_system(new_layout, false) }));
        if !moved.is_null() {
            // SAFETY: both blocks are live, distinct and valid for the smaller size.
            unsafe {
                moved.copy_from_nonoverlapping(ptr, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    fn layout(bytes: usize) -> Layout {
        Layout::from_size_align(bytes, 64).unwrap()
    }

    /// An allocator whose bound does not depend on the environment.
    fn allocator(limit: usize) -> RecyclingAllocator {
        RecyclingAllocator::with_limit(limit)
    }

    #[test]
    fn a_freed_large_block_is_reused_for_the_same_layout_only() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let first = allocator.alloc(layout(8 * MIB));
            first.write_bytes(7, 8 * MIB);
            allocator.dealloc(first, layout(8 * MIB));
            assert_eq!(allocator.cached_bytes(), 8 * MIB);
            let again = allocator.alloc(layout(8 * MIB));
            assert_eq!(again, first);
            assert_eq!(allocator.cached_bytes(), 0);
            allocator.dealloc(again, layout(8 * MIB));
            // Another size, or another alignment, is a miss beyond the bound (one 8 MiB block
            // was ever live): it frees the stale block first, so the two are not resident
            // together.
            let other = allocator.alloc(layout(8 * MIB + 1));
            assert_eq!(allocator.cached_bytes(), 0);
            allocator.dealloc(other, layout(8 * MIB + 1));
            assert_eq!(allocator.cached_bytes(), 8 * MIB + 1);
            let aligned = Layout::from_size_align(8 * MIB + 1, 4096).unwrap();
            let block = allocator.alloc(aligned);
            assert_eq!(allocator.cached_bytes(), 0);
            allocator.dealloc(block, aligned);
        }
    }

    #[test]
    fn a_larger_block_serves_a_smaller_request_and_comes_back_with_its_own_size() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let big = allocator.alloc(layout(8 * MIB));
            allocator.dealloc(big, layout(8 * MIB));
            // Half the size or more: the cached block is lent.
            let smaller = allocator.alloc(layout(5 * MIB));
            assert_eq!(smaller, big);
            assert_eq!(allocator.cached_bytes(), 0);
            smaller.write_bytes(1, 5 * MIB);
            allocator.dealloc(smaller, layout(5 * MIB));
            assert_eq!(allocator.cached_bytes(), 8 * MIB, "kept with its own size");
            // Grown in place of a copy: the loan follows the block through realloc.
            let lent = allocator.alloc(layout(4 * MIB + 1));
            assert_eq!(lent, big);
            let grown = allocator.realloc(lent, layout(4 * MIB + 1), 6 * MIB);
            assert!(!grown.is_null());
            allocator.dealloc(grown, layout(6 * MIB));
            assert!(allocator.cached_bytes() <= 8 * MIB + 6 * MIB);
            // Less than half: not lent (the waste would be resident).
            let big = allocator.alloc(layout(16 * MIB));
            allocator.dealloc(big, layout(16 * MIB));
            let small = allocator.alloc(layout(7 * MIB));
            assert_ne!(small, big);
            allocator.dealloc(small, layout(7 * MIB));
        }
    }

    #[test]
    fn trim_gives_every_cached_block_back() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let (a, b) = (allocator.alloc(layout(8 * MIB)), allocator.alloc(layout(5 * MIB)));
            allocator.dealloc(a, layout(8 * MIB));
            allocator.dealloc(b, layout(5 * MIB));
            assert_eq!(allocator.cached_bytes(), 13 * MIB);
            assert_eq!(allocator.trim(), 13 * MIB);
            assert_eq!(allocator.cached_bytes(), 0);
            assert_eq!(allocator.trim(), 0);
            // The bound starts again from what is live (nothing): a freed block is kept again.
            let c = allocator.alloc(layout(6 * MIB));
            allocator.dealloc(c, layout(6 * MIB));
            assert_eq!(allocator.cached_bytes(), 6 * MIB);
        }
    }

    #[test]
    fn a_zero_limit_keeps_nothing() {
        let allocator = allocator(0);
        unsafe {
            let block = allocator.alloc(layout(8 * MIB));
            allocator.dealloc(block, layout(8 * MIB));
        }
        assert_eq!(allocator.cached_bytes(), 0);
    }

    #[test]
    fn a_reused_block_is_zeroed_when_asked() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let block = allocator.alloc(layout(5 * MIB));
            block.write_bytes(0xAB, 5 * MIB);
            allocator.dealloc(block, layout(5 * MIB));
            let zeroed = allocator.alloc_zeroed(layout(5 * MIB));
            assert_eq!(zeroed, block, "the cached block was reused");
            assert!(std::slice::from_raw_parts(zeroed, 5 * MIB).iter().all(|&byte| byte == 0));
            allocator.dealloc(zeroed, layout(5 * MIB));
        }
    }

    #[test]
    fn a_lent_block_is_zeroed_for_the_smaller_size_and_keeps_its_own() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let big = allocator.alloc(layout(8 * MIB));
            big.write_bytes(0xCD, 8 * MIB);
            allocator.dealloc(big, layout(8 * MIB));
            // Not a multiple of the page size: the last partial page is cleared too.
            let size = 5 * MIB + 123;
            let lent = allocator.alloc_zeroed(layout(size));
            assert_eq!(lent, big, "the cached block was lent");
            assert!(std::slice::from_raw_parts(lent, size).iter().all(|&byte| byte == 0));
            // Only the requested size is cleared.
            assert_eq!(*lent.add(size), 0xCD);
            allocator.dealloc(lent, layout(size));
            assert_eq!(allocator.cached_bytes(), 8 * MIB, "kept (and later freed) with its own size");
            assert_eq!(allocator.trim(), 8 * MIB);
        }
    }

    #[test]
    fn large_blocks_of_every_alignment_start_aligned_and_are_freed_with_their_layout() {
        let allocator = allocator(0);
        for align in [1, 16, 4096, 1 << 16, 1 << 21] {
            for zeroed in [false, true] {
                let layout = Layout::from_size_align(MIN_CACHED_BYTES + 1, align).unwrap();
                unsafe {
                    let block = if zeroed { allocator.alloc_zeroed(layout) } else { allocator.alloc(layout) };
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align.max(LARGE_BLOCK_ALIGN), 0, "alignment {align}");
                    if zeroed {
                        assert!(std::slice::from_raw_parts(block, layout.size()).iter().all(|&byte| byte == 0));
                    }
                    // Every byte is the caller's (ASan checks the ends).
                    block.write_bytes(0x11, layout.size());
                    allocator.dealloc(block, layout);
                }
            }
        }
        assert_eq!(allocator.cached_bytes(), 0);
    }

    #[test]
    fn a_layout_too_large_for_the_padding_is_refused() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        // A valid layout, but with the padding more than `isize::MAX` bytes: refused before the
        // system is asked (which ASan would abort on).
        let layout = Layout::from_size_align(isize::MAX as usize + 1 - LARGE_BLOCK_ALIGN, LARGE_BLOCK_ALIGN).unwrap();
        unsafe {
            assert!(allocator.alloc(layout).is_null());
            assert!(allocator.alloc_zeroed(layout).is_null());
        }
        assert_eq!(allocator.cached_bytes(), 0);
        assert_eq!(allocator.lock().live, 0, "a failed allocation is not counted as live");
    }

    /// Issue 15: a fresh zeroed block is not written (a decompression bomb's 512 MiB buffer cost
    /// 512 MiB of resident memory), and clearing a reused one does not fault in the pages its
    /// last owner never touched, while a filled one stays resident (warm, the point of the cache).
    #[cfg(target_os = "linux")]
    #[test]
    fn zeroed_blocks_fault_in_only_the_pages_written() {
        // ASan keeps its own books; the residency of its blocks is its business.
        if std::env::var_os("PIXBRIDGE_UNDER_SANITIZER").is_some() {
            return;
        }
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        let size = 64 * MIB; // above glibc's largest mmap threshold: always fresh pages
        let pages = size / pages::page_size();
        unsafe {
            let block = allocator.alloc_zeroed(layout(size));
            assert_eq!(pages::resident_pages(block, size), 0, "a fresh zeroed block is untouched");
            // A failed decode writes a little at the start.
            block.write_bytes(0xEE, MIB);
            allocator.dealloc(block, layout(size));
            let again = allocator.alloc_zeroed(layout(size));
            assert_eq!(again, block, "the cached block was reused");
            // The written MiB (or the transparent huge pages around it) and nothing else.
            let resident = pages::resident_pages(again, size);
            assert!(resident <= 4 * MIB / pages::page_size(), "{resident} of {pages} pages resident after clearing");
            assert!(std::slice::from_raw_parts(again, size).iter().all(|&byte| byte == 0));
            // Reading faulted in the shared zero page only; now the owner fills it all.
            again.write_bytes(0x77, size);
            assert_eq!(pages::resident_pages(again, size), pages);
            allocator.dealloc(again, layout(size));
            let warm = allocator.alloc_zeroed(layout(size));
            assert_eq!(warm, block);
            assert_eq!(pages::resident_pages(warm, size), pages, "a filled block is cleared in place");
            assert!(std::slice::from_raw_parts(warm, size).iter().all(|&byte| byte == 0));
            allocator.dealloc(warm, layout(size));
        }
    }

    /// Pages discarded while others stay: runs of resident and absent pages alternate, and the
    /// block spans more than one `mincore` query.
    #[cfg(target_os = "linux")]
    #[test]
    fn clearing_mixed_resident_and_absent_pages_zeroes_them_all() {
        let page = pages::page_size();
        let size = 20 * MIB + 3 * page + 77;
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let block = allocator.alloc_zeroed(layout(size));
            for (i, offset) in (0..size).step_by(page).enumerate() {
                if i % 3 != 1 || offset > 18 * MIB {
                    block.add(offset).write_bytes(0x5A, page.min(size - offset));
                }
            }
            allocator.dealloc(block, layout(size));
            let again = allocator.alloc_zeroed(layout(size));
            assert_eq!(again, block);
            assert!(std::slice::from_raw_parts(again, size).iter().all(|&byte| byte == 0));
            allocator.dealloc(again, layout(size));
        }
    }

    #[test]
    fn large_blocks_start_on_a_page_and_survive_reallocation() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let bytes = Layout::from_size_align(MIN_CACHED_BYTES - 100, 1).unwrap();
            let small = allocator.alloc(bytes);
            small.write_bytes(9, bytes.size());
            // Growing past the threshold moves the block to a page boundary and keeps its bytes.
            let grown = allocator.realloc(small, bytes, 2 * MIN_CACHED_BYTES);
            assert_eq!(grown as usize % LARGE_BLOCK_ALIGN, 0);
            assert!(std::slice::from_raw_parts(grown, bytes.size()).iter().all(|&byte| byte == 9));
            let grown_layout = Layout::from_size_align(2 * MIN_CACHED_BYTES, 1).unwrap();
            let shrunk = allocator.realloc(grown, grown_layout, 100);
            assert!(std::slice::from_raw_parts(shrunk, 100).iter().all(|&byte| byte == 9));
            allocator.dealloc(shrunk, Layout::from_size_align(100, 1).unwrap());
            assert_eq!(allocator.cached_bytes(), 2 * MIN_CACHED_BYTES, "the large block was freed into the cache");
        }
    }

    #[test]
    fn small_blocks_are_not_kept() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let block = allocator.alloc(layout(MIN_CACHED_BYTES - 1));
            allocator.dealloc(block, layout(MIN_CACHED_BYTES - 1));
        }
        assert_eq!(allocator.cached_bytes(), 0);
    }

    #[test]
    fn the_cache_stays_within_its_bounds_and_evicts_the_oldest() {
        let limit = 64 * MIB;
        let allocator = allocator(limit);
        unsafe {
            // A block larger than the whole cache is never kept.
            let huge = allocator.alloc(layout(limit + MIB));
            allocator.dealloc(huge, layout(limit + MIB));
            assert_eq!(allocator.cached_bytes(), 0);
            // Nine blocks of 4..=12 MiB freed in order: the ninth needs room, so the oldest go
            // (4 MiB, then 5 MiB) until 6..=12 MiB (63 MiB, 7 blocks) fit the 64 MiB bound.
            let sizes: Vec<usize> = (4..=12).map(|mib| mib * MIB).collect();
            let blocks: Vec<_> = sizes.iter().map(|&size| allocator.alloc(layout(size))).collect();
            for (&block, &size) in blocks.iter().zip(&sizes) {
                allocator.dealloc(block, layout(size));
            }
            assert_eq!(allocator.cached_bytes(), 63 * MIB);
            // The survivors are handed out again.
            let twelve = allocator.alloc(layout(12 * MIB));
            let six = allocator.alloc(layout(6 * MIB));
            assert_eq!(allocator.cached_bytes(), (7 + 8 + 9 + 10 + 11) * MIB);
            allocator.dealloc(twelve, layout(12 * MIB));
            allocator.dealloc(six, layout(6 * MIB));
            assert_eq!(allocator.cached_bytes(), 63 * MIB);
            // A miss (larger than every cached block) that keeps live and cached blocks within a
            // quarter above the peak (90 MiB; all nine were live: 72 MiB) frees nothing.
            let thirteen = allocator.alloc(layout(13 * MIB));
            assert_eq!(allocator.cached_bytes(), 63 * MIB);
            // One that would exceed it frees the oldest blocks until it does not: 13 + 60 MiB
            // live (a new peak: the bound becomes 91.25 MiB) leave room for 18.25 MiB cached,
            // so 7, 8, 9, 10 and 11 MiB go (the 12 and 6 MiB blocks were freed last).
            let big = allocator.alloc(layout(60 * MIB));
            assert_eq!(allocator.cached_bytes(), (12 + 6) * MIB);
            allocator.dealloc(big, layout(60 * MIB));
            allocator.dealloc(thirteen, layout(13 * MIB));
        }
    }

    #[test]
    fn a_growing_buffer_leaves_the_cache_alone() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let image = allocator.alloc(layout(32 * MIB));
            let growing = allocator.alloc(layout(MIN_CACHED_BYTES));
            allocator.dealloc(image, layout(32 * MIB));
            allocator.dealloc(growing, layout(MIN_CACHED_BYTES));
            assert_eq!(allocator.cached_bytes(), (32 + 4) * MIB);
            // Growing a buffer from 4 MiB (cached, so reused) to a new size keeps the 32 MiB block.
            let growing = allocator.alloc(layout(MIN_CACHED_BYTES));
            let grown = allocator.realloc(growing, layout(MIN_CACHED_BYTES), 2 * MIN_CACHED_BYTES);
            // The 32 MiB block stayed; the 4 MiB one the buffer grew out of is back beside it.
            assert_eq!(allocator.cached_bytes(), (32 + 4) * MIB);
            allocator.dealloc(grown, layout(2 * MIN_CACHED_BYTES));
        }
    }

    #[test]
    fn more_blocks_than_slots_evict_the_oldest() {
        let allocator = allocator(DEFAULT_CACHE_BYTES);
        unsafe {
            let sizes: Vec<usize> = (0..SLOTS + 1).map(|i| (4 + i) * MIB).collect();
            let blocks: Vec<_> = sizes.iter().map(|&size| allocator.alloc(layout(size))).collect();
            for (&block, &size) in blocks.iter().zip(&sizes) {
                allocator.dealloc(block, layout(size));
            }
            assert_eq!(allocator.cached_bytes(), sizes[1..].iter().sum::<usize>());
        }
    }
}
