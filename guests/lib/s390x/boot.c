/* Runtime start-up on s390x: storage and CPUs from the SCLP, the command line and initrd
 * from Linux's parameter area, the SCLP console; then main() (rt_run_main). */
#include <string.h>
#include "../internal.h"
#include "s390x.h"

#define PARM_INITRD_START 0x10408
#define PARM_INITRD_SIZE  0x10410
#define PARM_CMDLINE      0x10480

extern char _end[];

long arch_console_write(const char *buf, size_t n) { return sclp_write(buf, n); }
void arch_console_flush(void) { sclp_flush(); }

void __attribute__((noreturn)) rt_start(void)
{
	lctlg(0, stctg(0) | CR0_EMERGENCY | CR0_EXT_CALL);
	if (sclp_read_info(&rt_mem_size, rt_cpu_hwid, &rt_ncpus, RT_MAX_CPUS) < 0) {
		rt_warn("guest: READ SCP INFO failed\n");
		rt_mem_size = (uintptr_t)_end;
	}
	if (!rt_ncpus)
		rt_cpu_hwid[rt_ncpus++] = cpu_hwid();
	rt_mem_base = 0;
	const char *cmdline = (const char *)(uintptr_t)PARM_CMDLINE;
	if (cmdline[0])
		rt_bootargs = cmdline;
	uint64_t start = *(volatile uint64_t *)(uintptr_t)PARM_INITRD_START;
	uint64_t size = *(volatile uint64_t *)(uintptr_t)PARM_INITRD_SIZE;
	if (size && start + size > start && start + size <= rt_mem_size) {
		rt_initrd = (const uint8_t *)(uintptr_t)start;
		rt_initrd_size = size;
	}
	ccw_scan();
	rt_run_main();
}

int rt_map_phys(uint64_t addr, uint64_t len)
{
	return addr + len < addr || addr + len > rt_mem_size ? -1 : 0;	/* DAT is off */
}

void __attribute__((noreturn)) arch_poweroff(void)
{
	static const uint64_t psw[2] __attribute__((aligned(8))) = { 0x0002000180000000ull, 0 };
	sclp_flush();
	__asm__ volatile("lpswe %0" : : "Q"(psw) : "memory");
	__builtin_unreachable();
}

long rt_system_reset(void)
{
	sclp_flush();
	/* (the register variables after the call, which would clobber them) */
	register uint64_t r2 __asm__("2") = 0, r3 __asm__("3") = 0;
	register uint64_t sub __asm__("4") = 3;	/* load clear */
	__asm__ volatile("diag %0,%2,0x308" : "+d"(r2), "+d"(r3) : "d"(sub) : "memory");
	return -1;
}

long rt_hv_null_call(void)
{
	__asm__ volatile("diag 0,0,0x44" : : : "memory");
	return 0;
}
