/* Secondary CPUs: each gets its own 8 KiB prefix area (lowcore) with the runtime's new
 * PSWs and its stack, then SIGP set prefix and restart; SIGP stop turns one off. */
#include <string.h>
#include "../internal.h"
#include "s390x.h"

#define SIGP_SENSE	0x01
#define SIGP_STOP	0x05
#define SIGP_RESTART	0x06
#define SIGP_SET_PREFIX	0x0d
#define SIGP_STATUS_STOPPED 0x40

extern const uint64_t rt_new_psws[12];
static uint8_t lowcores[RT_MAX_CPUS][8192] __attribute__((aligned(8192)));
static uint8_t stacks[RT_MAX_CPUS][1u << RT_CPU_STACK_SHIFT] __attribute__((aligned(16)));

long cpu_start(unsigned idx, uint64_t hwid, void (*fn)(unsigned idx))
{
	uint32_t status;
	uint8_t *lc = lowcores[idx];

	if (idx == 0 || idx >= RT_MAX_CPUS)
		return -1;
	memset(lc, 0, sizeof(lowcores[idx]));
	memcpy(lc + LC_RESTART_NEW, rt_new_psws, 96);
	uint64_t v[3] = { idx, (uint64_t)(uintptr_t)(stacks[idx] + sizeof(stacks[idx])),
			  (uint64_t)(uintptr_t)fn };
	memcpy(lc + LC_CPU_IDX, &v[0], 8);
	memcpy(lc + LC_STACK, &v[1], 8);
	memcpy(lc + LC_ENTRY, &v[2], 8);
	int cc = sigp((uint16_t)hwid, SIGP_SET_PREFIX, (uint64_t)(uintptr_t)lc, &status);
	if (cc)
		return -(long)(cc * 0x1000 + (cc == 1 ? status : 0));
	cc = sigp((uint16_t)hwid, SIGP_RESTART, 0, &status);
	return cc ? -(long)(cc * 0x1000 + (cc == 1 ? status : 0)) : 0;
}

void __attribute__((noreturn)) rt_secondary_start(unsigned long idx, void (*fn)(unsigned))
{
	lctlg(0, stctg(0) | CR0_EMERGENCY | CR0_EXT_CALL);
	irq_enable();
	fn((unsigned)idx);
	rt_cpu_off();
	for (;;)
		;
}

long rt_cpu_off(void)
{
	console_flush();
	return -(long)sigp((uint16_t)cpu_hwid(), SIGP_STOP, 0, NULL) - 1;
}

long rt_cpu_state(uint64_t hwid)
{
	uint32_t status;
	int cc = sigp((uint16_t)hwid, SIGP_SENSE, 0, &status);

	if (cc == 0)
		return 0;
	if (cc == 1 && (status & SIGP_STATUS_STOPPED))
		return 1;
	return -1;
}
