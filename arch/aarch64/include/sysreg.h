/* System register access and the bits this port uses. */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <stdint.h>

#define read_sysreg(r) ({ uint64_t __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")

/* GICv3 CPU interface and virtualization registers, by encoding (older assemblers). */
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_SRE_EL2 S3_4_C12_C9_5
#define ICH_HCR_EL2 S3_4_C12_C11_0
#define ICH_VTR_EL2 S3_4_C12_C11_1
#define ICH_MISR_EL2 S3_4_C12_C11_2
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define ICH_AP0R0_EL2 S3_4_C12_C8_0
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_LR0_EL2 S3_4_C12_C12_0
#define ICH_LR1_EL2 S3_4_C12_C12_1
#define ICH_LR2_EL2 S3_4_C12_C12_2
#define ICH_LR3_EL2 S3_4_C12_C12_3
#define ICH_LR4_EL2 S3_4_C12_C12_4
#define ICH_LR5_EL2 S3_4_C12_C12_5
#define ICH_LR6_EL2 S3_4_C12_C12_6
#define ICH_LR7_EL2 S3_4_C12_C12_7

/* HCR_EL2: 64-bit EL1, trap SMC and WFI, route IRQ/FIQ/SError to EL2, stage 2 on,
 * set/way cache operations upgraded to clean+invalidate. */
#define HCR_VM (1ul << 0)
#define HCR_SWIO (1ul << 1)
#define HCR_FMO (1ul << 3)
#define HCR_IMO (1ul << 4)
#define HCR_AMO (1ul << 5)
#define HCR_FB (1ul << 9)
#define HCR_BSU_IS (1ul << 10)
#define HCR_TWI (1ul << 13)
#define HCR_TID3 (1ul << 18)
#define HCR_TSC (1ul << 19)
#define HCR_TIDCP (1ul << 20)
#define HCR_TACR (1ul << 21)
#define HCR_RW (1ul << 31)
#define HCR_TLOR (1ul << 35)
#define HCR_TERR (1ul << 36)
/* ... and the guest's view of the CPU: ID registers (TID3), implementation-defined
 * registers (TIDCP) and ACTLR_EL1 (TACR) trapped (sysreg_trap.c). */
#define HCR_GUEST (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | \
                   HCR_TWI | HCR_TSC | HCR_RW | HCR_TID3 | HCR_TIDCP | HCR_TACR)

/* MDCR_EL2 */
#define MDCR_TPMCR (1ul << 5)
#define MDCR_TPM (1ul << 6)
#define MDCR_TDOSA (1ul << 10)
#define MDCR_TDRA (1ul << 11)
#define MDCR_TPMS (1ul << 14)
#define MDCR_TTRF (1ul << 19)

/* CPTR_EL2 (E2H = 0) */
#define CPTR_TTA (1ul << 20)
#define CPTR_TAM (1ul << 30)

/* ESR_EL2 exception classes. */
#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_PAC 0x09
#define EC_SYSREG 0x18
#define EC_SVE 0x19
#define EC_SME 0x1d
#define EC_IABT_LOW 0x20
#define EC_DABT_LOW 0x24

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_IL (1u << 25)

#endif
