/* hostile: one attack on the hypervisor from inside a partition, chosen by
 * bootargs attack=NAME (the table below), next to a heartbeat partition (the
 * ticker, guard pattern at neighbour=ADDR + GUARD_OFFSET). Each attack states
 * what must happen:
 *   STOP   the hv stops this partition (the row's .expect names the reason);
 *          if the attack returns, that is a FAIL;
 *   CHECK  the attack is refused inside the partition (an exception caught
 *          with rt_catch, an error status, nothing delivered) and the attack
 *          checks that itself, then ends with a verdict.
 * The block attacks use the partition's own virtio-blk device (its console is
 * needed for the report); nothing they do may touch the disk outside it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rt.h"
#include "virtio.h"
#ifdef __x86_64__
#include "x86_64.h"	/* lapic_send_ipi */
#endif

#define GUARD_OFFSET	0x1000000ul	/* where the ticker keeps its guard pattern */

enum outcome { STOP, CHECK };

struct attack {
	const char *name;
	enum outcome outcome;
	void (*run)(const struct attack *a);
	uint64_t addr;		/* address, port, MSR, function id ... per run() */
	uint64_t val;
	int write;
};

static uint64_t neighbour;	/* the ticker's RAM, host physical (bootargs) */

static void out(void) { console_flush(); }

/* ---- accesses the stage 2 / nested paging must stop ---- */

static void access_once(const struct attack *a, uint64_t addr)
{
	printf("hostile: %s 0x%lx\n", a->write ? "write" : "read", (unsigned long)addr);
	out();
	if (rt_map_phys(addr, 8)) {
		check_fail(a->name, "cannot map 0x%lx in the guest", (unsigned long)addr);
		return;
	}
	if (a->write)
		rt_poke64(addr, 0x484f5354494c45ull);
	else
		(void)rt_peek64(addr);
	check_fail(a->name, "the access to 0x%lx completed", (unsigned long)addr);
}

static void stop_access(const struct attack *a) { access_once(a, a->addr); }
/* The partition's RAM is 32 MiB (hostile.dts.in): the first byte past it. */
#define RAM_SIZE	0x2000000ul
static uint64_t ram_end(void) { return rt_mem_base + RAM_SIZE; }
static void stop_ram_end(const struct attack *a) { access_once(a, ram_end()); }
static void stop_neighbour(const struct attack *a) { access_once(a, neighbour + GUARD_OFFSET); }

/* An address the guest's own MMU refuses: the exception stays inside it. */
static void touch(void *addr) { (void)rt_peek64((uintptr_t)addr); }

static void guest_fault(const struct attack *a)
{
	uint64_t info;
	long code = rt_catch(touch, (void *)(uintptr_t)a->addr, &info);

	check(code == (long)a->val, a->name, "exception %ld (info 0x%lx), want %ld", code,
	      (unsigned long)info, (long)a->val);
}

/* ---- virtio-blk requests that must fail with a status ---- */

#define T_IN	0
#define T_OUT	1
static char sector_buf[4096] __attribute__((aligned(4096)));

/* addr = sector (~0: one past the slice), val = request type; an unknown type
 * must get UNSUPP, anything else IOERR. */
static void blk_status(const struct attack *a)
{
	uint64_t sector;
	int rc, want = a->val == T_IN || a->val == T_OUT ? BLK_EIO : BLK_EUNSUPP;

	if (!check(!blk_init(), "blk-init", "no virtio-blk device"))
		return;
	blk_set_timeout_ms(2000);
	sector = a->addr == ~0ull ? blk_sectors() : a->addr;
	rc = blk_raw((uint32_t)a->val, sector, (uintptr_t)sector_buf, 512, a->val != T_OUT);
	check(rc == want, a->name, "status %s, want %s", blk_strerror(rc), blk_strerror(want));
	/* the device still serves good requests */
	blk_init();
	check(blk_read(0, sector_buf, 1) == 0, "blk-still-works", "a good read failed");
}

/* ---- virtqueues set up by hand on the block device ---- */

#define F_INDIRECT	28
#define VQN		16
static uint8_t ring_mem[3 * 4096] __attribute__((aligned(4096)));
static struct vring_desc tables[2][VQN] __attribute__((aligned(16)));

static uint32_t vrd(unsigned off) { return mmio_read32(blk_mmio_base() + off); }
static void vwr(unsigned off, uint32_t v) { mmio_write32(blk_mmio_base() + off, v); }
static void vwr64(unsigned off, uint64_t v) { vwr(off, (uint32_t)v); vwr(off + 4, v >> 32); }

