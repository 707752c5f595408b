/* Local APIC (xAPIC at the MADT's address), IOAPICs for device GSIs, the LAPIC
 * timer and IPIs. Every APIC register access is one 32-bit mov (arch.h). The
 * registers used: ID 0x20, TPR 0x80, EOI 0xb0, SVR 0xf0, ICR 0x300/0x310,
 * LVT timer 0x320, LVT LINT0/LINT1 0x350/0x360, timer initial/current count
 * 0x380/0x390, divide configuration 0x3e0. */
#include "x86_64.h"

#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_TMR_INIT	0x380
#define LAPIC_TMR_CUR	0x390
#define LAPIC_TMR_DIV	0x3e0
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define SVR_ENABLE	(1u << 8)
#define ICR_BUSY	(1u << 12)

#define IOAPIC_SEL	0x00
#define IOAPIC_WIN	0x10
#define IOAPIC_VER	0x01
#define IOAPIC_RTE	0x10	/* + 2 * pin: low dword, high dword */
#define RTE_ACTIVE_LOW	(1u << 13)
#define RTE_LEVEL	(1u << 15)
#define RTE_MASKED	(1u << 16)

#define PIT_HZ		1193182

uint64_t rt_tsc_hz;
static uint64_t lapic_hz;	/* timer input clock, before the divider */
static uintptr_t lapic;

static struct { uint64_t base; uint32_t gsi_base, pins; } ioapics[4];
static unsigned nioapics;
static spinlock_t ioapic_lock;	/* the select/window pair */
static struct { uint32_t gsi; int edge, active_low, used; } routes[VEC_DEV_MAX];


static uint32_t lapic_rd(unsigned r) { return mmio_read32(lapic + r); }
static void lapic_wr(unsigned r, uint32_t v) { mmio_write32(lapic + r, v); }

uint64_t cpu_hwid(void)
{
	return lapic ? lapic_rd(LAPIC_ID) >> 24 : 0;
}

/* Per CPU: software-enable the LAPIC (spurious vector 0xff), accept every
 * priority, keep the legacy LINT pins (8259 ExtINT, NMI) masked. */
