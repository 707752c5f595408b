/* cpuview: what a partition sees of its CPU must be what the hv really provides.
 *   mode=view      (aarch64) hidden ID register fields, PMU registers reading as zero, the
 *                  emulated OS lock, breakpoint and watchpoint registers that keep what the
 *                  partition wrote, SGIs for affinities it does not have going nowhere,
 *                  registers it is not given raising an undefined instruction.
 *   mode=debug pattern=N  (aarch64) write breakpoint/watchpoint values derived from N, then
 *                  read them back for a while: another partition time-sharing the CPU with
 *                  another N must never show through.
 * Each check prints PASS name or FAIL name: why; check_summary() gives the verdict. */
#include <stdio.h>
#include <string.h>
#include "rt.h"

#ifdef __aarch64__
#define FIELD(v, shift) (((v) >> (shift)) & 0xf)
#define EC(esr) (((esr) >> 26) & 0x3f)

struct hidden { const char *name; unsigned long want; };

static void id_fields(void)
{
	uint64_t pfr0 = sysreg_read(id_aa64pfr0_el1), pfr1 = sysreg_read(id_aa64pfr1_el1);
	uint64_t dfr0 = sysreg_read(id_aa64dfr0_el1), isar1 = sysreg_read(id_aa64isar1_el1);
	uint64_t mmfr0 = sysreg_read(id_aa64mmfr0_el1), mmfr1 = sysreg_read(id_aa64mmfr1_el1);
	const struct { const char *name; uint64_t reg; unsigned shift, want; } f[] = {
		{ "id-el0-aarch64-only", pfr0, 0, 1 },	{ "id-el1-aarch64-only", pfr0, 4, 1 },
		{ "id-no-el2", pfr0, 8, 0 },		{ "id-no-el3", pfr0, 12, 0 },
		{ "id-gic-sysregs", pfr0, 24, 1 },	{ "id-no-ras", pfr0, 28, 0 },
		{ "id-no-sve", pfr0, 32, 0 },		{ "id-no-amu", pfr0, 44, 0 },
		{ "id-no-mte", pfr1, 8, 0 },		{ "id-no-sme", pfr1, 24, 0 },
		{ "id-no-trace", dfr0, 4, 0 },		{ "id-no-pmu", dfr0, 8, 0 },
		{ "id-no-spe", dfr0, 32, 0 },		{ "id-no-doublelock", dfr0, 36, 0xf },
		{ "id-no-trbe", dfr0, 44, 0 },		{ "id-no-pauth-apa", isar1, 4, 0 },
		{ "id-no-pauth-api", isar1, 8, 0 },	{ "id-no-pauth-gpa", isar1, 24, 0 },
		{ "id-no-pauth-gpi", isar1, 28, 0 },	{ "id-parange-32bit", mmfr0, 0, 0 },
		{ "id-no-vhe", mmfr1, 8, 0 },		{ "id-no-lor", mmfr1, 16, 0 },
	};

	for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++)
		check(FIELD(f[i].reg, f[i].shift) == f[i].want, f[i].name, "field reads %lu, want %u",
		      (unsigned long)FIELD(f[i].reg, f[i].shift), f[i].want);
	/* An unallocated ID register reads as zero (ID_AA64PFR2_EL1's slot on older CPUs). */
	check(sysreg_read(S3_0_C0_C4_3) == 0, "id-unallocated-zero", "reads 0x%lx",
	      (unsigned long)sysreg_read(S3_0_C0_C4_3));
}

static void pmu(void)
{
	uint64_t esr, v = 1;

	esr = rt_trap(sysreg_write(pmcr_el0, 1));	/* enable every counter */
	check(esr == 0, "pmu-pmcr-write-ignored", "ESR 0x%lx", (unsigned long)esr);
	esr = rt_trap(v = sysreg_read(pmcr_el0));
	check(esr == 0 && v == 0, "pmu-pmcr-reads-zero", "ESR 0x%lx, value 0x%lx", (unsigned long)esr, (unsigned long)v);
	esr = rt_trap(v = sysreg_read(pmccntr_el0));
	check(esr == 0 && v == 0, "pmu-cycle-counter-zero", "ESR 0x%lx, value 0x%lx", (unsigned long)esr, (unsigned long)v);
	esr = rt_trap(v = sysreg_read(pmuserenr_el0));
	check(esr == 0 && v == 0, "pmu-userenr-zero", "ESR 0x%lx, value 0x%lx", (unsigned long)esr, (unsigned long)v);
}

