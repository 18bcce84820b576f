// Linux's epoll and eventfd, for the collector's event loop (CrossingCollector/Server/Poller.swift
// and Wakeup.swift): the toolchain's Glibc module includes neither <sys/epoll.h> nor <sys/eventfd.h>.
#ifndef CEPOLL_H
#define CEPOLL_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
