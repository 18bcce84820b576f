// A QEMU TCG plugin that counts the guest instructions executed, exactly (one inline add per
// instruction), and writes the total to the file named by its `out=PATH` argument at exit.
// With `profile=PATH` it also writes, per translated block, its start address (decimal), the
// instructions executed in it and its length in instructions, for a profile by function
// (addresses to symbols with llvm-nm).
//
// Debian ships QEMU without its plugins or the plugin header, so the few declarations of the
// plugin API (version 1, QEMU 7.x) this needs are written out here. Build:
//   clang -shared -fPIC -O2 -o insn-count.so insn-count.c
// Use: qemu-system-arm ... -plugin ./insn-count.so,out=count.txt
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t index);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *pointer,
                                                uint64_t immediate);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *pointer,
                                              uint64_t immediate);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t executed;
static char out_path[4096];
static char profile_path[4096];

// One translated block: where it starts, and the instructions executed in it so far. A block
// translated again gets another entry; the profile adds them up by address.
struct block {
    uint64_t vaddr;
    uint64_t instructions;
    uint64_t executed;
    struct block *next;
};
static struct block *blocks;

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t count = qemu_plugin_tb_n_insns(tb);
    if (profile_path[0]) {
        struct block *entry = calloc(1, sizeof *entry);
        if (entry) {
            entry->vaddr = qemu_plugin_tb_vaddr(tb);
            entry->instructions = count;
            entry->next = blocks;
            blocks = entry;
            qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &entry->executed, count);
        }
    }
    for (size_t index = 0; index < count; index++) {
        qemu_plugin_register_vcpu_insn_exec_inline(qemu_plugin_tb_get_insn(tb, index), QEMU_PLUGIN_INLINE_ADD_U64,
                                                   &executed, 1);
    }
}

static void at_exit(qemu_plugin_id_t id, void *userdata) {
    (void)id;
    (void)userdata;
    FILE *file = out_path[0] ? fopen(out_path, "w") : stderr;
    if (!file) return;
    fprintf(file, "%llu\n", (unsigned long long)executed);
    if (file != stderr) fclose(file);
    FILE *profile = profile_path[0] ? fopen(profile_path, "w") : NULL;
    if (!profile) return;
    for (struct block *entry = blocks; entry; entry = entry->next) {
        if (entry->executed) {
            fprintf(profile, "%llu %llu %llu\n", (unsigned long long)entry->vaddr, (unsigned long long)entry->executed,
                    (unsigned long long)entry->instructions);
        }
    }
    fclose(profile);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                              char **argv) {
    (void)info;
    for (int index = 0; index < argc; index++) {
        if (strncmp(argv[index], "out=", 4) == 0) {
            strncpy(out_path, argv[index] + 4, sizeof out_path - 1);
        } else if (strncmp(argv[index], "profile=", 8) == 0) {
            strncpy(profile_path, argv[index] + 8, sizeof profile_path - 1);
        } else {
            fprintf(stderr, "insn-count: unknown argument '%s' (expected out=PATH or profile=PATH)\n", argv[index]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
