/* hvboot.mb2: boots the x86_64 hv from GRUB's multiboot2 on a BIOS PC (e.g. under Bochs),
 * the counterpart of hvboot.efi (boot/efi/x86_64.c + common.c) for machines without UEFI.
 *
 * From the multiboot2 information: the memory map (tag 6) becomes /memory (usable RAM
 * only), the ACPI RSDP (tags 15/14) the platform device tree (../x86-platform.c, as the
 * UEFI loader builds it), the module named "bundle.cpio" (or the only one) the boot
 * bundle (/chosen linux,initrd-start/end). The hv image is embedded (entry.S); it goes to
 * the load address its header names (64 MiB), the bundle is moved if it lies in the way,
 * and the hv is entered in long mode on our 1:1 map of the low 4 GiB with RDI = the tree,
 * exactly as hvboot.efi enters it. Every bad input is reported as an "hvboot:" line on
 * COM1 and ends in an ACPI power-off if the tables allow one, else a halt. */
#include <libfdt.h>
#include <string.h>

#include "x86-platform.h"

#define MB2_BOOT_MAGIC 0x36d76289
#define MB2_TAG_END 0
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_MEM_AVAILABLE 1

#define PAGE 4096ull
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))
#define LOW_4G (1ull << 32)
#define DTB_SIZE 0x10000
#define MAX_MAP 128
#define MAX_MODS 16

/* How many RAM and reserved ranges the hv records (BOOT_MAX_RANGES in hv/include/hv.h, passed
 * in by the Makefile); it adds its own three reservations (image, bundle, DTB). */
#ifndef HV_MAX_RANGES
#define HV_MAX_RANGES 8
#endif
#define HV_OWN_RESERVATIONS 3

/* The hv.bin header (arch/x86_64/head.S). */
struct hv_header {
    uint8_t jump[8];
    char magic[8];                /* "HVx86-64" */
    uint64_t load_address;
    uint64_t image_size;          /* file + bss */
};

struct range {
    uint64_t base, end;           /* [base, end) */
};

struct fault_frame {
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

extern const uint8_t hv_blob_start[], hv_blob_end[];
extern char __loader_start[], __loader_end[];
void __attribute__((noreturn)) mb2_enter(uint64_t entry, uint64_t dtb);
void __attribute__((noreturn)) mb2_main(uint64_t magic, uint64_t info);
void __attribute__((noreturn)) mb2_fault(const struct fault_frame *f);

static uint8_t dtb[DTB_SIZE] __attribute__((aligned(4096)));
static uint8_t rsdp[36] __attribute__((aligned(8)));   /* the RSDP the tag carries */
static int have_rsdp;

static struct {
    uint64_t base, len;
    uint32_t type;
} map[MAX_MAP];
static unsigned nr_map;
static struct {
    uint64_t start, end;
    char name[64];
} mods[MAX_MODS];
static unsigned nr_mods;
static struct range usable[MAX_MAP];
static unsigned nr_usable;
static struct range mbi, loader, hv, bundle;   /* what the cpu start page must avoid */
static uint64_t bundle_start, bundle_size;

static uint32_t pm1a_cnt;
static unsigned s5_typ;
static int can_power_off;

/* ---- COM1 ---- */

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void com1_putc(char c)
{
    while (!(inb(X86_COM1 + 5) & 0x20))
        ;
    outb(X86_COM1, (uint8_t)c);
}

static void com1_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            com1_putc('\r');
        com1_putc(*s);
    }
}

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    x86_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    com1_puts(line);
}

