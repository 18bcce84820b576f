// Linux calls the toolchain's Glibc module leaves out, for the collector: epoll and eventfd
// for its event loop (Server: Poller, Wakeup), the thread id that setpriority takes to renice
// one thread (Background), and sync_file_range to write a snapshot back as it goes
// (Storage: SystemFiles).
#ifndef CLINUX_H
#define CLINUX_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The calling thread's kernel id, which setpriority takes to renice one thread.
static inline int clinux_thread_id(void) { return (int)syscall(SYS_gettid); }

/// Writes the dirty pages of `count` bytes from `offset` to disk and waits for them, so that
/// a large file written beside a log leaves no burst for the log's next sync to wait behind.
/// In CLinux.c: sync_file_range needs _GNU_SOURCE, which here would make glibc's types differ
/// from the Glibc module's.
int clinux_write_back(int fd, long long offset, long long count);
#endif
