// The package manager builds a C target from its sources; the module is its header, and this
// file holds what needs _GNU_SOURCE.
#define _GNU_SOURCE
#include <fcntl.h>
#include "CLinux.h"

int clinux_write_back(int fd, long long offset, long long count) {
    return sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
}
