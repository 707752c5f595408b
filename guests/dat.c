/* dat (s390x): the instructions the hv emulates, issued with the guest's own DAT on. The
 * guest maps its storage 1:1 and adds pages of its own: an alias of a buffer far above its
 * storage, an invalid page, a write-protected page, an invalid segment. Operands at those
 * addresses must be translated the way the guest's tables say, with the guest's own
 * exceptions (and translation-exception identification) where they say so, and the
 * console (virtio-ccw, SSCH/TSCH operands) must keep working with DAT on. */
#include <stdio.h>
#include <string.h>
#include "rt.h"

#define SEG_ENTRIES	2048		/* a 2 GiB segment table (ASCE TL 3) */
#define MAPPED_MIB	64		/* identity-mapped: all of the partition's storage */
#define ALIAS		0x40000000ul	/* 1 GiB: beyond its storage */
#define ALIAS_INVALID	(ALIAS + 0x1000)
#define ALIAS_PROTECTED	(ALIAS + 0x2000)
#define NO_SEGMENT	0x50000000ul
#define ABOVE_TABLE	0x100000000ul	/* above what the segment table reaches */
#define PTE_INVALID	0x400ul
#define PTE_PROTECT	0x200ul
#define SEGE_INVALID	0x20ul
#define LC_TEID		0xa8
#define PGM_PROTECTION	0x04
#define PGM_SEGMENT	0x10
#define PGM_PAGE	0x11
#define PGM_ASCE_TYPE	0x38

static uint64_t segtab[SEG_ENTRIES] __attribute__((aligned(4096)));
static uint64_t ptabs[MAPPED_MIB][256] __attribute__((aligned(2048)));
static uint64_t alias_pt[256] __attribute__((aligned(2048)));
static uint8_t target[4096] __attribute__((aligned(4096)));
static uint8_t guarded[4096] __attribute__((aligned(4096)));

static void dat_on(void) { __asm__ volatile("stosm 0(%%r15),0x04" ::: "memory"); }
static void dat_off(void) { __asm__ volatile("stnsm 0(%%r15),0xfb" ::: "memory"); }

static void build_tables(void)
{
	for (unsigned s = 0; s < SEG_ENTRIES; s++)
		segtab[s] = SEGE_INVALID;
	for (unsigned s = 0; s < MAPPED_MIB; s++) {
		for (unsigned p = 0; p < 256; p++)
			ptabs[s][p] = ((uint64_t)s << 20) + ((uint64_t)p << 12);
		segtab[s] = (uintptr_t)ptabs[s];
	}
	for (unsigned p = 0; p < 256; p++)
		alias_pt[p] = PTE_INVALID;
	alias_pt[0] = (uintptr_t)target;
	alias_pt[2] = (uintptr_t)guarded | PTE_PROTECT;
	segtab[ALIAS >> 20] = (uintptr_t)alias_pt;
	lctlg(1, (uintptr_t)segtab | 3);	/* primary ASCE: segment table, length 4 x 512 */
}

static void stap_at(void *va)
{
	dat_on();
	__asm__ volatile("stap 0(%0)" : : "a"(va) : "memory");
	dat_off();
}

static void stidp_at(void *va)
{
	dat_on();
	__asm__ volatile("stidp 0(%0)" : : "a"(va) : "memory");
	dat_off();
}

/* SPX of the prefix it already has, fetched from a write-protected page: allowed. */
static void spx_from(void *va)
{
	dat_on();
	__asm__ volatile("spx 0(%0)" : : "a"(va) : "memory");
	dat_off();
}

static void printf_with_dat(void *unused)
{
	(void)unused;
	dat_on();
	printf("dat: this line went out with DAT on\n");
	console_flush();
	dat_off();
}

static volatile uint64_t *teid_field(void) { return (volatile uint64_t *)(lowcore() + LC_TEID); }
static uint64_t teid(void) { return *teid_field(); }

static void expect_exception(const char *name, void (*fn)(void *), uint64_t va, long want)
{
	uint64_t info;
	long code;

	*teid_field() = 0;
	code = rt_catch(fn, (void *)va, &info);
	check(code == want, name, "exception 0x%lx, want 0x%lx", code, want);
	if (want != PGM_ASCE_TYPE && code == want)
		check((teid() & ~0xfffull) == (va & ~0xfffull), "dat-teid",
		      "translation-exception address 0x%lx, want page 0x%lx",
		      (unsigned long)teid(), (unsigned long)(va & ~0xfffull));
}

int main(void)
{
	uint64_t id_direct = 0, info;
	long code;

	printf("dat: started\n");
	build_tables();

	memset(target, 0xee, sizeof target);
	code = rt_catch((void (*)(void *))stap_at, (void *)(ALIAS + 8), &info);
	check(code == -1 && *(uint16_t *)(target + 8) == (uint16_t)cpu_hwid(), "dat-alias-store",
	      "exception %ld, the aliased buffer holds 0x%x (cpu 0x%x)", code,
	      *(uint16_t *)(target + 8), (unsigned)cpu_hwid());

	__asm__ volatile("stidp %0" : "=Q"(id_direct));
	code = rt_catch((void (*)(void *))stidp_at, (void *)(ALIAS + 16), &info);
	check(code == -1 && !memcmp(target + 16, &id_direct, 8), "dat-alias-stidp",
	      "exception %ld, the aliased CPU id differs", code);

	expect_exception("dat-invalid-page", (void (*)(void *))stap_at, ALIAS_INVALID + 4, PGM_PAGE);
	expect_exception("dat-invalid-segment", (void (*)(void *))stap_at, NO_SEGMENT, PGM_SEGMENT);
	expect_exception("dat-protected-store", (void (*)(void *))stap_at, ALIAS_PROTECTED,
			 PGM_PROTECTION);
	expect_exception("dat-above-table", (void (*)(void *))stap_at, ABOVE_TABLE, PGM_ASCE_TYPE);

	uint32_t prefix;
	__asm__ volatile("stpx %0" : "=Q"(prefix));
	memcpy(guarded, &prefix, 4);
	code = rt_catch((void (*)(void *))spx_from, (void *)ALIAS_PROTECTED, &info);
	check(code == -1, "dat-protected-fetch", "SPX from a protected page: exception %ld", code);

	code = rt_catch(printf_with_dat, NULL, &info);
	check(code == -1, "dat-console", "exception %ld while printing with DAT on", code);
	printf("dat: done\n");
	return check_summary();
}
