// Vector table, reset handler and fault handlers for the mps2-an386 (Cortex-M4).
// A fault exits QEMU through semihosting with a status, so a trap in Swift code (compiled to
// `udf`) ends the run with a code instead of hanging it.
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(int argc, char **argv);

void Reset_Handler(void);
void Fault_Handler(void);

enum { exit_fault = 70 };

static int semihost(int operation, void *argument) {
    register int r0 __asm__("r0") = operation;
    register void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/// Ends the QEMU run with `code` as its exit status (SYS_EXIT_EXTENDED).
__attribute__((noreturn)) void board_exit(int code) {
    uint32_t block[2] = {0x20026, (uint32_t)code};
    semihost(0x20, block);
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
    board_exit(main(0, 0));
}

void Fault_Handler(void) { board_exit(exit_fault); }
