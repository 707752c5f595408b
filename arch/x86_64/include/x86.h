/* x86_64 instructions and registers the port uses. */
#ifndef ARCH_X86_64_X86_H
#define ARCH_X86_64_X86_H

#include <stdint.h>

#define MSR_EFER 0xc0000080
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)
#define EFER_SVME (1u << 12)
#define MSR_PAT 0x277
#define MSR_APIC_BASE 0x1b
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_VM_HSAVE_PA 0xc0010117
#define MSR_FEATURE_CONTROL 0x3a

#define CR0_PE (1ul << 0)
#define CR0_MP (1ul << 1)
#define CR0_ET (1ul << 4)
#define CR0_NE (1ul << 5)
#define CR0_WP (1ul << 16)
#define CR0_PG (1ul << 31)
#define CR4_PAE (1ul << 5)
#define CR4_PGE (1ul << 7)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_VMXE (1ul << 13)

#define RFLAGS_IF (1ul << 9)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

#define read_cr(n) ({ uint64_t v_; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); v_; })
#define write_cr(n, v) __asm__ volatile("mov %0, %%cr" #n :: "r"((uint64_t)(v)) : "memory")

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }

#endif
