// What the board's Swift code calls in C (startup.c, semihosting.c): the semihosting trap,
// exit, the data flash part, and the stack's high-water mark.
#pragma once
#include <stdint.h>

/// One ARM semihosting call (`bkpt 0xAB`): `operation` in r0, `argument` in r1; r0 back.
int board_semihost(int operation, void *argument);
/// Ends the QEMU run with `code` as its exit status (SYS_EXIT_EXTENDED).
__attribute__((noreturn)) void board_exit(int code);
/// The first byte of the data flash part (`.flashpart`, board_flash_bytes of it).
uint8_t *board_flash_part(void);
extern const uint32_t board_flash_bytes;
/// Bytes of the main stack ever used: the reset handler paints it, this finds the paint's end.
uint32_t board_stack_used(void);
/// Bytes reserved for the main stack (the link's board_stack_bytes).
uint32_t board_stack_reserved(void);
/// Paints the stack below the caller again, so that board_stack_used measures from now on
/// (from a caller no deeper than the one that asks later).
void board_stack_repaint(void);

/// Static storage for the firmware's one device session, in `.bss`, so the link proves the
/// device's RAM fits. The firmware checks at start that the session fits these bytes.
#define BOARD_SESSION_BYTES 26568
void *board_session_storage(void);
