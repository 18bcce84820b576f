// The probe's flash part: seven 4 KiB sectors in .bss, where a board's flash would be a
// peripheral. Swift reaches it through a pointer, so the part is not a 28 KiB value that every
// copy of the device copies (element by element: the compile took minutes).
#include <stdint.h>

static uint8_t probe_flash[7 * 4096];

uint8_t *probe_flash_bytes(void) { return probe_flash; }
