// The 64-bit integer helpers the ARM EABI expects from a compiler runtime. The toolchain ships
// no ARM compiler-rt, so these are written here: plain shift-and-subtract, using only 32-bit
// operations and constant shifts so that the compiler cannot emit calls to the helpers
// themselves. Counting code keeps 64-bit division off its per-zone paths; these serve the
// few per-frame time conversions.
#include <stdint.h>

static uint64_t shift_left_one(uint64_t value) { return value << 1; }

uint64_t __udivmoddi4(uint64_t dividend, uint64_t divisor, uint64_t *remainder) {
    if (divisor == 0) __builtin_trap();
    // Most divisions here are of times that fit 32 bits: the M4's UDIV does those in one step.
    if ((dividend >> 32) == 0 && (divisor >> 32) == 0) {
        uint32_t quotient32 = (uint32_t)dividend / (uint32_t)divisor;
        if (remainder) *remainder = (uint32_t)dividend - quotient32 * (uint32_t)divisor;
        return quotient32;
    }
    uint64_t quotient = 0, rest = 0;
    for (int bit = 63; bit >= 0; bit--) {
        uint32_t high = (uint32_t)(dividend >> 32), low = (uint32_t)dividend;
        uint32_t next = bit >= 32 ? (high >> (bit - 32)) & 1u : (low >> bit) & 1u;
        rest = shift_left_one(rest) | next;
        quotient = shift_left_one(quotient);
        if (rest >= divisor) {
            rest -= divisor;
            quotient |= 1u;
        }
    }
    if (remainder) *remainder = rest;
    return quotient;
}

int64_t __divmoddi4(int64_t dividend, int64_t divisor, int64_t *remainder) {
    int negative_quotient = (dividend < 0) != (divisor < 0);
    uint64_t magnitude_dividend = dividend < 0 ? 0 - (uint64_t)dividend : (uint64_t)dividend;
    uint64_t magnitude_divisor = divisor < 0 ? 0 - (uint64_t)divisor : (uint64_t)divisor;
    uint64_t rest;
    uint64_t quotient = __udivmoddi4(magnitude_dividend, magnitude_divisor, &rest);
    if (remainder) *remainder = dividend < 0 ? -(int64_t)rest : (int64_t)rest;
    return negative_quotient ? -(int64_t)quotient : (int64_t)quotient;
}

// Quotient in r0:r1, remainder in r2:r3: a register return C cannot express, hence the stubs.
__attribute__((naked)) void __aeabi_uldivmod(void) {
    __asm__ volatile(
        "push {r6, lr}\n"
        "sub sp, sp, #16\n"
        "add r6, sp, #8\n"
        "str r6, [sp]\n"
        "bl __udivmoddi4\n"
        "ldr r2, [sp, #8]\n"
        "ldr r3, [sp, #12]\n"
        "add sp, sp, #16\n"
        "pop {r6, pc}\n");
}

__attribute__((naked)) void __aeabi_ldivmod(void) {
    __asm__ volatile(
        "push {r6, lr}\n"
        "sub sp, sp, #16\n"
        "add r6, sp, #8\n"
        "str r6, [sp]\n"
        "bl __divmoddi4\n"
        "ldr r2, [sp, #8]\n"
        "ldr r3, [sp, #12]\n"
        "add sp, sp, #16\n"
        "pop {r6, pc}\n");
}

uint64_t __aeabi_llsl(uint64_t value, int shift) {
    uint32_t low = (uint32_t)value, high = (uint32_t)(value >> 32);
    if (shift >= 64) return 0;
    if (shift >= 32) return (uint64_t)(low << (shift - 32)) << 32;
    if (shift == 0) return value;
    return ((uint64_t)((high << shift) | (low >> (32 - shift))) << 32) | (uint32_t)(low << shift);
}

uint64_t __aeabi_llsr(uint64_t value, int shift) {
    uint32_t low = (uint32_t)value, high = (uint32_t)(value >> 32);
    if (shift >= 64) return 0;
    if (shift >= 32) return high >> (shift - 32);
    if (shift == 0) return value;
    return ((uint64_t)(high >> shift) << 32) | ((low >> shift) | (high << (32 - shift)));
}

int64_t __aeabi_lasr(int64_t value, int shift) {
    uint32_t low = (uint32_t)value;
    int32_t high = (int32_t)(value >> 32);
    if (shift >= 64) shift = 63;
    if (shift >= 32) return (int64_t)(high >> (shift - 32));
    if (shift == 0) return value;
    uint32_t new_low = (low >> shift) | ((uint32_t)high << (32 - shift));
    return (int64_t)(((uint64_t)(uint32_t)(high >> shift) << 32) | new_low);
}
