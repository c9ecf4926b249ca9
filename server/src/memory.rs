//! How the server gives memory back to the system after a burst of large requests.
//!
//! A resident's photo is decoded into a buffer of tens of megabytes, then scaled and re-encoded
//! into buffers of a few megabytes. glibc's allocator serves blocks above its "mmap threshold"
//! straight from the system and returns them on free, but by default it raises that threshold
//! each time such a block is freed (up to 32 MB). After a few photo forms the scaled and encoded
//! buffers therefore come from the allocator's per-thread heaps, which keep freed memory: a server
//! that started at about 35 MB stayed near 200 MB after 160 photo forms. A fixed threshold keeps
//! every block of 1 MB or more out of those heaps, and the server returns to about 60 MB.
//! (`tests/memory` checks this.)

/// Blocks at least this large are always mapped from the system and given back when freed.
pub const LARGE_BLOCK_BYTES: i32 = 1 << 20;

/// Fixes the allocator's threshold for large blocks (once per process; called before serving).
/// Has no effect where the allocator is not glibc's.
pub fn give_large_blocks_back() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(set_threshold);
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn set_threshold() {
    // SAFETY: `mallopt` only changes the allocator's tuning; it takes the allocator's own lock,
    // so it is safe to call while other threads allocate, and it reads no memory of ours.
    let done = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES) };
    if done != 1 {
        tracing::warn!("the allocator refused a fixed threshold for large blocks");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_threshold() {}
