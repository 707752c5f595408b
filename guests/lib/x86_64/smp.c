/* Secondary CPUs: INIT, SIPI, SIPI through the local APIC into the real-mode
 * trampoline (head.S), copied to a page of RAM below 1 MiB; it enters long
 * mode on the boot CPU's page tables and GDT and reaches rt_secondary_start
 * on stack ap_boot_idx. There is no PSCI: a CPU turns itself off by halting
 * with interrupts masked, and nobody can ask whether it did. */
#include <string.h>
#include "x86_64.h"

#define ICR_FIXED	0x4000		/* fixed delivery, assert, edge, physical */
#define ICR_INIT	0x4500
#define ICR_SIPI	0x4600

volatile uint32_t ap_boot_idx;
static volatile int ap_ack;
static uintptr_t tramp;
static void (*cpu_fn[RT_MAX_CPUS])(unsigned idx);
static spinlock_t start_lock;
extern char ap_trampoline[], ap_trampoline_end[];

static uintptr_t ram_page(uintptr_t from, uintptr_t to)
{
	for (; from < to; from += 0x1000)
		if (e820_ram(from, 0x1000))
			return from;
	return 0;
}

/* The first page of E820 RAM at or above 0x8000, else above 0x1000, below the
 * 640 KiB hole. Only needed while a CPU starts; nothing we keep lives there. */
void smp_init(void)
{
	tramp = ram_page(0x8000, 0x9f000);
	if (!tramp)
		tramp = ram_page(0x1000, 0x8000);
	if (!tramp && rt_ncpus > 1)
		rt_warn("guest: no RAM below 1 MiB for the SIPI trampoline: one CPU only\n");
}

long cpu_start(unsigned idx, uint64_t hwid, void (*fn)(unsigned idx))
{
	unsigned long f;
	uint64_t end;
	int ok;

	if (idx >= RT_MAX_CPUS)
		return -2;
	if (!tramp)
		return -1;
	f = spin_lock_irqsave(&start_lock);
	memcpy((void *)tramp, ap_trampoline, ap_trampoline_end - ap_trampoline);
	cpu_fn[idx] = fn;
	ap_boot_idx = idx;
	ap_ack = 0;
	mb();
	lapic_send_ipi(hwid, ICR_INIT);
	delay_us(10000);
	lapic_send_ipi(hwid, ICR_SIPI | tramp >> 12);
	delay_us(200);
	if (!ap_ack)		/* a CPU already running ignores the second one */
		lapic_send_ipi(hwid, ICR_SIPI | tramp >> 12);
	end = rt_counter() + rt_counter_hz();
	while (!ap_ack && (int64_t)(rt_counter() - end) < 0)
		cpu_relax();
	ok = ap_ack;
	spin_unlock_irqrestore(&start_lock, f);
	return ok ? 0 : -1;
}

void __attribute__((noreturn)) rt_secondary_start(unsigned long idx)
{
	void (*fn)(unsigned idx) = cpu_fn[idx];

	idt_load();
	lapic_cpu_init();
	ap_ack = 1;		/* ap_boot_idx and the trampoline are free again */
	irq_enable();
	fn(idx);
	rt_cpu_off();
	for (;;)
		;
}

long rt_cpu_off(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
	return -1;
}

long rt_cpu_state(uint64_t hwid)
{
	(void)hwid;
	return RT_ENOTSUP;
}

static void call_void(void *fn) { ((void (*)(void))fn)(); }

int sgi_enable(unsigned intid, void (*fn)(void))
{
	return intid < 16 ? intc_enable_irq(VEC_IPI_BASE + intid, 1, call_void, (void *)fn) : -1;
}

void sgi_send(unsigned intid, uint64_t hwid)
{
	mb();		/* our earlier stores are visible to the target */
	lapic_send_ipi(hwid, ICR_FIXED | (VEC_IPI_BASE + (intid & 15)));
}
