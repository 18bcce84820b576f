// Vector table, reset handler and fault handlers for the mps2-an386 (Cortex-M4).
// A fault exits QEMU through semihosting with a status, so a trap in Swift code (compiled to
// `udf`) ends the run with a code instead of hanging it.
#include <stdint.h>

#include "board.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;
extern int main(int argc, char **argv);

void Reset_Handler(void);
void Fault_Handler(void);

enum { exit_fault = 70 };

enum { stack_paint = 0x5AC4B0A7u };

int board_semihost(int operation, void *argument) {
    register int r0 __asm__("r0") = operation;
    register void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

__attribute__((noreturn)) void board_exit(int code) {
    uint32_t block[2] = {0x20026, (uint32_t)code};
    board_semihost(0x20, block);
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) const void *const vector_table[16] = {
    &_estack,      Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0,             0,             0,             0,             Fault_Handler,
    Fault_Handler, 0,             Fault_Handler, Fault_Handler,
};

void Reset_Handler(void) {
    uint32_t *source = &_sidata;
    for (uint32_t *target = &_sdata; target < &_edata;) *target++ = *source++;
    for (uint32_t *target = &_sbss; target < &_ebss;) *target++ = 0;
    // Paint the stack below this frame, so board_stack_used can tell how deep it ever went.
    uint32_t *here = (uint32_t *)__builtin_frame_address(0) - 64;
    for (uint32_t *target = &_sstack; target < here;) *target++ = stack_paint;
    board_exit(main(0, 0));
}

void board_stack_repaint(void) {
    uint32_t *here = (uint32_t *)__builtin_frame_address(0) - 64;
    for (uint32_t *target = &_sstack; target < here;) *target++ = stack_paint;
}

uint32_t board_stack_reserved(void) { return (uint32_t)((uint8_t *)&_estack - (uint8_t *)&_sstack); }

uint32_t board_stack_used(void) {
    uint32_t *word = &_sstack;
    while (word < &_estack && *word == stack_paint) word++;
    return (uint32_t)((uint8_t *)&_estack - (uint8_t *)word);
}

void Fault_Handler(void) { board_exit(exit_fault); }