/* Power off through ACPI when the tables say how (the same write the hv makes), else halt. */
static void __attribute__((noreturn)) stop(void)
{
    if (can_power_off) {
        say("hvboot: stopped; ACPI power-off\n");
        while (!(inb(X86_COM1 + 5) & 0x40))      /* the line out before the power goes */
            ;
        outw((uint16_t)pm1a_cnt, (uint16_t)(s5_typ << 10 | 1 << 13));
        for (unsigned long i = 0; i < 100000000; i++)   /* the power goes asynchronously */
            __asm__ volatile("pause");
        say("hvboot: the ACPI power-off did not take\n");
    }
    say("hvboot: halted\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}

#define fail(...)                                                                            \
    do {                                                                                     \
        say(__VA_ARGS__);                                                                    \
        stop();                                                                              \
    } while (0)

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode",
    "no FPU", "double fault", "", "invalid TSS", "segment not present", "stack fault",
    "general protection", "page fault", "", "x87 error", "alignment check", "machine check",
    "SIMD error", "virtualization",
};

void mb2_fault(const struct fault_frame *f)
{
    static int nested;
    uint64_t cr2;

    if (nested++)
        for (;;)
            __asm__ volatile("cli; hlt");
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    say("hvboot: exception %llu (%s) at rip 0x%llx, error 0x%llx, cr2 0x%llx, rsp 0x%llx\n",
        (unsigned long long)f->vector,
        f->vector < 32 && exc_names[f->vector] && *exc_names[f->vector] ? exc_names[f->vector]
                                                                        : "reserved",
        (unsigned long long)f->rip, (unsigned long long)f->error, (unsigned long long)cr2,
        (unsigned long long)f->rsp);
    stop();
}

/* ---- ranges ---- */

static int overlaps(struct range a, struct range b)
{
    return a.base < b.end && b.base < a.end;
}

static int in_usable(struct range r)
{
    for (unsigned i = 0; i < nr_usable; i++)
        if (r.base >= usable[i].base && r.end <= usable[i].end)
            return 1;
    return 0;
}

static const char *type_name(uint32_t t)
{
    static const char *const names[] = { "?", "available", "reserved", "ACPI reclaimable",
                                         "ACPI NVS", "bad" };
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "reserved";
}

static void show_map_around(struct range r)
{
    unsigned n = 0;

    for (unsigned i = 0; i < nr_map; i++) {
        struct range m = { map[i].base, map[i].base + map[i].len };
        if (overlaps(m, r) && ++n)
            say("hvboot:   0x%llx-0x%llx %s\n", (unsigned long long)m.base,
                (unsigned long long)m.end - 1, type_name(map[i].type));
    }
    if (!n)
        say("hvboot:   no entry: not memory at all (the machine has less RAM)\n");
}

/* Usable RAM: the "available" entries, merged, less anything another entry claims. */
static void make_usable(void)
{
    struct range *u = usable;
    unsigned n = 0;

    for (unsigned i = 0; i < nr_map; i++)
        if (map[i].type == MB2_MEM_AVAILABLE && map[i].len)
            u[n++] = (struct range){ map[i].base, map[i].base + map[i].len };
    for (unsigned i = 1; i < n; i++) {                 /* sort by base */
        struct range x = u[i];
        unsigned j = i;
        for (; j > 0 && u[j - 1].base > x.base; j--)
            u[j] = u[j - 1];
        u[j] = x;
    }
    unsigned out = 0;
    for (unsigned i = 0; i < n; i++) {
        if (out && u[i].base <= u[out - 1].end) {
            if (u[i].end > u[out - 1].end)
                u[out - 1].end = u[i].end;
        } else {
            u[out++] = u[i];
        }
    }
    n = out;
    for (unsigned k = 0; k < nr_map; k++) {            /* carve out overlapping claims */
        if (map[k].type == MB2_MEM_AVAILABLE)
            continue;
        struct range c = { map[k].base, map[k].base + map[k].len };
        for (unsigned i = 0; i < n; i++) {
            if (!overlaps(u[i], c))
                continue;
            if (c.base > u[i].base && c.end < u[i].end && n < MAX_MAP) {
                for (unsigned j = n; j > i + 1; j--)
                    u[j] = u[j - 1];
                u[i + 1] = (struct range){ c.end, u[i].end };
                u[i].end = c.base;
                n++;
            } else if (c.base > u[i].base) {
                u[i].end = c.base;
            } else {
                u[i].base = c.end < u[i].end ? c.end : u[i].end;
            }
        }
    }
    nr_usable = 0;
    for (unsigned i = 0; i < n; i++) {                 /* whole pages only */
        uint64_t b = PAGE_UP(u[i].base), e = u[i].end & ~(PAGE - 1);
        if (e > b)
            usable[nr_usable++] = (struct range){ b, e };
    }
}

/* The lowest page-aligned place for size bytes in usable RAM at 1 MiB or above and below
 * 4 GiB that overlaps none of avoid[]; 0 if there is none. */
static uint64_t find_free(uint64_t size, const struct range *avoid, unsigned n)
{
    uint64_t best = 0;

    for (unsigned c = 0; c < nr_usable + n; c++) {
        uint64_t at = PAGE_UP(c < nr_usable ? usable[c].base : avoid[c - nr_usable].end);
        if (at < 0x100000)
            at = 0x100000;
        struct range r = { at, at + PAGE_UP(size) };
        if (r.end > LOW_4G || !in_usable(r) || (best && at >= best))
            continue;
        int clash = 0;
        for (unsigned i = 0; i < n; i++)
            clash |= overlaps(r, avoid[i]);
        if (!clash)
            best = at;
    }
    return best;
}

/* ---- the multiboot2 information ---- */

static void copy_name(char *dst, size_t cap, const char *src, size_t max)
{
    size_t i = 0;
    for (; i + 1 < cap && i < max && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

static void parse_info(uint64_t info)
{
    uint32_t total = *(const uint32_t *)(uintptr_t)info;
    const uint8_t *p = (const uint8_t *)(uintptr_t)info, *end = p + total;
    int got_map = 0;

    if (info & 7 || total < 16 || total > (1u << 20))
        fail("hvboot: the multiboot2 information at 0x%llx is malformed (size %u)\n",
             (unsigned long long)info, total);
    mbi = (struct range){ info & ~(PAGE - 1), PAGE_UP(info + total) };
    for (p += 8; p + 8 <= end;) {
        uint32_t type, size;
        memcpy(&type, p, 4);
        memcpy(&size, p + 4, 4);
        if (type == MB2_TAG_END)
            break;
        if (size < 8 || size > (uint64_t)(end - p))
            fail("hvboot: multiboot2 tag %u at 0x%llx has a bad size (%u)\n", type,
                 (unsigned long long)(uintptr_t)p, size);
        switch (type) {
        case MB2_TAG_LOADER_NAME: {
            char name[64];
            copy_name(name, sizeof(name), (const char *)p + 8, size - 8);
            say("hvboot: started by %s\n", name);
            break;
        }
        case MB2_TAG_MODULE:
            if (size < 16)
                break;
            if (nr_mods == MAX_MODS)
                fail("hvboot: more than %d boot modules\n", MAX_MODS);
            mods[nr_mods].start = *(const uint32_t *)(p + 8);
            mods[nr_mods].end = *(const uint32_t *)(p + 12);
            copy_name(mods[nr_mods].name, sizeof(mods[0].name), (const char *)p + 16, size - 16);
            nr_mods++;
            break;
        case MB2_TAG_MMAP: {
            uint32_t esize = *(const uint32_t *)(p + 8);
            if (esize < 24)
                fail("hvboot: multiboot2 memory map entries of %u bytes (want 24 or more)\n",
                     esize);
            for (uint32_t off = 16; off + esize <= size; off += esize) {
                if (nr_map == MAX_MAP)
                    fail("hvboot: more than %d memory map entries\n", MAX_MAP);
                memcpy(&map[nr_map].base, p + off, 8);
                memcpy(&map[nr_map].len, p + off + 8, 8);
                memcpy(&map[nr_map].type, p + off + 16, 4);
                nr_map++;
            }
            got_map = 1;
            break;
        }
        case MB2_TAG_ACPI_NEW:               /* ACPI 2.0+ RSDP: preferred */
        case MB2_TAG_ACPI_OLD:
            if (type == MB2_TAG_ACPI_OLD && have_rsdp == 2)
                break;
            memset(rsdp, 0, sizeof(rsdp));
            memcpy(rsdp, p + 8, size - 8 < sizeof(rsdp) ? size - 8 : sizeof(rsdp));
            have_rsdp = type == MB2_TAG_ACPI_NEW ? 2 : 1;
            break;
        }
        p += (size + 7) & ~7u;
    }
    if (!got_map)
        fail("hvboot: the boot loader passed no memory map (multiboot2 tag 6)\n");
}

/* ---- checks and placement ---- */

static void check_cpu(void)
{
    const char *virt = x86_virt_name();

    if (!virt)
        fail("hvboot: this CPU has neither AMD SVM nor Intel VMX; the hv needs one (Bochs: "
             "cpu: model=ryzen or corei7_haswell_4770; QEMU: -cpu qemu64,+svm,+npt)\n");
    say("hvboot: CPU virtualization: %s\n", virt);
}

static const struct hv_header *check_hv(void)
{
    const struct hv_header *h = (const void *)hv_blob_start;
    uint64_t size = hv_blob_end - hv_blob_start;

    if (size < sizeof(*h) || memcmp(h->magic, "HVx86-64", 8) != 0)
        fail("hvboot: the embedded hv image has no HVx86-64 header\n");
    if (h->image_size < size || h->load_address % PAGE || h->load_address < 0x100000 ||
        h->load_address + h->image_size > LOW_4G)
        fail("hvboot: the embedded hv image header is inconsistent (load 0x%llx, size 0x%llx, "
             "file 0x%llx)\n", (unsigned long long)h->load_address,
             (unsigned long long)h->image_size, (unsigned long long)size);
    hv = (struct range){ h->load_address, PAGE_UP(h->load_address + h->image_size) };
    if (!in_usable(hv)) {
        say("hvboot: the hv's load range 0x%llx-0x%llx (its link address) is not free RAM; "
            "the memory map there:\n", (unsigned long long)hv.base,
            (unsigned long long)hv.end - 1);
        show_map_around(hv);
        stop();
    }
    if (overlaps(hv, loader))
        fail("hvboot: the hv's load range 0x%llx-0x%llx overlaps this loader at 0x%llx-0x%llx\n",
             (unsigned long long)hv.base, (unsigned long long)hv.end - 1,
             (unsigned long long)loader.base, (unsigned long long)loader.end - 1);
    return h;
}

/* "bundle.cpio", or a path ending in "/bundle.cpio" */
static int is_bundle_name(const char *s)
{
    size_t n = strlen(s);
    return (n == 11 && memcmp(s, "bundle.cpio", 11) == 0) ||
           (n > 12 && memcmp(s + n - 12, "/bundle.cpio", 12) == 0);
}

/* The boot bundle: the module named bundle.cpio, or the only module; moved if it is in the
 * hv's way. */
static void find_bundle(void)
{
    unsigned k = nr_mods;

    for (unsigned i = 0; i < nr_mods && k == nr_mods; i++)
        if (is_bundle_name(mods[i].name))
            k = i;
    if (k == nr_mods && nr_mods == 1)
        k = 0;
    if (k == nr_mods) {
        if (!nr_mods)
            fail("hvboot: no boot bundle: the boot loader loaded no module (grub.cfg needs "
                 "'module2 /boot/bundle.cpio bundle.cpio')\n");
        say("hvboot: no boot bundle: %u modules and none is named bundle.cpio:\n", nr_mods);
        for (unsigned i = 0; i < nr_mods; i++)
            say("hvboot:   '%s' at 0x%llx-0x%llx\n", mods[i].name,
                (unsigned long long)mods[i].start, (unsigned long long)mods[i].end - 1);
        stop();
    }
    uint64_t start = mods[k].start, size = mods[k].end - mods[k].start;
    const char *name = mods[k].name[0] ? mods[k].name : "(unnamed)";
    if (mods[k].end <= mods[k].start || size < 110)
        fail("hvboot: the boot bundle '%s' at 0x%llx is %llu bytes: too short for a cpio "
             "archive\n", name, (unsigned long long)start,
             (unsigned long long)(mods[k].end > start ? size : 0));
    if (memcmp((const void *)(uintptr_t)start, "070701", 6) != 0)
        fail("hvboot: the boot bundle '%s' is not a newc cpio archive (no 070701 magic)\n", name);
    bundle = (struct range){ start, PAGE_UP(start + size) };

    const char *what = overlaps(bundle, hv) ? "the hv's load range" :
                       overlaps(bundle, loader) ? "this loader" : NULL;
    if (what || !in_usable(bundle)) {
        struct range avoid[3] = { hv, loader, bundle };
        uint64_t to = find_free(size, avoid, 3);
        if (!to)
            fail("hvboot: the boot bundle at 0x%llx-0x%llx overlaps %s and there is no free "
                 "RAM below 4 GiB to move its %llu bytes to\n", (unsigned long long)start,
                 (unsigned long long)(start + size - 1), what ? what : "memory that is not RAM",
                 (unsigned long long)size);
        say("hvboot: the boot bundle at 0x%llx-0x%llx overlaps %s; moved to 0x%llx\n",
            (unsigned long long)start, (unsigned long long)(start + size - 1),
            what ? what : "memory that is not RAM", (unsigned long long)to);
        memmove((void *)(uintptr_t)to, (const void *)(uintptr_t)start, size);
        start = to;
        bundle = (struct range){ start, PAGE_UP(start + size) };
    }
    bundle_start = start;
    bundle_size = size;
    say("hvboot: bundle.cpio: %llu bytes at 0x%llx-0x%llx\n", (unsigned long long)size,
        (unsigned long long)start, (unsigned long long)(start + size - 1));
}

/* A usable page below 640 KiB (and above the real-mode vectors) clear of everything we
 * know of, the highest one: for the hv's real-mode CPU start code (x86-platform.c asks). */
static uint64_t cpu_start_page(void)
{
    const struct range busy[] = { mbi, loader, hv, bundle,
                                  { (uintptr_t)dtb, (uintptr_t)dtb + sizeof(dtb) } };

    for (uint64_t a = 0x9f000; a >= 0x1000; a -= PAGE) {
        struct range r = { a, a + PAGE };
        int clash = !in_usable(r);
        for (unsigned i = 0; i < sizeof(busy) / sizeof(busy[0]); i++)
            clash |= overlaps(r, busy[i]);
        if (!clash)
            return a;
    }
    return 0;
}

/* ---- the hv's device tree ---- */

#define DT_TRY(x)                                                                            \
    do {                                                                                     \
        int e_ = (x);                                                                        \
        if (e_ < 0)                                                                          \
            fail("hvboot: building the hv's device tree: %s: %s\n", #x, fdt_strerror(e_));   \
    } while (0)

static void build_dtb(uint64_t bundle_start, uint64_t bundle_end)
{
    struct x86_platform plat = { .rsdp = rsdp, .puts = com1_puts,
                                 .cpu_start_page = cpu_start_page, .pci_ranges = NULL };
    void *fdt = dtb;
    int node, rm, nrm = 0;
    struct range ram[MAX_MAP];
    unsigned nr_ram = nr_usable;
    uint64_t dropped = 0;

    if (x86_platform_dtb(fdt, sizeof(dtb), &plat) < 0)
        stop();

    /* /memory: usable RAM; if the hv cannot record every range, the smallest are left out. */
    memcpy(ram, usable, sizeof(usable[0]) * nr_usable);
    while (nr_ram > HV_MAX_RANGES) {
        unsigned worst = 0;
        for (unsigned i = 1; i < nr_ram; i++)
            if (ram[i].end - ram[i].base < ram[worst].end - ram[worst].base)
                worst = i;
        dropped += ram[worst].end - ram[worst].base;
        for (unsigned i = worst; i + 1 < nr_ram; i++)
            ram[i] = ram[i + 1];
        nr_ram--;
    }
    if (dropped)
        say("hvboot: warning: the hv records %d RAM ranges: %u left out (%llu KiB)\n",
            HV_MAX_RANGES, nr_usable - nr_ram, (unsigned long long)dropped >> 10);
    char name[32];
    x86_snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)ram[0].base);
    DT_TRY(node = fdt_add_subnode(fdt, 0, name));
    DT_TRY(fdt_setprop_string(fdt, node, "device_type", "memory"));
    fdt32_t reg[HV_MAX_RANGES * 4];
    for (unsigned i = 0; i < nr_ram; i++) {
        uint64_t size = ram[i].end - ram[i].base;
        reg[4 * i] = cpu_to_fdt32(ram[i].base >> 32);
        reg[4 * i + 1] = cpu_to_fdt32((uint32_t)ram[i].base);
        reg[4 * i + 2] = cpu_to_fdt32(size >> 32);
        reg[4 * i + 3] = cpu_to_fdt32((uint32_t)size);
        say("hvboot: /memory 0x%llx-0x%llx\n", (unsigned long long)ram[i].base,
            (unsigned long long)ram[i].end - 1);
    }
    DT_TRY(fdt_setprop(fdt, node, "reg", reg, nr_ram * 4 * sizeof(fdt32_t)));

    /* Reservations: the hv, the bundle and this tree (the hv adds its own three too, as
     * for hvboot.efi); /memory has nothing else that is not free. */
    rm = fdt_path_offset(fdt, "/reserved-memory");
    if (rm >= 0)
        fdt_for_each_subnode(node, fdt, rm)
            nrm++;
    if (HV_MAX_RANGES - HV_OWN_RESERVATIONS - nrm < 3)
        fail("hvboot: the hv's table of %d reserved ranges has no room for ours\n",
             HV_MAX_RANGES);
    const struct range rsv[3] = { hv, { bundle_start, PAGE_UP(bundle_end) },
                                  { (uintptr_t)dtb, (uintptr_t)dtb + sizeof(dtb) } };
    for (int i = 0; i < 3; i++) {
        DT_TRY(fdt_add_mem_rsv(fdt, rsv[i].base, rsv[i].end - rsv[i].base));
        say("hvboot: /memreserve/ 0x%llx-0x%llx\n", (unsigned long long)rsv[i].base,
            (unsigned long long)rsv[i].end - 1);
    }

    int chosen;
    DT_TRY(chosen = fdt_path_offset(fdt, "/chosen"));
    DT_TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", bundle_start));
    DT_TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", bundle_end));
    DT_TRY(fdt_pack(fdt));
    DT_TRY(fdt_check_header(fdt));
}

/* ---- main ---- */

void mb2_main(uint64_t magic, uint64_t info)
{
    com1_puts("hvboot: multiboot2 loader for the hv\n");
    if (magic != MB2_BOOT_MAGIC)
        fail("hvboot: not started by a multiboot2 boot loader (EAX 0x%llx, want 0x%x)\n",
             (unsigned long long)magic, MB2_BOOT_MAGIC);
    loader = (struct range){ (uintptr_t)__loader_start, (uintptr_t)__loader_end };
    parse_info(info);
    if (!have_rsdp)
        fail("hvboot: the boot loader passed no ACPI RSDP (multiboot2 tags 14 and 15): "
             "cannot describe the machine to the hv\n");
    can_power_off = x86_acpi_s5(rsdp, &pm1a_cnt, &s5_typ) == 0;
    check_cpu();
    make_usable();
    uint64_t total = 0;
    for (unsigned i = 0; i < nr_usable; i++)
        total += usable[i].end - usable[i].base;
    say("hvboot: memory map: %llu MiB usable in %u ranges\n", (unsigned long long)total >> 20,
        nr_usable);
    for (unsigned i = 0; i < nr_map; i++)
        say("hvboot:   0x%llx-0x%llx %s\n", (unsigned long long)map[i].base,
            (unsigned long long)(map[i].base + map[i].len - 1), type_name(map[i].type));
    say("hvboot: loader at 0x%llx-0x%llx, ACPI %s RSDP\n", (unsigned long long)loader.base,
        (unsigned long long)loader.end - 1, have_rsdp == 2 ? "2.0+" : "1.0");

    const struct hv_header *h = check_hv();
    uint64_t size = hv_blob_end - hv_blob_start;
    find_bundle();
    build_dtb(bundle_start, bundle_start + bundle_size);

    /* The legacy 8259s stay masked: the hv takes interrupts through the local APIC and
     * IOAPIC only (UEFI firmware leaves them masked; a BIOS does not). */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);

    memmove((void *)(uintptr_t)hv.base, h, size);
    memset((uint8_t *)(uintptr_t)hv.base + size, 0, hv.end - hv.base - size);   /* bss */
    say("hvboot: hv: %llu bytes at 0x%llx-0x%llx\n", (unsigned long long)size,
        (unsigned long long)hv.base, (unsigned long long)(hv.base + h->image_size - 1));
    say("hvboot: entering the hv at 0x%llx with the DTB at 0x%llx\n",
        (unsigned long long)hv.base, (unsigned long long)(uintptr_t)dtb);
    mb2_enter(hv.base, (uintptr_t)dtb);
}

/* ---- what libfdt needs beyond ../efi/libc.c (there, libefi supplies these two) ---- */

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}
