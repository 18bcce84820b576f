import CrossingDevice

/// The counter's data flash: the board's flash part (`.flashpart`, Support/storage.c), 4 KiB
/// sectors, every one erased.
func boardFlash() -> MemoryFlash {
    MemoryFlash(bytes: board_flash_part()!, sectorSizeBytes: 4096, sectorCount: Int(board_flash_bytes) / 4096)
}
