// The C library pieces Swift and clang emit calls to on bare metal. Compiled with
// -ffreestanding -fno-builtin so the loops are not turned back into calls to themselves.
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *target, const void *source, size_t count) {
    uint8_t *out = target;
    const uint8_t *in = source;
    // Word by word when both are word-aligned, as Swift's copies of its structs mostly are:
    // four times fewer instructions than byte by byte.
    if ((((uintptr_t)out | (uintptr_t)in) & 3) == 0) {
        uint32_t *outWords = (uint32_t *)out;
        const uint32_t *inWords = (const uint32_t *)in;
        for (; count >= 4; count -= 4) *outWords++ = *inWords++;
        out = (uint8_t *)outWords;
        in = (const uint8_t *)inWords;
    }
    while (count--) *out++ = *in++;
    return target;
}

void *memmove(void *target, const void *source, size_t count) {
    uint8_t *out = target;
    const uint8_t *in = source;
    if (out < in) {
        while (count--) *out++ = *in++;
    } else {
        while (count--) out[count] = in[count];
    }
    return target;
}

void *memset(void *target, int value, size_t count) {
    uint8_t *out = target;
    while (count--) *out++ = (uint8_t)value;
    return target;
}

int memcmp(const void *left, const void *right, size_t count) {
    const uint8_t *a = left, *b = right;
    for (size_t index = 0; index < count; index++) {
        if (a[index] != b[index]) return a[index] < b[index] ? -1 : 1;
    }
    return 0;
}

void __aeabi_memcpy(void *target, const void *source, size_t count) { memcpy(target, source, count); }
void __aeabi_memcpy4(void *target, const void *source, size_t count) { memcpy(target, source, count); }
void __aeabi_memcpy8(void *target, const void *source, size_t count) { memcpy(target, source, count); }
void __aeabi_memmove(void *target, const void *source, size_t count) { memmove(target, source, count); }
void __aeabi_memmove4(void *target, const void *source, size_t count) { memmove(target, source, count); }
void __aeabi_memmove8(void *target, const void *source, size_t count) { memmove(target, source, count); }
void __aeabi_memset(void *target, size_t count, int value) { memset(target, value, count); }
void __aeabi_memset4(void *target, size_t count, int value) { memset(target, value, count); }
void __aeabi_memset8(void *target, size_t count, int value) { memset(target, value, count); }
void __aeabi_memclr(void *target, size_t count) { memset(target, 0, count); }
void __aeabi_memclr4(void *target, size_t count) { memset(target, 0, count); }
void __aeabi_memclr8(void *target, size_t count) { memset(target, 0, count); }
