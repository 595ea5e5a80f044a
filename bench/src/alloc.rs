//! The binary's allocator, chosen by feature, wrapped to count the bytes live on the heap.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};

#[cfg(all(feature = "jemalloc", feature = "mimalloc"))]
compile_error!("choose one allocator feature: jemalloc or mimalloc");

#[cfg(feature = "jemalloc")]
const INNER: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
#[cfg(feature = "jemalloc")]
type Inner = tikv_jemallocator::Jemalloc;
/// The allocator this binary was built with.
#[cfg(feature = "jemalloc")]
pub const NAME: &str = "jemalloc";

#[cfg(feature = "mimalloc")]
const INNER: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[cfg(feature = "mimalloc")]
type Inner = mimalloc::MiMalloc;
/// The allocator this binary was built with.
#[cfg(feature = "mimalloc")]
pub const NAME: &str = "mimalloc";

#[cfg(not(any(feature = "jemalloc", feature = "mimalloc")))]
const INNER: std::alloc::System = std::alloc::System;
#[cfg(not(any(feature = "jemalloc", feature = "mimalloc")))]
type Inner = std::alloc::System;
/// The allocator this binary was built with.
#[cfg(not(any(feature = "jemalloc", feature = "mimalloc")))]
pub const NAME: &str = "glibc";

/// An allocator that counts the bytes its callers hold (requested sizes, not the allocator's
/// own overhead), and the most they held: one relaxed atomic add per call, and a load.
pub struct Counting<A> {
    inner: A,
    live: AtomicIsize,
    peak: AtomicIsize,
}

impl<A> Counting<A> {
    fn grew(&self, by: isize) {
        let now = self.live.fetch_add(by, Ordering::Relaxed) + by;
        if now > self.peak.load(Ordering::Relaxed) {
            self.peak.fetch_max(now, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is passed on unchanged to the inner allocator; only a counter is added.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.grew(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.inner.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.grew(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.inner.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.live.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.inner.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.grew(new_size as isize - layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.inner.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting<Inner> = Counting {
    inner: INNER,
    live: AtomicIsize::new(0),
    peak: AtomicIsize::new(0),
};

/// Bytes live on the heap now.
pub fn live_bytes() -> i64 {
    GLOBAL.live.load(Ordering::Relaxed) as i64
}

/// The most bytes live on the heap at once so far.
pub fn peak_bytes() -> i64 {
    GLOBAL.peak.load(Ordering::Relaxed) as i64
}
