// The firmware's static storage.
//
// The counter's data flash part: thirteen 4 KiB sectors (a config record, an eight-sector
// journal, a four-sector outbox log), in the board's PSRAM where a real board has an external
// NOR part. Not loaded and not zeroed, like a part that keeps its contents: the firmware
// erases it when it provisions.
//
// The device session, in .bss: the RAM figure of the image includes it.
#include "board.h"

const uint32_t board_flash_bytes = 13 * 4096;
__attribute__((section(".flashpart"))) static uint8_t flash_part[13 * 4096];

uint8_t *board_flash_part(void) { return flash_part; }

static uint64_t session_storage[BOARD_SESSION_BYTES / 8];

void *board_session_storage(void) { return session_storage; }
