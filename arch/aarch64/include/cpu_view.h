/* What a partition is told about its CPU: the AArch64 ID registers (op0=3 op1=0 CRn=0
 * CRm=1..7), every read of which HCR_EL2.TID3 traps. Pure code, host-buildable. */
#ifndef ARCH_CPU_VIEW_H
#define ARCH_CPU_VIEW_H

#include <stdint.h>

#define CPU_VIEW_CRM_FIRST 1
#define CPU_VIEW_CRM_LAST 7

/* The value a partition reads for ID register (crm, op2) when the physical CPU's is 'hw':
 * features the hv virtualizes or switches per vcpu are kept (some capped at what it
 * handles), everything else reads as absent; registers not listed read as zero. */
uint64_t cpu_view_id(unsigned crm, unsigned op2, uint64_t hw);

#endif