enum vq_bad {
	VQ_DESC_OUTSIDE, VQ_USED_OUTSIDE, VQ_MISALIGNED, VQ_SIZE_ODD, VQ_SIZE_HUGE, VQ_LOOP,
	VQ_HEAD_OOB, VQ_NEXT_OOB, VQ_AVAIL_JUMP, VQ_HUGE_LEN, VQ_IND_NESTED, VQ_IND_LOOP,
	VQ_IND_MISALIGNED, VQ_IND_OUTSIDE,
};

/* A queue of VQN entries in ring_mem (desc, avail, used a page each), with
 * one request whose chain the attack spoils, notified once. The device must
 * answer with DEVICE_NEEDS_RESET (and the hv say why in its log). */
static void vq_attack(const struct attack *a)
{
	volatile struct vring_desc *d = (void *)ring_mem;
	volatile uint16_t *avail = (void *)(ring_mem + 4096);
	uint64_t desc_pa = (uintptr_t)d, avail_pa = (uintptr_t)avail, used_pa = desc_pa + 8192;
	uint64_t feat = 1ull << VIRTIO_F_VERSION_1 | 1ull << F_INDIRECT;
	unsigned num = VQN;
	static struct { uint32_t type, res; uint64_t sector; } hdr;
	static volatile uint8_t status = 0xff;
	uint32_t st;

	if (!check(blk_mmio_base() && !virtio_mmio_negotiate(blk_mmio_base(), &feat),
		   "vq-negotiate", "no virtio-blk device"))
		return;
	memset(ring_mem, 0, sizeof ring_mem);
	/* a good request first: header, data, status */
	d[0] = (struct vring_desc){ (uintptr_t)&hdr, 16, VRING_DESC_F_NEXT, 1 };
	d[1] = (struct vring_desc){ (uintptr_t)sector_buf, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 };
	d[2] = (struct vring_desc){ (uintptr_t)&status, 1, VRING_DESC_F_WRITE, 0 };
	avail[2] = 0;	/* ring[0] = head 0 */
	avail[1] = 1;	/* idx */
	switch ((enum vq_bad)a->val) {
	case VQ_DESC_OUTSIDE: desc_pa = neighbour; break;
	case VQ_USED_OUTSIDE: used_pa = ram_end(); break;
	case VQ_MISALIGNED: desc_pa += 2; break;
	case VQ_SIZE_ODD: num = 3; break;
	case VQ_SIZE_HUGE: num = 0x8000; break;
	case VQ_LOOP: d[2].flags |= VRING_DESC_F_NEXT; d[2].next = 0; break;
	case VQ_HEAD_OOB: avail[2] = 200; break;
	case VQ_NEXT_OOB: d[1].next = 500; break;
	case VQ_AVAIL_JUMP: avail[1] = 1000; break;
	case VQ_HUGE_LEN: d[1].len = 0xfffff000u; break;
	case VQ_IND_NESTED: case VQ_IND_LOOP: case VQ_IND_MISALIGNED: case VQ_IND_OUTSIDE:
		/* head 0 is an indirect table: header, data, status (tables[0]) */
		memcpy((void *)tables[0], (const void *)d, 3 * sizeof *d);
		d[0] = (struct vring_desc){ (uintptr_t)tables[0], 3 * sizeof *d, 4 /* INDIRECT */, 0 };
		if (a->val == VQ_IND_NESTED) {
			tables[1][0] = tables[0][0];
			tables[0][1] = (struct vring_desc){ (uintptr_t)tables[1], sizeof *d,
							    4 | VRING_DESC_F_NEXT, 2 };
		} else if (a->val == VQ_IND_LOOP) {
			tables[0][2].flags |= VRING_DESC_F_NEXT;
			tables[0][2].next = 0;
		} else if (a->val == VQ_IND_MISALIGNED) {
			d[0].addr += 4;
			d[0].len = 15;
		} else {
			d[0].addr = ram_end();
		}
		break;
	}
	wmb();
	vwr(VIRTIO_MMIO_QUEUE_SEL, 0);
	vwr(VIRTIO_MMIO_QUEUE_NUM, num);
	vwr64(VIRTIO_MMIO_QUEUE_DESC, desc_pa);
	vwr64(VIRTIO_MMIO_QUEUE_DRIVER, avail_pa);
	vwr64(VIRTIO_MMIO_QUEUE_DEVICE, used_pa);
	vwr(VIRTIO_MMIO_QUEUE_READY, 1);
	virtio_mmio_driver_ok(blk_mmio_base());
	vwr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	mb();
	st = vrd(VIRTIO_MMIO_STATUS);
	check(st & VIRTIO_ST_NEEDS_RESET, a->name, "device status 0x%x, want NEEDS_RESET", st);
	check(status == 0xff, "vq-no-completion", "the spoiled request completed (status %u)",
	      status);
	/* a reset brings the device back */
	check(!blk_init() && blk_read(0, sector_buf, 1) == 0, "blk-after-reset",
	      "the device does not work after a reset");
}

