/* hypercall: the hv's own calls (README, "Hypercalls") answered the same on every arch:
 * the version, who the calling vcpu is (checked on every vcpu against the bootargs
 * part=<index> vcpus=<count>), and a number the hv does not have, which must return -1
 * and leave the partition running. */
#include <stdio.h>
#include "rt.h"

#define HC_VERSION	0
#define HC_SELF		1
#define HC_UNKNOWN	0x7777
#define HC_EXPECT_VERSION 0x48560001l
#define WAIT_S		10

static unsigned want_part, want_vcpus;
static volatile long self_of[RT_MAX_CPUS];
static volatile int done_of[RT_MAX_CPUS];

static void check_self(unsigned idx, long r)
{
	char name[32];

	snprintf(name, sizeof name, "hc-self-vcpu%u", idx);
	check(r >= 0 && (unsigned long)r >> 32 == want_vcpus && (r & 0xffff) == want_part &&
	      (r >> 16 & 0xffff) == idx, name,
	      "HC_SELF returned 0x%lx, want partition %u, vcpu %u of %u", (unsigned long)r,
	      want_part, idx, want_vcpus);
}

static void secondary(unsigned idx)
{
	self_of[idx] = rt_hypercall(HC_SELF, 0, 0, 0);
	__atomic_store_n(&done_of[idx], 1, __ATOMIC_RELEASE);
}

int main(void)
{
	long r;
	unsigned k;

	want_part = bootarg_ulong("part", ~0ul);
	want_vcpus = bootarg_ulong("vcpus", 1);
	printf("hypercall: started, %u cpus\n", rt_ncpus);

	r = rt_hypercall(HC_UNKNOWN, 1, 2, 3);
	check(r == -1, "hc-unknown", "hypercall 0x%x returned %ld, want -1", HC_UNKNOWN, r);
	r = rt_hypercall(HC_VERSION, 0, 0, 0);
	check(r == HC_EXPECT_VERSION, "hc-version", "HC_VERSION returned 0x%lx, want 0x%lx",
	      (unsigned long)r, (unsigned long)HC_EXPECT_VERSION);
	check_self(0, rt_hypercall(HC_SELF, 0, 0, 0));
	check(rt_ncpus == want_vcpus, "hc-cpu-count", "%u cpus described, %u expected", rt_ncpus,
	      want_vcpus);
	for (k = 1; k < rt_ncpus && k < RT_MAX_CPUS; k++) {
		long s = cpu_start(k, rt_cpu_hwid[k], secondary);
		if (!check(s == 0, "hc-cpu-start", "cpu %u: start returned %ld", k, s))
			continue;
		if (!check(wait_flag(&done_of[k], WAIT_S), "hc-cpu-answered",
			   "cpu %u made no call within %d s", k, WAIT_S))
			continue;
		check_self(k, self_of[k]);
	}
	printf("hypercall: done\n");
	return check_summary();
}
