/* s390insn (s390x): the privileged instructions the hv answers for a partition, as Linux
 * uses them: STFL (the machine's facilities less those the hv does not virtualize), PTFF
 * (only "query available functions"), PTF (horizontal, no changes), DIAG 0x204 (not
 * available), and a DIAG nobody defined (a specification exception; the partition goes
 * on). */
#include <stdio.h>
#include <string.h>
#include "rt.h"

#define LC_STFL		0xc8
#define PGM_SPECIFICATION 6

static int cc_of(uint64_t psw_cc) { return (int)(psw_cc >> 28 & 3); }

static bool fac(const uint8_t *list, unsigned nr) { return list[nr / 8] & (0x80 >> (nr % 8)); }

static int ptff(unsigned fc, void *block)
{
	register uint64_t r0 __asm__("0") = fc;
	register uint64_t r1 __asm__("1") = (uintptr_t)block;
	uint64_t cc;

	__asm__ volatile(".insn e,0x0104\n\tipm %0" : "=d"(cc) : "d"(r0), "d"(r1) : "cc", "memory");
	return cc_of(cc);
}

static int ptf(uint64_t *r1v)
{
	register uint64_t r1 __asm__("1") = *r1v;
	uint64_t cc;

	__asm__ volatile(".insn rre,0xb9a20000,1,0\n\tipm %0" : "=d"(cc), "+d"(r1) : : "cc");
	*r1v = r1;
	return cc_of(cc);
}

static void diag_unknown(void *unused)
{
	(void)unused;
	__asm__ volatile("diag 0,0,0x2fc" ::: "memory");
}

int main(void)
{
	uint8_t list[4];
	uint8_t mask[16] __attribute__((aligned(8)));
	uint64_t r, info;
	long code;

	printf("s390insn: started\n");

	memset(lowcore() + LC_STFL, 0xff, 4);
	__asm__ volatile("stfl 0" ::: "memory");
	memcpy(list, lowcore() + LC_STFL, 4);
	printf("s390insn: STFL 0x%02x%02x%02x%02x\n", list[0], list[1], list[2], list[3]);
	check(fac(list, 1) && fac(list, 2), "stfl-zarch", "facilities 1 and 2 (z/Architecture) missing");
	check(!fac(list, 11) && !fac(list, 28), "stfl-hidden",
	      "topology (11) or TOD steering (28) offered, which the hv does not virtualize");

	memset(mask, 0xee, sizeof mask);
	int cc = ptff(0, mask);
	check(cc == 0 && mask[0] == 0x80 && !mask[1] && !mask[15], "ptff-qaf",
	      "cc %d, mask %02x %02x .. %02x; want cc 0, only function 0", cc, mask[0], mask[1],
	      mask[15]);
	cc = ptff(1, mask);
	check(cc == 3, "ptff-qto", "query TOD offset: cc %d, want 3 (not available)", cc);

	r = 2;
	cc = ptf(&r);
	check(cc == 0, "ptf-check", "check topology change: cc %d, want 0 (none)", cc);
	r = 0;
	cc = ptf(&r);
	check(cc == 2 && (r >> 8 & 0xff) == 1, "ptf-horizontal",
	      "request horizontal: cc %d, reason %lu; want cc 2, reason 1 (already)", cc,
	      (unsigned long)(r >> 8 & 0xff));

	register uint64_t sub __asm__("4") = 0;
	register uint64_t size __asm__("5") = 0;
	__asm__ volatile("diag 2,4,0x204" : "+d"(sub), "+d"(size) : : "memory");
	check(sub != 0, "diag204-unavailable", "subcode register 0 after DIAG 0x204: it claims success");

	code = rt_catch(diag_unknown, NULL, &info);
	check(code == PGM_SPECIFICATION, "diag-unknown", "DIAG 0x2fc: exception %ld, want 6", code);
	code = rt_catch(diag_unknown, NULL, &info);
	check(code == PGM_SPECIFICATION, "diag-unknown-again", "exception %ld, want 6", code);
	printf("s390insn: done\n");
	return check_summary();
}