/* ---- storms ---- */

static void notify_storm(const struct attack *a)
{
	unsigned long i;

	if (!check(!blk_init(), "blk-init", "no virtio-blk device"))
		return;
	for (i = 0; i < a->val; i++)
		vwr(VIRTIO_MMIO_QUEUE_NOTIFY, (unsigned)(i & 7));	/* queues 1-7 do not exist */
	check(blk_read(0, sector_buf, 1) == 0, a->name, "the device stopped working");
}

static void console_flood(const struct attack *a)
{
	unsigned long i, short_writes = 0;
	char line[64];

	for (i = 0; i < a->val; i++) {
		int n = snprintf(line, sizeof line, "hostile: flood %lu\n", i);

		if (write(1, line, n) != n)
			short_writes++;
	}
	check(!short_writes, a->name, "%lu writes cut short", short_writes);
}

/* Console input arrives while this partition floods its console: the hv takes input on
 * the heartbeat's CPU, which must not wait for this partition's transmit (the row's
 * heartbeat checks its gaps). The line typed must arrive whole. */
static void console_input_flood(const struct attack *a)
{
	static char big[32768];
	char got[64] = "";
	unsigned long i, queued = 0;
	uint64_t t0;

	for (i = 0; i < sizeof big; i++)
		big[i] = i % 80 == 79 ? '\n' : 'a' + i % 26;
	big[sizeof big - 1] = '\n';
	printf("hostile: flooding; type now\n");
	out();
	t0 = rt_counter();
	for (i = 0; i < a->val; i++)	/* each round: one notify, the whole queue full */
		queued += vcon_flood(big, sizeof big, 64);
	printf("hostile: %lu KiB in %lu notifies, %lu ms\n", queued * sizeof big / 1024, a->val,
	       (unsigned long)((rt_counter() - t0) * 1000 / rt_counter_hz()));
	if (fgets(got, sizeof got, stdin))
		got[strcspn(got, "\r\n")] = 0;
	check(!strcmp(got, "typed during the flood"), a->name, "read \"%s\"", got);
}

/* Resets for ever: the row ends when the heartbeat is done. */
static void reset_storm(const struct attack *a)
{
	(void)a;
	out();
	rt_system_reset();
	check_fail(a->name, "the reset returned");
}

/* The partition's last CPU turns itself off: the hv must stop the partition. */
static void last_cpu_off(const struct attack *a)
{
	out();
	rt_cpu_off();
	check_fail(a->name, "CPU_OFF returned");
}

static volatile unsigned long sgis;
static void on_sgi(void) { sgis++; }

static void wait_ms(unsigned ms)
{
	uint64_t end = rt_counter() + rt_counter_hz() * ms / 1000;

	while ((int64_t)(rt_counter() - end) < 0)
		cpu_relax();
}

static void sgi_storm(const struct attack *a)
{
	unsigned long i;

	sgi_enable(2, on_sgi);
	for (i = 0; i < a->val; i++)
		sgi_send(2, cpu_hwid());
	wait_ms(50);
	check(sgis > 0 && sgis <= a->val, a->name, "%lu of %lu SGIs arrived", sgis,
	      (unsigned long)a->val);
}

/* ---- architecture specific ---- */

#ifdef __aarch64__
#define UART_BASE	0x09000000ul	/* the physical PL011 */
#define GICD_BASE	0x08000000ul
#define GITS_BASE	0x08080000ul
#define GICR_OTHER	0x080c0000ul	/* the redistributor frame of physical CPU 1 */
#define RTC_BASE	0x09010000ul
#define FWCFG_BASE	0x09020000ul
#define DISK_MMIO	0x0a003e00ul	/* the physical virtio-blk (last virtio-mmio slot) */
#define PCIE_ECAM	0x4010000000ul	/* above the 32-bit PA range the partition is shown */
#define PCIE_MMIO	0x10000000ul	/* the physical PCIe window (not the partition's) */
#define IPA_TOP		0xfffffff8ul	/* last word of the 32-bit PA range it is shown */
#define WRAP_ADDR	0xfffffffffffffff8ul
#define FAULT_WRAP	RT_EC_DABT

#define PSCI_CPU_ON		0xc4000003ul
#define PSCI_AFFINITY_INFO	0xc4000004ul
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMS	(-2)
#define PSCI_ALREADY_ON		(-4)

static long smc_or_hvc(int smc, uint64_t fn, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2,
		x3 __asm__("x3") = 0;

	if (smc)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	return (long)x0;
}

