// Counting wrappers over glibc's allocator. Per-thread counts, because a test runner does other
// work on other threads at the same time. initial-exec TLS: reading a counter must itself never
// allocate, which dynamic TLS could.
#include <stddef.h>
#include <errno.h>
#include "AllocationCounter.h"

#if defined(__linux__) && defined(__GLIBC__)

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static __thread long allocations __attribute__((tls_model("initial-exec")));
static __thread long frees __attribute__((tls_model("initial-exec")));

void *malloc(size_t size) {
    allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    allocations++;
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    allocations++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    allocations++;
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    allocations++;
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

void free(void *pointer) {
    if (pointer != NULL) frees++;
    __libc_free(pointer);
}

long allocation_counter_thread_allocations(void) { return allocations; }
long allocation_counter_thread_frees(void) { return frees; }

#else

long allocation_counter_thread_allocations(void) { return -1; }
long allocation_counter_thread_frees(void) { return -1; }

#endif
