// Linux's epoll, eventfd and thread ids, for the collector's event loop and its threads
// (CrossingCollector/Server: Poller, Wakeup, Background): the toolchain's Glibc module includes
// neither <sys/epoll.h> nor <sys/eventfd.h>, and has no gettid.
#ifndef CEPOLL_H
#define CEPOLL_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The calling thread's kernel id, which setpriority takes to renice one thread.
static inline int cepoll_thread_id(void) { return (int)syscall(SYS_gettid); }
#endif
