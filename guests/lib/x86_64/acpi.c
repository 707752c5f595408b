/* ACPI, read-only and without an AML interpreter: the RSDP (from boot_params,
 * else the BIOS areas), XSDT/RSDT, the MADT (local APICs = our CPUs, the
 * IOAPICs), the FADT (DSDT, reset and sleep registers) and a tolerant scan of
 * the DSDT/SSDTs for virtio-mmio devices (Device with _HID "LNRO0005" and a
 * _CRS buffer) and the \_S5 sleep type. Power off and reset go through the
 * FADT's registers. Tables are reached through the identity map. */
#include <string.h>
#include "x86_64.h"

#define FADT_DSDT		40
#define FADT_PM1A_CNT		64
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_DSDT		140
#define FADT_X_PM1A_CNT		172
#define FADT_SLEEP_CTL		244
#define FADT_SLEEP_STS		256
#define FADT_RESET_REG_SUP	(1u << 10)
#define SLP_EN			(1u << 5)	/* sleep control register */
#define PM1_SLP_EN		(1u << 13)	/* PM1 control register */
#define GAS_MEM			0
#define GAS_IO			1

uint64_t acpi_lapic_base = 0xfee00000;
int acpi_pcat_compat;

struct gas { uint8_t space, width, offset, access; uint64_t addr; };

static struct {
	const uint8_t *tables[16];	/* DSDT first, then SSDTs */
	unsigned ntables;
	struct gas reset, sleep_ctl, pm1a_cnt;
	uint8_t reset_value;
	int have_s5;
	uint8_t s5_type;
} acpi;

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int sum_ok(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s == 0;
}

static const uint8_t *phys(uint64_t a, uint64_t len)
{
	__asm__("" : "+r"(a));	/* a physical address, not an object the compiler knows */
	return a && !rt_map_phys(a, len) ? (const uint8_t *)(uintptr_t)a : NULL;
}

/* A table header at a, with its whole length mapped and a good checksum. */
static const uint8_t *table(uint64_t a)
{
	const uint8_t *t = phys(a, 36);
	uint32_t len;

	if (!t)
		return NULL;
	len = rd32(t + 4);
	if (len < 36 || len > (16u << 20) || !phys(a, len) || !sum_ok(t, len)) {
		rt_warn("acpi: table %.4s at 0x%lx is damaged, ignored\n", (const char *)t,
			(unsigned long)a);
		return NULL;
	}
	return t;
}

static const uint8_t *rsdp_scan(uint64_t from, uint64_t len)
{
	uint64_t a;

	for (a = from & ~15ull; a + 20 <= from + len; a += 16) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)a;

		if (!memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20))
			return p;
	}
	return NULL;
}

static const uint8_t *rsdp_find(uint64_t hint)
{
	const uint8_t *p;
	uint64_t ebda;

	if (hint) {
		p = phys(hint, 36);
		if (p && !memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20))
			return p;
		rt_warn("acpi: no RSDP at boot_params.acpi_rsdp_addr 0x%lx\n", (unsigned long)hint);
	}
	/* legacy BIOS: the first KiB of the EBDA, then 0xe0000-0xfffff */
	ebda = (uint64_t)rd16(phys(0x40e, 2)) << 4;	/* BIOS data area: EBDA segment */
	if (ebda >= 0x80000 && ebda < 0xa0000 && (p = rsdp_scan(ebda, 1024)))
		return p;
	return rsdp_scan(0xe0000, 0x20000);
}

static struct gas gas(const uint8_t *p)
{
	return (struct gas){ p[0], p[1], p[2], p[3], rd64(p + 4) };
}

/* An 8- or 16-bit register write through a Generic Address Structure. */
static int gas_write(const struct gas *g, uint32_t v, unsigned bits)
{
	if (!g->addr)
		return -1;
	if (g->space == GAS_IO) {
		if (bits == 16)
			outw((uint16_t)g->addr, (uint16_t)v);
		else
			outb((uint16_t)g->addr, (uint8_t)v);
		return 0;
	}
	if (g->space == GAS_MEM && !rt_map_phys(g->addr, 2)) {
		if (bits == 16)
			*(volatile uint16_t *)(uintptr_t)g->addr = (uint16_t)v;
		else
			mmio_write8(g->addr, (uint8_t)v);
		return 0;
	}
	return -1;
}

