/* GICv3: system-register CPU interface, distributor for SPIs, this CPU's
 * redistributor for SGIs/PPIs. Non-secure Group 1, EOImode 0. MMIO is 32-bit
 * except the 64-bit GICR_TYPER and GICD_IROUTER<n>. */
#include "internal.h"

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
#define XSTR(x) #x
#define rd_icc(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " XSTR(r) : "=r"(v_)); v_; })
#define wr_icc(r, v) __asm__ volatile("msr " XSTR(r) ", %0" :: "r"((uint64_t)(v)) : "memory")

static uintptr_t gicd, gicr;
static struct { unsigned intid; irq_fn fn; void *arg; } handlers[8];

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

static uint64_t my_affinity(void)
{
	uint64_t m = sysreg_read(mpidr_el1);

	return (m >> 8 & 0xff000000) | (m & 0xffffff);	/* Aff3.Aff2.Aff1.Aff0 */
}

int gic_init(uint64_t dist, uint64_t redist, uint64_t redist_size)
{
	uint64_t aff = my_affinity(), typer, off;

	wr_icc(ICC_SRE_EL1, rd_icc(ICC_SRE_EL1) | 1);
	isb();
	if (!(rd_icc(ICC_SRE_EL1) & 1))
		return -1;
	/* find this CPU's redistributor: frames of 2 (or 4 with VLPIs) x 64 KiB */
	for (off = 0; off < redist_size; off += (typer & 2) ? 0x40000 : 0x20000) {
		typer = mmio_read64(redist + off + GICR_TYPER);
		if (typer >> 32 == aff) {
			gicr = redist + off;
			break;
		}
		if (typer & (1 << 4))	/* Last */
			break;
	}
	if (!gicr)
		return -1;
	gicd = dist;
	set_bits(gicr + GICR_WAKER, 2, 0);		/* ProcessorSleep = 0 */
	while (mmio_read32(gicr + GICR_WAKER) & 4)	/* ChildrenAsleep */
		;
	set_bits(gicd + GICD_CTLR, 0, 0x10);		/* ARE_NS first, then */
	while (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		;
	set_bits(gicd + GICD_CTLR, 0, 0x02);		/* EnableGrp1NS */
	while (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		;
	wr_icc(ICC_PMR_EL1, 0xff);
	wr_icc(ICC_BPR1_EL1, 0);
	wr_icc(ICC_CTLR_EL1, rd_icc(ICC_CTLR_EL1) & ~2ul);	/* EOImode 0 */
	wr_icc(ICC_IGRPEN1_EL1, 1);
	isb();
	return 0;
}

int gic_enable_irq(unsigned id, int edge, irq_fn fn, void *arg)
{
	unsigned i;

	if (!gicd || id >= 1020)
		return -1;
	for (i = 0; i < sizeof handlers / sizeof handlers[0] && handlers[i].fn; i++)
		;
	if (i == sizeof handlers / sizeof handlers[0])
		return -1;
	handlers[i].intid = id;
	handlers[i].arg = arg;
	handlers[i].fn = fn;
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

/* Called from the IRQ vector with IRQs masked. */
void gic_handle_irq(void)
{
	unsigned id = rd_icc(ICC_IAR1_EL1) & 0xffffff, i;

	if (id >= 1020)		/* spurious */
		return;
	for (i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (handlers[i].fn && handlers[i].intid == id)
			handlers[i].fn(handlers[i].arg);
	wr_icc(ICC_EOIR1_EL1, id);
}