/* Function numbers nobody defined: NOT_SUPPORTED, nothing else happens. */
static void psci_garbage(const struct attack *a)
{
	static const uint64_t fns[] = { 0x8400ffff, 0xc400ffff, 0x0, 0xffffffff,
					0x86000000, 0xc2000001, 0xffffffffffffffff };
	unsigned i, bad = 0;
	long r = 0;

	for (i = 0; i < sizeof fns / sizeof fns[0]; i++)
		if ((r = smc_or_hvc(a->write, fns[i], 1, 2)) != PSCI_NOT_SUPPORTED && !bad++)
			printf("hostile: function 0x%lx returned %ld\n", (unsigned long)fns[i], r);
	check(!bad, a->name, "%u of %u unknown functions did not return NOT_SUPPORTED", bad, i);
}

/* CPU_ON of CPUs the partition does not have, and of itself. */
static void psci_cpu_on_foreign(const struct attack *a)
{
	static const uint64_t targets[] = { 1, 2, 0xff, 0x100, 0x10000, 0x100000000ul };
	unsigned i;
	long r;

	for (i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		r = smc_or_hvc(0, PSCI_CPU_ON, targets[i], rt_mem_base + 0x80000);
		check(r == PSCI_INVALID_PARAMS, a->name, "CPU_ON 0x%lx returned %ld, want -2",
		      (unsigned long)targets[i], r);
	}
	r = smc_or_hvc(0, PSCI_CPU_ON, 0, rt_mem_base + 0x80000);
	check(r == PSCI_ALREADY_ON, "cpu-on-self", "CPU_ON 0 returned %ld, want -4", r);
	for (i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		r = smc_or_hvc(0, PSCI_AFFINITY_INFO, targets[i], 0);
		check(r == PSCI_INVALID_PARAMS, "affinity-info-foreign",
		      "AFFINITY_INFO 0x%lx returned %ld, want -2", (unsigned long)targets[i], r);
	}
}

/* ICC_SGI1R_EL1 values that name no vcpu of ours: nothing may arrive. */
static void sgi_nowhere(const struct attack *a)
{
	sgi_enable(3, on_sgi);
	sgis = 0;
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" :: "r"(a->val | 3ull << 24));
	wait_ms(50);
	check(sgis == 0, a->name, "%lu SGIs arrived for ICC_SGI1R_EL1 0x%lx", sgis,
	      (unsigned long)(a->val | 3ull << 24));
}

static void read_cntp_ctl(void *v) { __asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(*(uint64_t *)v)); }
static void read_hcr_el2(void *v) { __asm__ volatile("mrs %0, S3_4_C1_C1_0" : "=r"(*(uint64_t *)v)); }
static void read_vbar_el2(void *v) { __asm__ volatile("mrs %0, S3_4_C12_C0_0" : "=r"(*(uint64_t *)v)); }

/* A register that is not the partition's: undefined instruction inside it. */
static void sysreg_undef(const struct attack *a)
{
	static void (*const ops[])(void *) = { read_cntp_ctl, read_hcr_el2, read_vbar_el2 };
	uint64_t v, esr;
	long ec = rt_catch(ops[a->val], &v, &esr);

	check(ec == RT_EC_UNDEF, a->name, "ESR_EL1 0x%lx (EC %ld), want EC 0", (unsigned long)esr, ec);
}

/* The PMU is hidden: PMUVer 0, its registers read as zero and ignore writes. */
static void pmu_write(void *v) { __asm__ volatile("msr pmcr_el0, %0; msr pmcntenset_el0, %0; isb" :: "r"(*(uint64_t *)v)); }
static void pmu_read(void *v)
{
	uint64_t *r = v;
	__asm__ volatile("mrs %0, pmcr_el0; mrs %1, pmccntr_el0; mrs %2, pmcntenset_el0"
			 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]));
}

static void pmu_hidden(const struct attack *a)
{
	uint64_t dfr0 = sysreg_read(id_aa64dfr0_el1), w = 0x7, r[3] = { 1, 1, 1 }, esr;
	long ec;

	check((dfr0 >> 8 & 0xf) == 0, "pmuver-hidden", "ID_AA64DFR0_EL1 0x%lx shows PMUVer %lu",
	      (unsigned long)dfr0, (unsigned long)(dfr0 >> 8 & 0xf));
	ec = rt_catch(pmu_write, &w, &esr);
	check(ec < 0, "pmu-write-ignored", "ESR_EL1 0x%lx", (unsigned long)esr);
	ec = rt_catch(pmu_read, r, &esr);
	check(ec < 0 && !r[0] && !r[1] && !r[2], a->name,
	      "exception %ld, PMCR 0x%lx PMCCNTR 0x%lx PMCNTENSET 0x%lx", ec,
	      (unsigned long)r[0], (unsigned long)r[1], (unsigned long)r[2]);
}

/* Debug registers of a CPU shared with another partition: each must read back
 * only its own values. seed= tells the two partitions apart. */