static void os_lock(void)
{
	uint64_t v = sysreg_read(oslsr_el1);

	check((v & 2) != 0, "oslock-locked-at-reset", "OSLSR_EL1 0x%lx", (unsigned long)v);
	sysreg_write(oslar_el1, 0);
	v = sysreg_read(oslsr_el1);
	check((v & 2) == 0, "oslock-unlocks", "OSLSR_EL1 0x%lx", (unsigned long)v);
	v = sysreg_read(mdrar_el1);
	check(v == 0, "mdrar-zero", "MDRAR_EL1 0x%lx", (unsigned long)v);
}

static void debug_regs(uint64_t pattern)
{
	sysreg_write(dbgbvr0_el1, pattern & ~3ull);
	sysreg_write(dbgbvr1_el1, (pattern << 4) & ~3ull);
	sysreg_write(dbgwvr0_el1, (pattern << 8) & ~7ull);
	sysreg_write(dbgwvr1_el1, (pattern << 12) & ~7ull);
}

static int debug_regs_hold(uint64_t pattern, uint64_t *seen)
{
	*seen = sysreg_read(dbgbvr0_el1);
	return *seen == (pattern & ~3ull) && sysreg_read(dbgbvr1_el1) == ((pattern << 4) & ~3ull) &&
	       sysreg_read(dbgwvr0_el1) == ((pattern << 8) & ~7ull) &&
	       sysreg_read(dbgwvr1_el1) == ((pattern << 12) & ~7ull);
}

static volatile int sgis;
static void on_sgi(void) { sgis++; }

static void wait_ms(unsigned ms)
{
	uint64_t end = rt_counter() + rt_counter_hz() * ms / 1000;

	while ((int64_t)(rt_counter() - end) < 0)
		cpu_relax();
}

static void sgi_ranges(void)
{
	const uint64_t intid = 3ull << 24, me = 1;	/* target list bit 0: Aff0 0, us */

	if (sgi_enable(3, on_sgi)) {
		check(0, "sgi-enable", "cannot enable SGI 3");
		return;
	}
	sysreg_write(S3_0_C12_C11_5, intid | me);	/* ICC_SGI1R_EL1, RS 0 */
	wait_ms(20);
	check(sgis == 1, "sgi-self-delivered", "%d SGIs arrived, want 1", sgis);
	sysreg_write(S3_0_C12_C11_5, intid | 1ull << 44 | me);	/* RS 1: Aff0 16, nobody here */
	wait_ms(20);
	check(sgis == 1, "sgi-rs1-nobody", "%d SGIs arrived, want 1", sgis);
	sysreg_write(S3_0_C12_C11_5, intid | 1ull << 16 | me);	/* Aff1 1: nobody here */
	wait_ms(20);
	check(sgis == 1, "sgi-aff1-nobody", "%d SGIs arrived, want 1", sgis);
}

static void not_given(void)
{
	uint64_t esr, v = 0;

	esr = rt_trap(v = sysreg_read(cntp_ctl_el0));
	check(EC(esr) == 0 && esr != 0, "physical-timer-undef", "ESR 0x%lx (value 0x%lx)", (unsigned long)esr, (unsigned long)v);
	/* Implementation-defined registers are trapped too (HCR_EL2.TIDCP), but QEMU 7.2's
	 * TCG does not honour that trap, so there is nothing to see here under it. */
	esr = rt_trap(v = sysreg_read(actlr_el1));
	check(esr == 0 && v == 0, "actlr-zero", "ESR 0x%lx, value 0x%lx", (unsigned long)esr, (unsigned long)v);
}

static void view(void)
{
	id_fields();
	pmu();
	os_lock();
	uint64_t seen;
	debug_regs(0x12345670);
	check(debug_regs_hold(0x12345670, &seen), "debug-regs-keep-values", "DBGBVR0 0x%lx", (unsigned long)seen);
	sgi_ranges();
	not_given();
}

static void debug_share(void)
{
	uint64_t pattern = bootarg_ulong("pattern", 1) << 20, seen = 0;
	unsigned ms = bootarg_ulong("ms", 300), bad = 0;

	debug_regs(pattern);
	uint64_t end = rt_counter() + rt_counter_hz() * ms / 1000;
	while ((int64_t)(rt_counter() - end) < 0)
		if (!debug_regs_hold(pattern, &seen))
			bad++;
	check(bad == 0, "debug-regs-private", "DBGBVR0 read 0x%lx (another partition's), %u times",
	      (unsigned long)seen, bad);
}
#endif

int main(void)
{
	char mode[16];

	bootarg_str("mode", mode, sizeof mode, "view");
	printf("cpuview: mode %s\n", mode);
#ifdef __aarch64__
	if (!strcmp(mode, "debug"))
		debug_share();
	else
		view();
#else
	check_fail("arch", "no checks for this architecture");
#endif
	return check_summary();
}
