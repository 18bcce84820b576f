# Shared by Tools/check-embedded and Tools/build-firmware: compile the device modules as
# Embedded Swift for a Cortex-M4, link with no allocator, prove the image has no heap, and
# measure it. Recipe and reasoning: ../shared/notes/embedded-swift.md (docs/embedded.md).
# Source it after setting `root` (the repository) and `out` (a build directory).

embedded_bin=$(dirname "$(readlink -f "$(command -v swiftc)")")
embedded_support="$root/Hardware/boards/mps2-an386/Support"
for tool in clang ld.lld llvm-objdump llvm-nm; do
    [ -x "$embedded_bin/$tool" ] || { echo "$(basename "$0"): $tool not found next to swiftc in $embedded_bin" >&2; exit 1; }
done

embedded_swift_flags=(-target armv7em-none-none-eabi -enable-experimental-feature Embedded -wmo -Osize -enable-experimental-feature AddressableParameters
    -parse-as-library -Xfrontend -function-sections -Xfrontend -disable-stack-protector
    -Xcc -mcpu=cortex-m4 -Xcc -mthumb -Xcc -mfloat-abi=soft -I "$out" ${EMBEDDED_EXTRA:-})
embedded_c_flags=(--target=armv7em-none-eabi -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -ffreestanding
    -fno-builtin -ffunction-sections -fdata-sections -I "$embedded_support")

# Compiles each device module present into $out/MODULE.o and .swiftmodule; appends the objects
# to the array `embedded_objects`.
embedded_compile_modules() {
    for module in CrossingCore CrossingDevice CrossingFirmware; do
        [ -d "$root/Sources/$module" ] || continue
        echo "compile  $module (Embedded, armv7em-none-none-eabi)"
        local sources
        mapfile -t sources < <(find "$root/Sources/$module" -name '*.swift' | sort)
        "$embedded_bin/swiftc" "${embedded_swift_flags[@]}" -module-name "$module" -emit-module \
            -emit-module-path "$out/$module.swiftmodule" "${sources[@]}" \
            -c -o "$out/$module.o"
        embedded_objects+=("$out/$module.o")
    done
}

# Compiles the board's C support (startup, the C library pieces, 64-bit helpers, and any
# extra sources given) and appends the objects to `embedded_objects`.
embedded_compile_support() {
    for source in startup mem arith "$@"; do
        "$embedded_bin/clang" "${embedded_c_flags[@]}" -c "$embedded_support/$source.c" -o "$out/$source.o"
        embedded_objects+=("$out/$source.o")
    done
}

# embedded_link ELF MAP [ld.lld options...]: links `embedded_objects` with the board's script,
# --gc-sections and no allocator. A failed link is reported as the heap proof failing.
embedded_link() {
    local elf=$1 map=$2
    shift 2
    echo "link     --gc-sections, no allocator"
    if ! "$embedded_bin/ld.lld" -T "$embedded_support/link.ld" --gc-sections --orphan-handling=error -Map "$map" \
        "$@" -o "$elf" "${embedded_objects[@]}"; then
        echo "$(basename "$0"): FAILED: the link failed (an undefined allocator symbol means live code reaches the heap; a region overflow means the image outgrew its part)" >&2
        exit 1
    fi
}

# embedded_check_no_heap ELF: fails if the image holds any allocator or refcount symbol.
embedded_check_no_heap() {
    local forbidden='^(malloc|calloc|realloc|free|posix_memalign|swift_slowAlloc|swift_allocObject|swift_retain|swift_release)$'
    local found
    found=$("$embedded_bin/llvm-nm" "$1" | awk '{print $NF}' | grep -E "$forbidden" || true)
    if [ -n "$found" ]; then
        echo "$(basename "$0"): FAILED: the image contains heap or refcount symbols:" >&2
        echo "$found" >&2
        exit 1
    fi
}

# embedded_sizes ELF: sets image_flash (code, read-only data, the .data image), image_data,
# image_bss, image_stack (reserved) and image_ram (data + bss + stack), from the section
# headers (llvm-size is not in the toolchain). The data flash part (.flashpart) is a
# peripheral, not RAM.
embedded_sizes() {
    image_flash=0 image_data=0 image_bss=0 image_stack=0
    local name size
    while read -r _ name size _; do
        case "$name" in
            .stack) image_stack=$((16#$size)) ;;
            .bss) image_bss=$((16#$size)) ;;
            .data) image_data=$((16#$size)); image_flash=$((image_flash + image_data)) ;;
            .flashpart|.symtab|.strtab|.shstrtab) ;;
            .*) image_flash=$((image_flash + 16#$size)) ;;
        esac
    done < <("$embedded_bin/llvm-objdump" -h "$1" | awk '$1 ~ /^[0-9]+$/ {print $1, $2, $3, $4}')
    image_ram=$((image_data + image_bss + image_stack))
}