static void madt(const uint8_t *t)
{
	uint32_t len = rd32(t + 4), off = 44;
	uint64_t me;

	acpi_lapic_base = rd32(t + 36);
	acpi_pcat_compat = rd32(t + 40) & 1;
	for (; off + 2 <= len && t[off + 1] >= 2 && off + t[off + 1] <= len; off += t[off + 1]) {
		const uint8_t *e = t + off;

		if (e[0] == 5 && e[1] >= 12)		/* local APIC address override */
			acpi_lapic_base = rd64(e + 4);
	}
	rt_map_phys(acpi_lapic_base, 0x1000);
	lapic_cpu_init();
	me = cpu_hwid();
	for (off = 44; off + 2 <= len && t[off + 1] >= 2 && off + t[off + 1] <= len; off += t[off + 1]) {
		const uint8_t *e = t + off;

		if (e[0] == 0 && e[1] >= 8 && (rd32(e + 4) & 1)) {	/* enabled local APIC */
			if (rt_ncpus == RT_MAX_CPUS) {
				rt_warn("guest: more than %d CPUs, using the first ones\n", RT_MAX_CPUS);
				continue;
			}
			rt_cpu_hwid[rt_ncpus++] = e[3];
		} else if (e[0] == 1 && e[1] >= 12) {			/* IOAPIC */
			ioapic_add(rd32(e + 4), rd32(e + 8));
		}
	}
	for (off = 0; off < rt_ncpus && rt_cpu_hwid[off] != me; off++)
		;
	if (off == rt_ncpus) {		/* the boot CPU was not listed: it exists anyway */
		if (rt_ncpus == RT_MAX_CPUS)
			rt_ncpus--;
		rt_cpu_hwid[rt_ncpus++] = me;
	}
}

static void fadt(const uint8_t *t)
{
	uint32_t len = rd32(t + 4);
	uint64_t dsdt = rd32(t + FADT_DSDT);
	const uint8_t *d;

	if (len >= FADT_X_DSDT + 8 && rd64(t + FADT_X_DSDT))
		dsdt = rd64(t + FADT_X_DSDT);
	if ((d = table(dsdt)) && acpi.ntables < 16)
		acpi.tables[acpi.ntables++] = d;
	if (len >= FADT_RESET_VALUE + 1 && (rd32(t + FADT_FLAGS) & FADT_RESET_REG_SUP)) {
		acpi.reset = gas(t + FADT_RESET_REG);
		acpi.reset_value = t[FADT_RESET_VALUE];
	}
	if (len >= FADT_SLEEP_CTL + 12)
		acpi.sleep_ctl = gas(t + FADT_SLEEP_CTL);
	if (len >= FADT_X_PM1A_CNT + 12 && rd64(t + FADT_X_PM1A_CNT + 4))
		acpi.pm1a_cnt = gas(t + FADT_X_PM1A_CNT);
	else if (rd32(t + FADT_PM1A_CNT))
		acpi.pm1a_cnt = (struct gas){ GAS_IO, 16, 0, 2, rd32(t + FADT_PM1A_CNT) };
}

/* ---- AML, just enough to find names ---- */

/* PkgLength at p (1-4 bytes): the length (which counts these bytes too), and
 * how many bytes it took. 0 if malformed or past end. */
static uint32_t pkg_length(const uint8_t *p, const uint8_t *end, unsigned *nb)
{
	unsigned n = (p[0] >> 6) + 1, i;
	uint32_t len;

	if (p + n > end)
		return 0;
	if (n == 1) {
		len = p[0] & 0x3f;
	} else {
		if (p[0] & 0x30)
			return 0;	/* bits 5:4 must be zero in the multi-byte form */
		len = p[0] & 0x0f;
		for (i = 1; i < n; i++)
			len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	}
	*nb = n;
	return len;
}

static int lead_char(uint8_t c) { return (c >= 'A' && c <= 'Z') || c == '_'; }
static int name_char(uint8_t c) { return lead_char(c) || (c >= '0' && c <= '9'); }

/* NameString at p: root ('\') or parent ('^') prefixes, then a null name, one
 * segment, a dual or a multi name. Returns its length, 0 if not a name. */
static unsigned name_string(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q = p;
	unsigned segs, i;

	if (q < end && *q == '\\')
		q++;
	else
		while (q < end && *q == '^')
			q++;
	if (q >= end)
		return 0;
	if (*q == 0x00)
		return q + 1 - p;
	if (*q == 0x2e) {
		segs = 2;
		q++;
	} else if (*q == 0x2f) {
		if (q + 1 >= end)
			return 0;
		segs = q[1];
		q += 2;
	} else {
		segs = 1;
	}
	if (q + 4 * segs > end)
		return 0;
	for (i = 0; i < segs; i++, q += 4)
		if (!lead_char(q[0]) || !name_char(q[1]) || !name_char(q[2]) || !name_char(q[3]))
			return 0;
	return q - p;
}

/* DeviceOp at p: its end, and where its contents start (after the name). */
static const uint8_t *device_at(const uint8_t *p, const uint8_t *end, const uint8_t **body)
{
	unsigned nb, nl;
	uint32_t len;

	if (p + 3 > end || p[0] != 0x5b || p[1] != 0x82)
		return NULL;
	len = pkg_length(p + 2, end, &nb);
	if (len < nb + 4 || len > (uint32_t)(end - (p + 2)))
		return NULL;
	nl = name_string(p + 2 + nb, p + 2 + len);
	if (!nl)
		return NULL;
	*body = p + 2 + nb + nl;
	return p + 2 + len;
}

