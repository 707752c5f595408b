/* z/Architecture lowcore offsets (also for assembly). */
#ifndef LOWCORE_ASM_H
#define LOWCORE_ASM_H

/* Lowcore (the prefix area, 8 KiB per CPU): interruption codes and PSW pairs. */
#define LC_EXT_PARAMS       0x080   /* 4 bytes */
#define LC_EXT_CPU_ADDR     0x084   /* 2: the signalling CPU (external call, emergency) */
#define LC_EXT_CODE         0x086   /* 2 */
#define LC_PGM_ILC          0x08c   /* 2 */
#define LC_PGM_CODE         0x08e   /* 2 */
#define LC_TRANS_EXC_ID     0x0a8   /* 8: translation-exception identification */
#define LC_FACILITY_LIST    0x0c8   /* 4: STFL stores here */
#define LC_SUBCHANNEL_ID    0x0b8   /* 4: I/O interruption: subsystem-identification word */
#define LC_IO_INT_PARM      0x0bc   /* 4 */
#define LC_IO_INT_WORD      0x0c0   /* 4: interruption-identification word */
#define LC_STFL_FAC_LIST    0x0c8   /* 4 */
#define LC_RESTART_OLD_PSW  0x120
#define LC_EXT_OLD_PSW      0x130
#define LC_SVC_OLD_PSW      0x140
#define LC_PGM_OLD_PSW      0x150
#define LC_MCK_OLD_PSW      0x160
#define LC_IO_OLD_PSW       0x170
#define LC_RESTART_NEW_PSW  0x1a0
#define LC_EXT_NEW_PSW      0x1b0
#define LC_SVC_NEW_PSW      0x1c0
#define LC_PGM_NEW_PSW      0x1d0
#define LC_MCK_NEW_PSW      0x1e0
#define LC_IO_NEW_PSW       0x1f0
/* The hv's own per-CPU fields, in the part of the lowcore the architecture leaves to
 * programs (0x200 up): the interrupted registers and the CPU's stack and identity. */
#define LC_HV_SAVE          0x200   /* 16 x 8: general registers at interruption */
#define LC_HV_STACK         0x280   /* 8: top of this CPU's hv stack */
#define LC_HV_CPU           0x288   /* 8: hv CPU index */
#define LC_HV_MASK_SAVE     0x290   /* 1: system mask around SIE (STOSM/STNSM) */
#define LC_HV_VCPU          0x298   /* 8: the vcpu in SIE on this CPU (NULL outside) */
#define LC_HV_WAIT_PSW      0x2a0   /* 16: the enabled-wait PSW of s390_wait_enabled */
#define LC_HV_PGM_SAVE      0x300   /* 16 x 8: registers at a program interruption */
#define LC_SIZE             0x2000

#endif