#define DBG_RD(n, v) __asm__ volatile("mrs %0, dbgbvr" #n "_el1" : "=r"(v))
#define DBG_WR(n, v) __asm__ volatile("msr dbgbvr" #n "_el1, %0" :: "r"(v))
#define DBGW_RD(n, v) __asm__ volatile("mrs %0, dbgwvr" #n "_el1" : "=r"(v))
#define DBGW_WR(n, v) __asm__ volatile("msr dbgwvr" #n "_el1, %0" :: "r"(v))
static void debug_regs_write(uint64_t v[8])
{
	DBG_WR(0, v[0]); DBG_WR(1, v[1]); DBG_WR(2, v[2]); DBG_WR(3, v[3]);
	DBG_WR(4, v[4]); DBG_WR(5, v[5]); DBGW_WR(0, v[6]); DBGW_WR(1, v[7]);
	isb();
}
static void debug_regs_read(uint64_t v[8])
{
	DBG_RD(0, v[0]); DBG_RD(1, v[1]); DBG_RD(2, v[2]); DBG_RD(3, v[3]);
	DBG_RD(4, v[4]); DBG_RD(5, v[5]); DBGW_RD(0, v[6]); DBGW_RD(1, v[7]);
}
#define NR_DEBUG_REGS	8
#define DEBUG_REG_NAME	"DBGBVR0-5/DBGWVR0-1"
#else /* x86_64 */
#define HV_BASE		0x4000000ul	/* the hv's image (64 MiB, host physical) */
#define HPET_BASE	0xfed00000ul
#define PCIE_ECAM	0xb0000000ul	/* q35 MMCONFIG */
#define BIOS_FLASH	0xffff0000ul
#define IPA_TOP		0x7ffffffff8ul
#define WRAP_ADDR	0x8000000000000000ul	/* non-canonical */
#define FAULT_WRAP	RT_VEC_GP
#define IOAPIC_BASE	0xfec00000ul
#define LAPIC_BASE	0xfee00000ul

/* Ports the hv keeps or that would reach the machine: dropped (reads all-ones),
 * and the machine goes on (the physical ACPI PM1a, reset control, 8042). */
static void port_dropped(const struct attack *a)
{
	uint32_t v;

	printf("hostile: %s port 0x%lx\n", a->write ? "out" : "in", (unsigned long)a->addr);
	out();
	if (a->write) {
		if (a->addr == 0x604 || a->addr == 0x600)
			outw(a->addr, (uint16_t)a->val);
		else if (a->addr == 0xcf8)
			outl(a->addr, (uint32_t)a->val);
		else
			outb(a->addr, (uint8_t)a->val);
		wait_ms(100);	/* had it reached the machine, it would be gone by now */
		check(1, a->name, "%s", "");
	} else {
		if (a->addr == 0xcfc) {
			outl(0xcf8, 0x80000000u);	/* bus 0 device 0: the host bridge */
			v = inl(0xcfc);
			check(v == 0xffffffffu, a->name, "read 0x%x, want all-ones", v);
		} else {
			v = inb(a->addr);
			check(v == 0xff, a->name, "read 0x%x, want 0xff", v);
		}
	}
}

static void msr_refused(const struct attack *a)
{
	uint64_t v = 0, before = 0;
	int vec;

	if (a->write) {
		rdmsr_safe(a->addr, &before);
		vec = wrmsr_safe(a->addr, a->val);
	} else {
		vec = rdmsr_safe(a->addr, &v);
	}
	check(vec == RT_VEC_GP, a->name, "%s of MSR 0x%lx: exception %d, want #GP",
	      a->write ? "write" : "read", (unsigned long)a->addr, vec);
	if (a->write && rdmsr_safe(a->addr, &v) < 0)
		check(v == before, "msr-unchanged", "MSR 0x%lx now 0x%lx, was 0x%lx",
		      (unsigned long)a->addr, (unsigned long)v, (unsigned long)before);
}

static void do_invlpga(void *p) { (void)p; __asm__ volatile("invlpga" :: "a"(0ul), "c"(0u)); }
static void do_vmrun(void *p) { (void)p; __asm__ volatile("vmrun" :: "a"(0ul)); }
static void do_vmmcall(void *p) { (void)p; __asm__ volatile("vmmcall" :: "a"(0xdeadbeeful) : "memory"); }
static void do_vmcall(void *p) { (void)p; __asm__ volatile("vmcall" :: "a"(0xdeadbeeful) : "memory"); }
static void do_stgi_clgi(void *p) { (void)p; __asm__ volatile("clgi; stgi" ::: "memory"); }
static void do_vmload(void *p) { (void)p; __asm__ volatile("vmload" :: "a"(0ul)); }

