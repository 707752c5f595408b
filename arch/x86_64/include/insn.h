/* Instruction fetch and decode for MMIO emulation. A nested-paging fault (SVM NPF without
 * DecodeAssists, VMX EPT violation) reports only the guest-physical address, so the hv
 * walks the guest's page tables to read the bytes at RIP and decodes the MOV that made
 * the access: its size, direction, register or immediate, and length to skip.
 * Only the MOV forms compilers and Linux's readX/writeX emit are accepted; anything else
 * is an error, so the hv can report the bytes instead of guessing.
 * Freestanding: no allocation, guest memory is reached only through read_gpa. */
#ifndef ARCH_X86_64_INSN_H
#define ARCH_X86_64_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSN_MAX_LEN 15             /* architectural limit; longer is #GP */

/* Errors (negative); 0 / positive is success. */
#define INSN_ERR_NOT_PRESENT  (-1)  /* a paging-structure entry has P=0 */
#define INSN_ERR_GPA          (-2)  /* read_gpa failed: table or code not in guest RAM */
#define INSN_ERR_RESERVED     (-3)  /* PS set where no large page may be (PML4E/PML5E) */
#define INSN_ERR_TRUNCATED    (-4)  /* the bytes end before the instruction does */
#define INSN_ERR_TOO_LONG     (-5)  /* more than 15 bytes */
#define INSN_ERR_OPCODE       (-6)  /* not one of the MOV forms below, or a register operand */
#define INSN_ERR_PREFIX       (-7)  /* LOCK, REP/REPNE (F3/F2) */

/* Guest paging state. Modes: CR0.PG=0 -> identity (linear truncated to 32 bits);
 * CR4.PAE=0 -> 32-bit paging (4 MiB pages if CR4.PSE, PSE-36 high bits honoured);
 * EFER.LMA=0 -> PAE (PDPTEs read from memory, as a fresh walk would); else 4-level,
 * or 5-level with CR4.LA57. Accessed/dirty bits are not set and reserved bits other
 * than PS-at-the-top are not checked: the CPU just walked the same tables to fetch. */
struct insn_paging {
    uint64_t cr0, cr3, cr4, efer;
};

/* Reads len bytes of guest-physical memory; <0 if [gpa, gpa+len) is not guest RAM. */
typedef int (*insn_read_gpa_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

/* Translates a linear address. 0 and *gpa set, or INSN_ERR_{NOT_PRESENT,GPA,RESERVED}. */
int insn_gva_to_gpa(const struct insn_paging *pg, insn_read_gpa_fn read_gpa, void *ctx,
                    uint64_t gva, uint64_t *gpa);

/* Reads up to 15 bytes at linear address 'la' (CS.base + RIP; CS.base is 0 in 64-bit
 * mode), translating each page separately. Returns the number of bytes read; if the
 * second page is unmapped or not RAM, just the first page's bytes (the instruction may
 * still fit: decode says INSN_ERR_TRUNCATED if not). An error if the first page fails. */
int insn_fetch(const struct insn_paging *pg, insn_read_gpa_fn read_gpa, void *ctx,
               uint64_t la, uint8_t buf[INSN_MAX_LEN]);

/* Code-segment mode for the decoder: 64 = long mode with CS.L, else CS.D ? 32 : 16. */
enum insn_mode { INSN_MODE16 = 16, INSN_MODE32 = 32, INSN_MODE64 = 64 };

enum insn_ext { INSN_EXT_NONE, INSN_EXT_ZERO, INSN_EXT_SIGN };

struct insn {
    uint8_t len;                    /* bytes to add to RIP */
    uint8_t size;                   /* bytes of memory accessed: 1, 2, 4, 8 */
    bool write;                     /* store to memory; else load into reg */
    bool has_imm;                   /* store of imm (C6/C7), reg unused */
    uint8_t reg;                    /* GPR 0-15 (0 rax .. 7 rdi, 8-15 r8-r15) */
    bool high8;                     /* byte reg is AH/CH/DH/BH: bits 15:8 of GPR reg (0-3) */
    uint8_t ext;                    /* loads: enum insn_ext from size to dst_size */
    uint8_t dst_size;               /* loads: register width written: 1, 2, 4, 8 */
    uint64_t imm;                   /* stores with has_imm: value, already sized */
};

/* Decodes at most n bytes (n may exceed the instruction). 0 or INSN_ERR_*.
 * Accepted: 88/89/8A/8B, C6 /0, C7 /0, A0-A3 (moffs), 0F B6/B7/BE/BF, memory operands
 * only; prefixes 66, 67, 2E/36/3E/26/64/65 (segment: ignored, the exit gives the
 * address) and REX in 64-bit mode. LOCK and F2/F3 are rejected: LOCK MOV is #UD, and
 * REP/XACQUIRE/XRELEASE never appear in MMIO accessors. */
int insn_decode(struct insn *in, const uint8_t *b, size_t n, enum insn_mode mode);

/* The register value after a load of 'data' (low in->size bytes used): extended to
 * dst_size, then 32-bit results zero the upper half and 8/16-bit ones merge into old. */
uint64_t insn_merge_load(const struct insn *in, uint64_t old_reg, uint64_t data);

/* The in->size bytes a store writes (low bits of the result), given the value of GPR
 * in->reg (ignored for immediates). */
uint64_t insn_store_value(const struct insn *in, uint64_t reg_value);

/* Short text for an INSN_ERR_* code. */
const char *insn_strerror(int err);

#endif