void lapic_cpu_init(void)
{
	if (!lapic)
		lapic = acpi_lapic_base;
	lapic_wr(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_wr(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_wr(LAPIC_TPR, 0);
	lapic_wr(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

/* A legacy 8259 pair (MADT PCAT_COMPAT): parked at 0x30-0x3f, all masked. */
void pic_disable(void)
{
	static const uint8_t icw[2][4] = { { 0x11, VEC_PIC_BASE, 4, 1 }, { 0x11, VEC_PIC_BASE + 8, 2, 1 } };
	int i;

	for (i = 0; i < 2; i++) {
		uint16_t p = i ? 0xa0 : 0x20;

		outb(p, icw[i][0]);
		outb(p + 1, icw[i][1]);
		outb(p + 1, icw[i][2]);
		outb(p + 1, icw[i][3]);
		outb(p + 1, 0xff);
	}
}

/* ---- IOAPIC ---- */

static uint32_t ioapic_rd(uint64_t base, unsigned reg)
{
	mmio_write32(base + IOAPIC_SEL, reg);
	return mmio_read32(base + IOAPIC_WIN);
}

static void ioapic_wr(uint64_t base, unsigned reg, uint32_t v)
{
	mmio_write32(base + IOAPIC_SEL, reg);
	mmio_write32(base + IOAPIC_WIN, v);
}

void ioapic_add(uint64_t base, uint32_t gsi_base)
{
	if (nioapics == sizeof ioapics / sizeof ioapics[0]) {
		rt_warn("guest: more than %u IOAPICs, ignoring the one at 0x%lx\n", nioapics,
			(unsigned long)base);
		return;
	}
	rt_map_phys(base, 0x20);
	ioapics[nioapics].base = base;
	ioapics[nioapics].gsi_base = gsi_base;
	ioapics[nioapics].pins = (ioapic_rd(base, IOAPIC_VER) >> 16 & 0xff) + 1;
	nioapics++;
}

/* Program the redirection entry of gsi: vector, trigger, polarity, fixed
 * delivery to one APIC id in physical mode, masked or not. */
static int ioapic_set(uint32_t gsi, uint32_t low, uint32_t dest)
{
	unsigned long f;
	unsigned i;

	for (i = 0; i < nioapics; i++)
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins)
			break;
	if (i == nioapics)
		return -1;
	f = spin_lock_irqsave(&ioapic_lock);
	gsi -= ioapics[i].gsi_base;
	ioapic_wr(ioapics[i].base, IOAPIC_RTE + 2 * gsi, RTE_MASKED);
	ioapic_wr(ioapics[i].base, IOAPIC_RTE + 2 * gsi + 1, dest << 24);
	ioapic_wr(ioapics[i].base, IOAPIC_RTE + 2 * gsi, low);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return 0;
}

/* A device interrupt: its GSI gets a vector (shared if two devices share the
 * GSI) and a masked redirection entry; intc_enable_irq unmasks it. */
int irq_route_gsi(uint32_t gsi, int edge, int active_low)
{
	unsigned v;

	for (v = 0; v < VEC_DEV_MAX && routes[v].used; v++)
		if (routes[v].gsi == gsi)
			return VEC_DEV_BASE + v;
	if (v == VEC_DEV_MAX)
		return -1;
	if (ioapic_set(gsi, RTE_MASKED | (edge ? 0 : RTE_LEVEL) | (active_low ? RTE_ACTIVE_LOW : 0) |
		       (VEC_DEV_BASE + v), cpu_hwid()))
		return -1;
	routes[v].gsi = gsi;
	routes[v].edge = edge;
	routes[v].active_low = active_low;
	routes[v].used = 1;
	return VEC_DEV_BASE + v;
}

/* ---- handlers ---- */

/* Device vectors are routed to the calling CPU; LAPIC vectors (timer, IPIs)
 * are per CPU anyway. The same (vector, fn, arg) from several CPUs shares one
 * handler slot. */
int intc_enable_irq(unsigned vec, int edge, irq_fn fn, void *arg)
{
	unsigned r;

	(void)edge;	/* the trigger mode came with the route */
	if (!lapic || vec < VEC_DEV_BASE || vec > 0xfe)
		return -1;
	if (irq_handler_add(vec, fn, arg) < 0)
		return -1;
	r = vec - VEC_DEV_BASE;
	if (r < VEC_DEV_MAX) {
		if (!routes[r].used)
			return -1;
		return ioapic_set(routes[r].gsi, (routes[r].edge ? 0 : RTE_LEVEL) |
				  (routes[r].active_low ? RTE_ACTIVE_LOW : 0) | vec, cpu_hwid());
	}
	return 0;
}

/* With IRQs masked, from x86_trap. Level-triggered lines: the handler quiets
 * the device, then the EOI (broadcast to the IOAPICs) re-arms the line. */
void apic_irq(unsigned vec)
{
	if (vec == VEC_SPURIOUS)
		return;			/* no EOI for the spurious vector */
	if (vec >= VEC_PIC_BASE && vec < VEC_PIC_BASE + 16)
		return;			/* a stray 8259 interrupt (LINT0 is masked) */
	irq_handler_run(vec);
	lapic_wr(LAPIC_EOI, 0);
}

/* Fixed IPIs, INIT and SIPI: wait until the previous one left, then send. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	unsigned long f = irq_save();
	unsigned n;

	for (n = 0; n < 1000000 && (lapic_rd(LAPIC_ICR_LO) & ICR_BUSY); n++)
		cpu_relax();
	lapic_wr(LAPIC_ICR_HI, apic_id << 24);
	lapic_wr(LAPIC_ICR_LO, icr_low);
	irq_restore(f);
}

/* ---- time ---- */

void delay_us(uint64_t us)
{
	uint64_t end = rt_counter() + rt_tsc_hz / 1000000 * us;

	while ((int64_t)(rt_counter() - end) < 0)
		cpu_relax();
}

static uint16_t pit_read0(void)
{
	uint8_t lo, hi;

	outb(0x43, 0x00);		/* latch channel 0 */
	lo = inb(0x40);
	hi = inb(0x40);
	return (uint16_t)(hi << 8 | lo);
}

/* ~10 ms of PIT channel 0 (rate generator, reload 65536, read back through
 * latches: no speaker gate needed, so machines without port 0x61 work) against
 * the TSC and the LAPIC timer (divide by 1, counting down from ~0). */
static int calibrate(void)
{
	uint64_t t0, t1, elapsed = 0, spins = 0;
	uint32_t l0, l1;
	uint16_t prev, now;

	outb(0x43, 0x34);		/* channel 0, lo/hi byte, mode 2, binary */
	outb(0x40, 0);
	outb(0x40, 0);
	lapic_wr(LAPIC_TMR_DIV, 0xb);
	lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_wr(LAPIC_TMR_INIT, 0xffffffff);
	prev = pit_read0();
	t0 = rt_counter();
	l0 = lapic_rd(LAPIC_TMR_CUR);
	while (elapsed < PIT_HZ / 100) {
		now = pit_read0();
		elapsed += (uint16_t)(prev - now);
		prev = now;
		if (++spins > 5000000 && elapsed < 10)
			break;		/* the counter does not move: no PIT */
	}
	t1 = rt_counter();
	l1 = lapic_rd(LAPIC_TMR_CUR);
	lapic_wr(LAPIC_TMR_INIT, 0);
	outb(0x43, 0x30);		/* mode 0: one edge, then quiet */
	outb(0x40, 0);
	outb(0x40, 0);
	if (elapsed < PIT_HZ / 100)
		return -1;
	rt_tsc_hz = (t1 - t0) * PIT_HZ / elapsed;
	lapic_hz = (uint64_t)(l0 - l1) * PIT_HZ / elapsed;
	return 0;
}

/* Frequencies from the hypervisor (CPUID 0x40000010: EAX TSC kHz, EBX LAPIC
 * timer kHz; the KVM/VMware convention) if it offers them, else measured. */
void timer_init(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (r[2] & (1u << 31)) {	/* running under a hypervisor */
		cpuid(0x40000000, 0, r);
		if (r[0] >= 0x40000010 && r[0] < 0x40010000) {
			cpuid(0x40000010, 0, r);
			if (r[0] && r[1]) {
				rt_tsc_hz = r[0] * 1000ull;
				lapic_hz = r[1] * 1000ull;
				return;
			}
		}
	}
	if (calibrate()) {
		rt_tsc_hz = 1000000000;
		lapic_hz = 1000000000;
		rt_warn("guest: no PIT to calibrate against: assuming 1 GHz TSC and LAPIC timer\n");
	}
}

static void (*tick_fn)(void);

static void timer_irq(void *arg)
{
	(void)arg;
	if (tick_fn)
		tick_fn();
}

/* Periodic LAPIC timer on this CPU: the smallest divider that fits the period. */
int vtimer_start(unsigned ms, void (*fn)(void))
{
	static const uint8_t div_code[8] = { 0xb, 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa };
	uint64_t count;
	unsigned d;

	if (!lapic)
		return -1;
	if (!ms)
		ms = 1;
	for (d = 0; d < 7 && lapic_hz / 1000 * ms >> d > 0xffffffffu; d++)
		;
	count = (lapic_hz / 1000 * ms) >> d;
	if (!count || count > 0xffffffffu)
		return -1;
	tick_fn = fn;
	if (intc_enable_irq(VEC_TIMER, 1, timer_irq, 0))
		return -1;
	lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_wr(LAPIC_TMR_DIV, div_code[d]);
	lapic_wr(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	lapic_wr(LAPIC_TMR_INIT, (uint32_t)count);
	return 0;
}

void vtimer_stop(void)
{
	if (!lapic)
		return;
	lapic_wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_wr(LAPIC_TMR_INIT, 0);
}