/* Virtualization instructions: the partition has none, #UD. */
static void insn_ud(const struct attack *a)
{
	static void (*const ops[])(void *) = { do_invlpga, do_vmrun, do_vmmcall, do_vmcall,
					       do_stgi_clgi, do_vmload };
	uint64_t info;
	long vec = rt_catch(ops[a->val], NULL, &info);

	check(vec == RT_VEC_UD, a->name, "exception %ld, want #UD (6)", vec);
}

static void cpuid_hidden(const struct attack *a)
{
	uint32_t r[4], ext[4];

	cpuid(0x80000001, 0, ext);
	check(!(ext[2] & 1u << 2), "cpuid-svm-bit", "CPUID 0x80000001 ECX 0x%x has SVM", ext[2]);
	cpuid(0x8000000a, 0, r);
	check(!r[0] && !r[1] && !r[2] && !r[3], a->name,
	      "CPUID 0x8000000a = %x %x %x %x, want all zero", r[0], r[1], r[2], r[3]);
	cpuid(1, 0, r);
	check(!(r[2] & 1u << 5), "cpuid-vmx-bit", "CPUID 1 ECX 0x%x has VMX", r[2]);
}

/* IPIs through the emulated LAPIC to APIC ids the partition does not have
 * (fixed, INIT, SIPI) and with the all-excluding-self shorthand: dropped. */
static void ipi_foreign(const struct attack *a)
{
	static const uint32_t ids[] = { 1, 2, 0x7f };	/* 0xff would be the broadcast */
	unsigned i;

	sgi_enable(3, on_sgi);
	sgis = 0;
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		lapic_send_ipi(ids[i], (uint32_t)a->val);
		if (a->val == 0x4500) {			/* INIT, then SIPI to page 0x9f */
			wait_ms(10);
			lapic_send_ipi(ids[i], 0x469f);
		}
	}
	lapic_send_ipi(0, (uint32_t)a->val | 3u << 18);	/* all excluding self */
	wait_ms(50);
	check(sgis == 0, a->name, "%lu IPIs came back", sgis);
}

/* Redirect every emulated IOAPIC pin to nonsense: it is the partition's own. */
static void ioapic_scramble(const struct attack *a)
{
	unsigned pin;

	for (pin = 0; pin < 24; pin++) {
		mmio_write32(IOAPIC_BASE, 0x10 + 2 * pin);
		mmio_write32(IOAPIC_BASE + 0x10, 0x000000ffu);	/* vector 0xff, fixed, unmasked */
		mmio_write32(IOAPIC_BASE, 0x11 + 2 * pin);
		mmio_write32(IOAPIC_BASE + 0x10, 0xff000000u);	/* every CPU */
	}
	mmio_write32(IOAPIC_BASE, 0);
	mmio_write32(IOAPIC_BASE + 0x10, 0x0f000000u);	/* its id */
	check(1, a->name, "%s", "");
}

static void debug_regs_write(uint64_t v[4])
{
	__asm__ volatile("mov %0, %%db0; mov %1, %%db1; mov %2, %%db2; mov %3, %%db3"
			 :: "r"(v[0]), "r"(v[1]), "r"(v[2]), "r"(v[3]));
}
static void debug_regs_read(uint64_t v[4])
{
	__asm__ volatile("mov %%db0, %0; mov %%db1, %1; mov %%db2, %2; mov %%db3, %3"
			 : "=r"(v[0]), "=r"(v[1]), "=r"(v[2]), "=r"(v[3]));
}
#define NR_DEBUG_REGS	4
#define DEBUG_REG_NAME	"DR0-DR3"
#endif

/* Two partitions share a CPU: each writes its own debug register values and
 * keeps reading them back over many schedule windows. */
static void debug_regs_own(const struct attack *a)
{
	uint64_t seed = bootarg_ulong("seed", 1), want[8], got[8];
	unsigned i, round, bad = 0;

	for (i = 0; i < NR_DEBUG_REGS; i++)	/* word aligned, canonical, user range */
		want[i] = (seed << 24 | (i + 1) << 12) & ~7ull;
	debug_regs_write(want);
	for (round = 0; round < a->val && !bad; round++) {
		wait_ms(5);
		debug_regs_read(got);
		for (i = 0; i < NR_DEBUG_REGS; i++)
			if (got[i] != want[i] && !bad++)
				printf("hostile: round %u: register %u reads 0x%lx, wrote 0x%lx\n",
				       round, i, (unsigned long)got[i], (unsigned long)want[i]);
	}
	check(!bad, a->name, DEBUG_REG_NAME " changed under us (another partition's values?)");
}

/* ---- the table ---- */

#define NOTIFY_STORM	200000
#define FLOOD_LINES	3000

