#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
/// the calling thread since it started. Linking this target replaces the process's allocator
/// with thin wrappers over glibc's, as swift-nio's allocation-counter tests do.
long allocation_counter_thread_allocations(void);

/// Frees made by the calling thread since it started.
long allocation_counter_thread_frees(void);

#endif
