/* IDT and the C side of every interrupt and exception (vectors.S). Exceptions
 * are fatal (reported raw on the console, then power off), except #GP / #UD
 * from the deliberate probes in vectors.S (rdmsr_safe and friends) and any
 * exception taken under rt_catch(). */
#include "x86_64.h"

struct gate {
	uint16_t off0, sel;
	uint8_t ist, type;	/* type: present, DPL 0, 64-bit interrupt gate */
	uint16_t off1;
	uint32_t off2, zero;
};

static struct gate idt[256] __attribute__((aligned(16)));
static struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;
extern char vector_stubs[], rdmsr_insn[], wrmsr_insn[], rdpmc_insn[], monitor_insn[],
	mwait_insn[], safe_fault[];

void idt_load(void)
{
	__asm__ volatile("lidt %0" :: "m"(idtr));
}

void idt_init(void)
{
	unsigned v;

	for (v = 0; v < 256; v++) {
		uint64_t a = (uintptr_t)vector_stubs + 16 * v;

		idt[v] = (struct gate){ .off0 = (uint16_t)a, .sel = SEL_CODE64, .type = 0x8e,
					.off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32) };
	}
	idtr.limit = sizeof idt - 1;
	idtr.base = (uintptr_t)idt;
	idt_load();
}

static char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_hex(char *p, uint64_t v)
{
	int i = 60;

	p = put(p, "0x");
	while (i > 0 && !(v >> i & 15))
		i -= 4;
	for (; i >= 0; i -= 4)
		*p++ = "0123456789abcdef"[v >> i & 15];
	return p;
}

static const char *const names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

void x86_fatal(const char *what, const struct trap_frame *f)
{
	char line[200], *p = line;
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	rt_polling = 1;		/* no interrupts from here on */
	p = put(p, "guest: ");
	p = put(p, what);
	if (f) {
		p = put_hex(put(p, ", vector "), f->vector);
		p = put_hex(put(p, " error "), f->error);
		p = put_hex(put(p, " RIP "), f->rip);
		p = put_hex(put(p, " CR2 "), cr2);
		p = put_hex(put(p, " RSP "), f->rsp);
	}
	p = put(p, "\n");
	*p = 0;
	rt_raw_puts(line);
	arch_poweroff();
}

void x86_trap(struct trap_frame *f)
{
	if (f->vector >= 32) {
		apic_irq(f->vector);
		return;
	}
	if ((f->vector == 13 || f->vector == 6) &&
	    (f->rip == (uintptr_t)rdmsr_insn || f->rip == (uintptr_t)wrmsr_insn ||
	     f->rip == (uintptr_t)rdpmc_insn || f->rip == (uintptr_t)monitor_insn ||
	     f->rip == (uintptr_t)mwait_insn)) {
		f->rax = f->vector;	/* the probe returns the vector */
		f->rip = (uintptr_t)safe_fault;
		return;
	}
	rt_exception_caught(f->vector, f->error);
	x86_fatal(names[f->vector] ? names[f->vector] : "exception", f);
}