static const struct attack attacks[] = {
	/* memory that is not the partition's: stopped, address named */
	{ "neighbour-read", STOP, stop_neighbour, 0, 0, 0 },
	{ "neighbour-write", STOP, stop_neighbour, 0, 0, 1 },
	{ "ram-end-read", STOP, stop_ram_end, 0, 0, 0 },
	{ "ram-end-write", STOP, stop_ram_end, 0, 0, 1 },
	{ "ipa-top", STOP, stop_access, IPA_TOP, 0, 0 },
	/* an address the guest's own MMU refuses: its own exception */
	{ "va-wrap", CHECK, guest_fault, WRAP_ADDR, FAULT_WRAP, 0 },
	/* virtio-blk requests: error status, device still fine */
	{ "blk-past-slice", CHECK, blk_status, ~0ull, T_OUT, 0 },
	{ "blk-read-past-slice", CHECK, blk_status, ~0ull, T_IN, 0 },
	{ "blk-wrap-sector", CHECK, blk_status, 0xffffffffffffff80ull, T_OUT, 0 },
	{ "blk-unknown-type", CHECK, blk_status, 0, 0x7fffffff, 0 },
	/* malformed virtqueues: NEEDS_RESET, nothing completes */
	{ "vq-desc-outside", CHECK, vq_attack, 0, VQ_DESC_OUTSIDE, 0 },
	{ "vq-used-outside", CHECK, vq_attack, 0, VQ_USED_OUTSIDE, 0 },
	{ "vq-misaligned", CHECK, vq_attack, 0, VQ_MISALIGNED, 0 },
	{ "vq-size-odd", CHECK, vq_attack, 0, VQ_SIZE_ODD, 0 },
	{ "vq-size-huge", CHECK, vq_attack, 0, VQ_SIZE_HUGE, 0 },
	{ "vq-loop", CHECK, vq_attack, 0, VQ_LOOP, 0 },
	{ "vq-head-oob", CHECK, vq_attack, 0, VQ_HEAD_OOB, 0 },
	{ "vq-next-oob", CHECK, vq_attack, 0, VQ_NEXT_OOB, 0 },
	{ "vq-avail-jump", CHECK, vq_attack, 0, VQ_AVAIL_JUMP, 0 },
	{ "vq-huge-len", CHECK, vq_attack, 0, VQ_HUGE_LEN, 0 },
	{ "vq-indirect-nested", CHECK, vq_attack, 0, VQ_IND_NESTED, 0 },
	{ "vq-indirect-loop", CHECK, vq_attack, 0, VQ_IND_LOOP, 0 },
	{ "vq-indirect-misaligned", CHECK, vq_attack, 0, VQ_IND_MISALIGNED, 0 },
	{ "vq-indirect-outside", CHECK, vq_attack, 0, VQ_IND_OUTSIDE, 0 },
	/* storms: the heartbeat must not notice */
	{ "notify-storm", CHECK, notify_storm, 0, NOTIFY_STORM, 0 },
	{ "console-flood", CHECK, console_flood, 0, FLOOD_LINES, 0 },
	{ "console-input-flood", CHECK, console_input_flood, 0, 2, 0 },
	{ "sgi-storm", CHECK, sgi_storm, 0, 100000, 0 },
	{ "reset-storm", CHECK, reset_storm, 0, 0, 0 },
	{ "last-cpu-off", CHECK, last_cpu_off, 0, 0, 0 },
	{ "debug-regs-timeshare", CHECK, debug_regs_own, 0, 200, 0 },
#ifdef __aarch64__
	/* The hv's own RAM has no address here: its physical address lies inside the
	 * partition's RAM window (guest-physical 0x40000000 up), so it is the
	 * partition's own memory. A physical address above the 32-bit range the
	 * partition is shown faults in its own MMU (address size fault). */
	{ "pcie-ecam", CHECK, guest_fault, PCIE_ECAM, RT_EC_DABT, 0 },
	{ "pcie-mmio", STOP, stop_access, PCIE_MMIO, 0, 0 },
	{ "uart-read", STOP, stop_access, UART_BASE, 0, 0 },
	{ "uart-write", STOP, stop_access, UART_BASE, 0, 1 },
	{ "gits-write", STOP, stop_access, GITS_BASE, 0, 1 },
	{ "gicr-foreign", STOP, stop_access, GICR_OTHER, 0, 0 },
	{ "rtc-read", STOP, stop_access, RTC_BASE, 0, 0 },
	{ "fw-cfg-read", STOP, stop_access, FWCFG_BASE, 0, 0 },
	{ "disk-mmio", STOP, stop_access, DISK_MMIO, 0, 1 },
	{ "flash-read", STOP, stop_access, 0x0, 0, 0 },
	{ "gicd-unknown-reg", STOP, stop_access, GICD_BASE + 0xf000, 0, 1 },
	{ "hvc-garbage", CHECK, psci_garbage, 0, 0, 0 },
	{ "smc-garbage", CHECK, psci_garbage, 0, 0, 1 },
	{ "cpu-on-foreign", CHECK, psci_cpu_on_foreign, 0, 0, 0 },
	/* ICC_SGI1R_EL1: Aff1 = 1; IRM (everyone but me, and we are alone);
	 * RS = 1 (targets 16-31, which we do not have) */
	{ "sgi-other-affinity", CHECK, sgi_nowhere, 0, 1ull << 16 | 1, 0 },
	{ "sgi-broadcast", CHECK, sgi_nowhere, 0, 1ull << 40, 0 },
	{ "sgi-range-select", CHECK, sgi_nowhere, 0, 1ull << 44 | 1, 0 },
	{ "phys-timer", CHECK, sysreg_undef, 0, 0, 0 },
	{ "el2-hcr", CHECK, sysreg_undef, 0, 1, 0 },
	{ "el2-vbar", CHECK, sysreg_undef, 0, 2, 0 },
	{ "pmu-hidden", CHECK, pmu_hidden, 0, 0, 0 },
#else
	{ "hv-read", STOP, stop_access, HV_BASE, 0, 0 },	/* outside its map here */
	{ "hv-write", STOP, stop_access, HV_BASE, 0, 1 },
	{ "pcie-ecam", STOP, stop_access, PCIE_ECAM, 0, 0 },
	{ "hpet-read", STOP, stop_access, HPET_BASE, 0, 0 },
	{ "bios-flash-read", STOP, stop_access, BIOS_FLASH, 0, 0 },
	{ "uart-port-read", CHECK, port_dropped, 0x3fd, 0, 0 },
	{ "uart-port-write", CHECK, port_dropped, 0x3f8, '!', 1 },
	{ "acpi-pm1a-off", CHECK, port_dropped, 0x604, 0x2000, 1 },
	{ "reset-cf9", CHECK, port_dropped, 0xcf9, 0x06, 1 },
	{ "reset-8042", CHECK, port_dropped, 0x64, 0xfe, 1 },
	{ "pci-config-read", CHECK, port_dropped, 0xcfc, 0, 0 },
	{ "ioapic-scramble", CHECK, ioapic_scramble, 0, 0, 0 },
	{ "ipi-foreign", CHECK, ipi_foreign, 0, 0x4000 | (VEC_IPI_BASE + 3), 0 },	/* fixed, the vector of SGI 3 */
	{ "init-sipi-foreign", CHECK, ipi_foreign, 0, 0x4500, 0 },
	{ "efer-svme", CHECK, msr_refused, 0xc0000080, 0x1d01 | 1u << 12, 1 },
	{ "efer-reserved", CHECK, msr_refused, 0xc0000080, 0xd01 | 1ull << 20, 1 },
	{ "pat-reserved", CHECK, msr_refused, 0x277, 0x0202020202020202ull, 1 },
	{ "msr-vm-hsave", CHECK, msr_refused, 0xc0010117, 0, 0 },
	{ "msr-vm-cr-write", CHECK, msr_refused, 0xc0010114, 0, 1 },
	{ "msr-perf-ctl", CHECK, msr_refused, 0xc0010000, 0, 0 },
	{ "msr-debugctl", CHECK, msr_refused, 0x1d9, 1, 1 },
	{ "invlpga", CHECK, insn_ud, 0, 0, 0 },
	{ "vmrun", CHECK, insn_ud, 0, 1, 0 },
	{ "vmmcall-garbage", CHECK, insn_ud, 0, 2, 0 },
	{ "vmcall-garbage", CHECK, insn_ud, 0, 3, 0 },
	{ "clgi-stgi", CHECK, insn_ud, 0, 4, 0 },
	{ "vmload", CHECK, insn_ud, 0, 5, 0 },
	{ "cpuid-svm-hidden", CHECK, cpuid_hidden, 0, 0, 0 },
#endif
};

int main(void)
{
	char name[48];
	unsigned i;

	bootarg_str("attack", name, sizeof name, "");
	neighbour = bootarg_ulong("neighbour", 0);
	printf("hostile: started, attack %s, memory 0x%lx-0x%lx\n", name,
	       (unsigned long)rt_mem_base, (unsigned long)(rt_mem_base + rt_mem_size));
	for (i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
		if (!strcmp(attacks[i].name, name))
			break;
	if (i == sizeof attacks / sizeof attacks[0]) {
		check_fail("attack", "no attack \"%s\" here", name);
		return check_summary();
	}
	printf("hostile: %s: %s\n", name, attacks[i].outcome == STOP ?
	       "expecting to be stopped" : "expecting to be refused");
	attacks[i].run(&attacks[i]);
	return check_summary();
}