/* An integer constant (ZeroOp, OneOp, OnesOp, Byte/Word/DWord/QWordPrefix). */
static int aml_int(const uint8_t *p, const uint8_t *end, uint64_t *v, unsigned *n)
{
	static const unsigned size[] = { [0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8 };
	unsigned k;

	if (p >= end)
		return -1;
	if (*p == 0x00 || *p == 0x01 || *p == 0xff) {
		*v = *p == 0xff ? ~0ull : *p;
		*n = 1;
		return 0;
	}
	if (*p > 0x0e || !size[*p] || p + 1 + size[*p] > end)
		return -1;
	for (*v = 0, k = 0; k < size[*p]; k++)
		*v |= (uint64_t)p[1 + k] << 8 * k;
	*n = 1 + size[*p];
	return 0;
}

/* Name (seg, ...) directly in [p, end), nested devices skipped: the position
 * of the value's first byte, or NULL. */
static const uint8_t *find_name(const uint8_t *p, const uint8_t *end, const char *seg)
{
	const uint8_t *body, *dev_end;

	for (; p + 6 <= end; p++) {
		if ((dev_end = device_at(p, end, &body))) {
			p = dev_end - 1;
			continue;
		}
		if (p[0] == 0x08 && !memcmp(p + 1, seg, 4))
			return p + 5;
	}
	return NULL;
}

/* Resource template: the first memory range and the first interrupt. */
static int crs_parse(const uint8_t *p, const uint8_t *end, struct acpi_virtio *d)
{
	int have_mem = 0, have_irq = 0;

	while (p < end && !(have_mem && have_irq)) {
		unsigned tag = p[0], len;
		const uint8_t *b;

		if (!(tag & 0x80)) {		/* small item */
			len = tag & 7;
			b = p + 1;
			if (b + len > end || (tag >> 3 & 0xf) == 0xf)
				break;		/* end tag */
			if ((tag >> 3 & 0xf) == 0x4 && len >= 2 && !have_irq && rd16(b)) {
				/* IRQ (ISA): lowest IRQ in the mask, taken as the GSI */
				d->gsi = __builtin_ctz(rd16(b));
				d->edge = len < 3 || (b[2] & 1);	/* default: edge, high */
				d->active_low = len >= 3 && (b[2] & 8);
				have_irq = 1;
			}
			p = b + len;
			continue;
		}
		if (p + 3 > end)
			break;
		len = rd16(p + 1);
		b = p + 3;
		if (b + len > end)
			break;
		switch (tag) {
		case 0x86:			/* Memory32Fixed */
			if (len >= 9 && !have_mem) {
				d->base = rd32(b + 1);
				d->size = rd32(b + 5);
				have_mem = 1;
			}
			break;
		case 0x85:			/* Memory32: min, max, align, length */
			if (len >= 17 && !have_mem) {
				d->base = rd32(b + 1);
				d->size = rd32(b + 13);
				have_mem = 1;
			}
			break;
		case 0x87:			/* DWord address space: memory only */
			if (len >= 23 && b[0] == 0 && !have_mem) {
				d->base = rd32(b + 7);
				d->size = rd32(b + 19);
				have_mem = 1;
			}
			break;
		case 0x8a:			/* QWord address space: memory only */
			if (len >= 43 && b[0] == 0 && !have_mem) {
				d->base = rd64(b + 11);
				d->size = rd64(b + 35);
				have_mem = 1;
			}
			break;
		case 0x89:			/* Extended Interrupt */
			if (len >= 6 && b[1] >= 1 && !have_irq) {
				d->gsi = rd32(b + 2);
				d->edge = !!(b[0] & 2);
				d->active_low = !!(b[0] & 4);
				have_irq = 1;
			}
			break;
		}
		p = b + len;
	}
	return have_mem && have_irq ? 0 : -1;
}

/* Name (_CRS, Buffer (size) { bytes }) at v (the value). */
static int crs_buffer(const uint8_t *v, const uint8_t *end, struct acpi_virtio *d)
{
	const uint8_t *bend;
	uint64_t size;
	unsigned nb, ni;
	uint32_t len;

	if (v >= end || *v != 0x11)
		return -1;
	len = pkg_length(v + 1, end, &nb);
	if (!len || len > (uint32_t)(end - (v + 1)))
		return -1;
	bend = v + 1 + len;
	if (aml_int(v + 1 + nb, bend, &size, &ni))
		return -1;
	v += 1 + nb + ni;
	if (size < (uint64_t)(bend - v))
		bend = v + size;
	return crs_parse(v, bend, d);
}

void acpi_find_virtio(void (*fn)(const struct acpi_virtio *d))
{
	static const uint8_t hid[] = "\x0dLNRO0005";	/* StringPrefix, string, NUL */
	unsigned t;

	for (t = 0; t < acpi.ntables; t++) {
		const uint8_t *p = acpi.tables[t] + 36, *end = acpi.tables[t] + rd32(acpi.tables[t] + 4);
		const uint8_t *body, *dev_end, *v;
		struct acpi_virtio d;

		for (; p < end; p++) {
			if (!(dev_end = device_at(p, end, &body)))
				continue;
			v = find_name(body, dev_end, "_HID");
			if (!v || v + sizeof hid > dev_end || memcmp(v, hid, sizeof hid))
				continue;
			memset(&d, 0, sizeof d);
			v = find_name(body, dev_end, "_CRS");
			if (!v || crs_buffer(v, dev_end, &d)) {
				rt_warn("acpi: LNRO0005 device without a usable _CRS, skipped\n");
				continue;
			}
			fn(&d);
		}
	}
}

/* Name (\_S5, Package () { SLP_TYP, ... }) anywhere in the tables. */
static void find_s5(void)
{
	unsigned t, nb, ni;
	uint64_t v;

	for (t = 0; t < acpi.ntables && !acpi.have_s5; t++) {
		const uint8_t *p = acpi.tables[t] + 36, *end = acpi.tables[t] + rd32(acpi.tables[t] + 4);

		for (; p + 8 <= end; p++) {
			const uint8_t *q = p + 1;

			if (p[0] != 0x08)
				continue;
			if (*q == '\\')
				q++;
			if (q + 7 > end || memcmp(q, "_S5_", 4) || q[4] != 0x12)
				continue;
			q += 5;
			if (!pkg_length(q, end, &nb))
				continue;
			q += nb + 1;		/* NumElements */
			if (!aml_int(q, end, &v, &ni)) {
				acpi.s5_type = (uint8_t)v;
				acpi.have_s5 = 1;
				break;
			}
		}
	}
}

int acpi_init(uint64_t rsdp_hint)
{
	const uint8_t *rsdp = rsdp_find(rsdp_hint), *root, *t;
	unsigned esz, i, n;

	if (!rsdp) {
		rt_warn("acpi: no RSDP: no devices, one CPU\n");
		return -1;
	}
	if (rsdp[15] >= 2 && rd32(rsdp + 20) >= 36 && sum_ok(rsdp, 36) && rd64(rsdp + 24)) {
		root = table(rd64(rsdp + 24));
		esz = 8;
	} else {
		root = table(rd32(rsdp + 16));
		esz = 4;
	}
	if (!root) {
		rt_warn("acpi: no RSDT/XSDT\n");
		return -1;
	}
	n = (rd32(root + 4) - 36) / esz;
	for (i = 0; i < n; i++) {
		const uint8_t *e = root + 36 + i * esz;

		if (!(t = table(esz == 8 ? rd64(e) : rd32(e))))
			continue;
		if (!memcmp(t, "APIC", 4))
			madt(t);
		else if (!memcmp(t, "FACP", 4))
			fadt(t);
		else if (!memcmp(t, "SSDT", 4) && acpi.ntables < 16)
			acpi.tables[acpi.ntables++] = t;
	}
	/* the DSDT (from the FADT) goes first */
	for (i = 0; i < acpi.ntables; i++)
		if (!memcmp(acpi.tables[i], "DSDT", 4) && i) {
			t = acpi.tables[i];
			acpi.tables[i] = acpi.tables[0];
			acpi.tables[0] = t;
		}
	find_s5();
	return 0;
}

/* Soft-off: SLP_TYP from \_S5 with SLP_EN, to the sleep control register
 * (hardware-reduced ACPI) or else PM1a_CNT. Then, or without ACPI, the CPU
 * stops with interrupts masked. */
void arch_poweroff(void)
{
	__asm__ volatile("cli");
	if (acpi.have_s5 && gas_write(&acpi.sleep_ctl, (acpi.s5_type & 7u) << 2 | SLP_EN, 8))
		gas_write(&acpi.pm1a_cnt, (acpi.s5_type & 7u) << 10 | PM1_SLP_EN, 16);
	for (;;)
		__asm__ volatile("cli; hlt");
}

long rt_system_reset(void)
{
	unsigned long f = irq_save();

	if (!gas_write(&acpi.reset, acpi.reset_value, 8))
		delay_us(100000);	/* a reset takes effect at once, or never */
	irq_restore(f);
	return -1;
}

/* CPUID traps to the hypervisor under SVM and VMX. */
long rt_hv_null_call(void)
{
	uint32_t r[4];

	cpuid(0x40000000, 0, r);
	return r[0];
}
