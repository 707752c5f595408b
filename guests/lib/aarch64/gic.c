/* GICv3: system-register CPU interface, distributor for SPIs, each CPU's own
 * redistributor for SGIs/PPIs. Non-secure Group 1, EOImode 0. MMIO is 32-bit
 * except the 64-bit GICR_TYPER and GICD_IROUTER<n>. */
#include "aarch64.h"

#define GICD_CTLR	0x0000
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_IPRIORITYR	0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICD_CTLR_RWP	(1u << 31)
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_SGI	0x10000		/* SGI/PPI frame: same layout as GICD below 0x1000 */
#define PRIO		0xa0

#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_BPR1_EL1	S3_0_C12_C12_3
#define ICC_CTLR_EL1	S3_0_C12_C12_4
#define ICC_SRE_EL1	S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1	S3_0_C12_C12_7
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_SGI1R_EL1	S3_0_C12_C11_5
#define XSTR(x) #x
#define rd_icc(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " XSTR(r) : "=r"(v_)); v_; })
#define wr_icc(r, v) __asm__ volatile("msr " XSTR(r) ", %0" :: "r"((uint64_t)(v)) : "memory")

static uintptr_t gicd, redist;
static uint64_t redist_size;

static void set_bits(uintptr_t a, uint32_t mask, uint32_t val)
{
	mmio_write32(a, (mmio_read32(a) & ~mask) | val);
}

/* Group 1, priority and trigger of one INTID in a GICD-layout frame. */
static void config_irq(uintptr_t frame, unsigned id, int edge)
{
	set_bits(frame + GICD_IGROUPR + id / 32 * 4, 1u << id % 32, 1u << id % 32);
	set_bits(frame + GICD_IPRIORITYR + id / 4 * 4, 0xffu << id % 4 * 8, PRIO << id % 4 * 8);
	if (id >= 32)	/* PPI trigger mode is fixed for the timer; leave it alone */
		set_bits(frame + GICD_ICFGR + id / 16 * 4, 2u << id % 16 * 2,
			 (edge ? 2u : 0) << id % 16 * 2);
}

/* The calling CPU's redistributor: frames of 2 (or 4 with VLPIs) x 64 KiB. */
static uintptr_t my_gicr(void)
{
	uint64_t m = cpu_mpidr(), typer, off;
	uint64_t aff = (m >> 8 & 0xff000000) | (m & 0xffffff);	/* Aff3.Aff2.Aff1.Aff0 */

	for (off = 0; redist && off < redist_size; off += (typer & 2) ? 0x40000 : 0x20000) {
		typer = mmio_read64(redist + off + GICR_TYPER);
		if (typer >> 32 == aff)
			return redist + off;
		if (typer & (1 << 4))	/* Last */
			break;
	}
	return 0;
}

/* Per-CPU half: system-register interface, redistributor awake, Group 1 on. */
int gic_cpu_init(void)
{
	uintptr_t gicr;

	wr_icc(ICC_SRE_EL1, rd_icc(ICC_SRE_EL1) | 1);
	isb();
	if (!(rd_icc(ICC_SRE_EL1) & 1) || !(gicr = my_gicr()))
		return -1;
	set_bits(gicr + GICR_WAKER, 2, 0);		/* ProcessorSleep = 0 */
	while (mmio_read32(gicr + GICR_WAKER) & 4)	/* ChildrenAsleep */
		;
	wr_icc(ICC_PMR_EL1, 0xff);
	wr_icc(ICC_BPR1_EL1, 0);
	wr_icc(ICC_CTLR_EL1, rd_icc(ICC_CTLR_EL1) & ~2ul);	/* EOImode 0 */
	wr_icc(ICC_IGRPEN1_EL1, 1);
	isb();
	return 0;
}

/* Boot CPU: the distributor, then its own CPU interface. */
int gic_init(uint64_t dist, uint64_t rd, uint64_t rd_size)
{
	redist = rd;
	redist_size = rd_size;
	if (gic_cpu_init())
		return -1;
	gicd = dist;
	set_bits(gicd + GICD_CTLR, 0, 0x10);		/* ARE_NS first, then */
	while (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		;
	set_bits(gicd + GICD_CTLR, 0, 0x02);		/* EnableGrp1NS */
	while (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		;
	return 0;
}

/* SGIs/PPIs are enabled on the calling CPU only, SPIs are routed to it.
 * The same (intid, fn, arg) from several CPUs shares one handler slot. */
int intc_enable_irq(unsigned id, int edge, irq_fn fn, void *arg)
{
	uintptr_t gicr = my_gicr();

	if (!gicd || id >= 1020 || !gicr)
		return -1;
	if (irq_handler_add(id, fn, arg) < 0)
		return -1;
	if (id < 32) {
		config_irq(gicr + GICR_SGI, id, edge);
		mmio_write32(gicr + GICR_SGI + GICD_ISENABLER, 1u << id);
	} else {
		config_irq(gicd, id, edge);
		mmio_write64(gicd + GICD_IROUTER + 8 * id, sysreg_read(mpidr_el1) & 0xff00ffffff);
		mmio_write32(gicd + GICD_ISENABLER + id / 32 * 4, 1u << id % 32);
	}
	return 0;
}

/* SGI to one CPU: ICC_SGI1R_EL1 Aff3/Aff2/Aff1, RS = Aff0 / 16, TargetList
 * bit Aff0 % 16, INTID in 27:24. */
void gic_send_sgi(unsigned id, uint64_t mpidr)
{
	uint64_t a0 = mpidr & 0xff;

	mb();		/* our earlier stores are visible to the target */
	wr_icc(ICC_SGI1R_EL1, (mpidr >> 32 & 0xff) << 48 | (a0 >> 4) << 44 | (mpidr >> 16 & 0xff) << 32 |
	       (uint64_t)(id & 15) << 24 | (mpidr >> 8 & 0xff) << 16 | 1u << (a0 & 15));
	isb();
}

/* Called from the IRQ vector with IRQs masked. */
void gic_handle_irq(void)
{
	unsigned id = rd_icc(ICC_IAR1_EL1) & 0xffffff;

	if (id >= 1020)		/* spurious */
		return;
	irq_handler_run(id);
	wr_icc(ICC_EOIR1_EL1, id);
}
