import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Lowers the calling thread's priority (nice 10): pages, reports and snapshots then take
/// what the event loop and the log writer leave, and an ack does not wait behind them for a
/// core. Linux gives each thread its own nice value.
func runInBackground() {
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(clinux_thread_id()), 10)
}
