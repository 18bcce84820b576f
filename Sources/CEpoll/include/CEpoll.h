// Linux's epoll, for the collector's event loop (CrossingCollector/Server/Poller.swift): the
// toolchain's Glibc module does not include <sys/epoll.h>.
#ifndef CEPOLL_H
#define CEPOLL_H
#include <sys/epoll.h>
#endif
