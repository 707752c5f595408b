/* Config parsing and validation (libfdt). Runs in the hv and, unchanged, on the host. */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "config.h"

struct parse {
    const void *fdt;
    const struct platform *plat;
    struct hv_config *cfg;
    config_report_t report;
    void *ctx;
    int errors;
};

static void __attribute__((format(printf, 4, 5)))
fail(struct parse *ps, const struct part_config *pc, const char *prop, const char *fmt, ...)
{
    char msg[320];
    int n;
    va_list ap;

    if (pc && pc->label[0])
        n = snprintf(msg, sizeof(msg), "partition '%s' (%s): ", pc->label, pc->node);
    else if (pc)
        n = snprintf(msg, sizeof(msg), "%s: ", pc->node);
    else
        n = snprintf(msg, sizeof(msg), "/hypervisor: ");
    if (prop)
        n += snprintf(msg + n, sizeof(msg) - n, "property '%s': ", prop);
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
    va_end(ap);
    ps->errors++;
    ps->report(ps->ctx, msg);
}

/* A NUL-terminated string property that fits in 'cap' bytes (cap includes the NUL). */
static int get_string(struct parse *ps, struct part_config *pc, int node, const char *prop,
                      char *out, size_t cap, bool required)
{
    int len;
    const char *s = fdt_getprop(ps->fdt, node, prop, &len);

    if (!s) {
        if (required)
            fail(ps, pc, prop, "missing (required)");
        return -1;
    }
    if (len < 1 || s[len - 1] != '\0' || strlen(s) != (size_t)len - 1) {
        fail(ps, pc, prop, "must be a single string");
        return -1;
    }
    if ((size_t)len > cap) {
        fail(ps, pc, prop, "too long (%d characters, at most %zu)", len - 1, cap - 1);
        return -1;
    }
    memcpy(out, s, len);
    return 0;
}

/* A 64-bit value given as <hi lo> (or one cell). */
static int get_u64(struct parse *ps, struct part_config *pc, int node, const char *prop,
                   uint64_t *out, bool required)
{
    int len;
    const fdt32_t *c = fdt_getprop(ps->fdt, node, prop, &len);

    if (!c) {
        if (required)
            fail(ps, pc, prop, "missing (required)");
        return -1;
    }
    if (len == 4)
        *out = fdt32_to_cpu(c[0]);
    else if (len == 8)
        *out = (uint64_t)fdt32_to_cpu(c[0]) << 32 | fdt32_to_cpu(c[1]);
    else {
        fail(ps, pc, prop, "must be one or two cells (<hi lo>), got %d bytes", len);
        return -1;
    }
    return 0;
}

static bool label_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static const char *const part_props[] = {
    "label", "cpus", "memory-size", "memory-base", "image", "bootargs", "initrd", "virtio-console", "reg",
};

static bool known(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

static void parse_schedule(struct parse *ps, struct part_config *pc, int node)
{
    int prop, sub;

    fdt_for_each_property_offset(prop, ps->fdt, node) {
        const char *name;
        fdt_getprop_by_offset(ps->fdt, prop, &name, NULL);
        if (strcmp(name, "window-us") != 0)
            fail(ps, pc, name, "unknown property in schedule (known: window-us)");
    }
    fdt_for_each_subnode(sub, ps->fdt, node)
        fail(ps, pc, "schedule", "unknown node '%s'", fdt_get_name(ps->fdt, sub, NULL));

    uint64_t w;
    if (get_u64(ps, pc, node, "window-us", &w, true) < 0)
        return;
    if (w < 100 || w > 1000000)
        fail(ps, pc, "window-us", "%llu is out of range (100 to 1000000 microseconds)",
             (unsigned long long)w);
    else
        pc->window_us = (uint32_t)w;
}

static void parse_block(struct parse *ps, struct part_config *pc, int node)
{
    int prop, sub, len;

    fdt_for_each_property_offset(prop, ps->fdt, node) {
        const char *name;
        fdt_getprop_by_offset(ps->fdt, prop, &name, NULL);
        if (strcmp(name, "start-sector") && strcmp(name, "sectors") && strcmp(name, "read-only"))
            fail(ps, pc, name, "unknown property in block (known: start-sector, sectors, read-only)");
    }
    fdt_for_each_subnode(sub, ps->fdt, node)
        fail(ps, pc, "block", "unknown node '%s'", fdt_get_name(ps->fdt, sub, NULL));
    const void *ro = fdt_getprop(ps->fdt, node, "read-only", &len);
    if (ro && len != 0)
        fail(ps, pc, "read-only", "is a flag and takes no value");
    pc->block_read_only = ro != NULL;
    if (get_u64(ps, pc, node, "start-sector", &pc->block_start, true) < 0 ||
        get_u64(ps, pc, node, "sectors", &pc->block_sectors, true) < 0)
        return;
    if (pc->block_sectors == 0) {
        fail(ps, pc, "sectors", "a block slice needs at least one sector");
        return;
    }
    if (pc->block_start + pc->block_sectors < pc->block_start) {
        fail(ps, pc, "sectors", "slice wraps around");
        return;
    }
    if (!ps->plat->disk_unknown && ps->plat->disk_sectors == 0) {
        fail(ps, pc, "block", "the machine has no disk for block slices");
        return;
    }
    if (!ps->plat->disk_unknown && pc->block_start + pc->block_sectors > ps->plat->disk_sectors) {
        fail(ps, pc, "sectors", "slice %llu+%llu ends past the disk (%llu sectors)",
             (unsigned long long)pc->block_start, (unsigned long long)pc->block_sectors,
             (unsigned long long)ps->plat->disk_sectors);
        return;
    }
    pc->block = true;
}

/* A bundle member named by property 'prop'; false (reported) if it is not there. */
static bool bundle_member(struct parse *ps, struct part_config *pc, const char *prop,
                          const char *name, struct bundle_file *f)
{
    const char *why;
    int r = bundle_find(ps->plat->bundle, ps->plat->bundle_size, name, f, &why);

    if (r < 0)
        fail(ps, pc, prop, "boot bundle is corrupt: %s", why);
    else if (r == 0)
        fail(ps, pc, prop, "'%s' is not in the boot bundle", name);
    return r > 0;
}

static void parse_image(struct parse *ps, struct part_config *pc)
{
    struct bundle_file f;
    const char *why;

    if (!ps->plat->bundle || !bundle_member(ps, pc, "image", pc->image, &f))
        return;
    if (arch_image_parse(f.data, f.size, &pc->image_info, &why) < 0) {
        fail(ps, pc, "image", "'%s' is not a valid guest image: %s", pc->image, why);
        return;
    }
    pc->image_data = f.data;
    pc->image_size = f.size;
}

static void parse_initrd(struct parse *ps, struct part_config *pc)
{
    struct bundle_file f;

    if (!ps->plat->bundle || !bundle_member(ps, pc, "initrd", pc->initrd, &f))
        return;
    if (f.size == 0) {
        fail(ps, pc, "initrd", "'%s' is empty", pc->initrd);
        return;
    }
    pc->initrd_data = f.data;
    pc->initrd_size = f.size;
}

/* Image, initrd (page aligned) and the boot description must fit in the partition's RAM. */
static void check_fit(struct parse *ps, struct part_config *pc)
{
    if (!pc->image_data || !pc->mem_size)
        return;
    uint64_t initrd = (pc->initrd_size + KIB(4) - 1) & ~(KIB(4) - 1);
    uint64_t need = pc->image_info.load_offset + pc->image_info.footprint + initrd + GUEST_FDT_SIZE;
    if (need > pc->mem_size)
        fail(ps, pc, pc->initrd_size ? "initrd" : "image",
             "'%s'%s%s needs 0x%llx bytes of RAM (load offset, image, %sdevice tree) but "
             "memory-size is 0x%llx", pc->image, pc->initrd_size ? " with " : "", pc->initrd,
             (unsigned long long)need, pc->initrd_size ? "initrd, " : "",
             (unsigned long long)pc->mem_size);
}

static void parse_partition(struct parse *ps, int node)
{
    struct hv_config *cfg = ps->cfg;
    int len, prop, sub;
    const char *nname = fdt_get_name(ps->fdt, node, NULL);

    if (cfg->nr_parts == HV_MAX_PARTITIONS) {
        fail(ps, NULL, nname, "too many partitions (at most %d)", HV_MAX_PARTITIONS);
        return;
    }
    struct part_config *pc = &cfg->parts[cfg->nr_parts++];
    memset(pc, 0, sizeof(*pc));
    snprintf(pc->node, sizeof(pc->node), "%s", nname);

    if (get_string(ps, pc, node, "label", pc->label, sizeof(pc->label), true) == 0 &&
        !label_ok(pc->label)) {
        fail(ps, pc, "label", "use letters, digits, '-' and '_' only");
        pc->label[0] = '\0';
    }

    fdt_for_each_property_offset(prop, ps->fdt, node) {
        const char *name;
        fdt_getprop_by_offset(ps->fdt, prop, &name, NULL);
        if (!known(name, part_props, ARRAY_SIZE(part_props)))
            fail(ps, pc, name, "unknown property");
    }
    fdt_for_each_subnode(sub, ps->fdt, node) {
        const char *sname = fdt_get_name(ps->fdt, sub, NULL);
        if (strcmp(sname, "schedule") == 0)
            parse_schedule(ps, pc, sub);
        else if (strcmp(sname, "block") == 0)
            parse_block(ps, pc, sub);
        else
            fail(ps, pc, NULL, "unknown node '%s'", sname);
    }

    const fdt32_t *cpus = fdt_getprop(ps->fdt, node, "cpus", &len);
    if (!cpus)
        fail(ps, pc, "cpus", "missing (required)");
    else if (len == 0 || len % 4)
        fail(ps, pc, "cpus", "must be a list of CPU numbers");
    else if (len / 4 > HV_MAX_VCPUS)
        fail(ps, pc, "cpus", "%d CPUs given, at most %d per partition", len / 4, HV_MAX_VCPUS);
    else {
        for (int i = 0; i < len / 4; i++) {
            uint32_t c = fdt32_to_cpu(cpus[i]);
            if (c >= ps->plat->nr_cpus)
                fail(ps, pc, "cpus", "CPU %u does not exist (the machine has %u)", c,
                     ps->plat->nr_cpus);
            for (unsigned j = 0; j < pc->nr_cpus; j++)
                if (pc->cpus[j] == c)
                    fail(ps, pc, "cpus", "CPU %u is listed twice", c);
            pc->cpus[pc->nr_cpus++] = c;
        }
    }

    if (get_u64(ps, pc, node, "memory-size", &pc->mem_size, true) == 0 &&
        (pc->mem_size == 0 || pc->mem_size % PART_MEM_ALIGN)) {
        fail(ps, pc, "memory-size", "0x%llx is not a non-zero multiple of 2 MiB",
             (unsigned long long)pc->mem_size);
        pc->mem_size = 0;
    }
    if (get_u64(ps, pc, node, "memory-base", &pc->mem_base, false) == 0) {
        pc->mem_base_given = true;
        if (pc->mem_base % PART_MEM_ALIGN)
            fail(ps, pc, "memory-base", "0x%llx is not 2 MiB aligned",
                 (unsigned long long)pc->mem_base);
    }

    if (get_string(ps, pc, node, "image", pc->image, sizeof(pc->image), true) == 0)
        parse_image(ps, pc);
    get_string(ps, pc, node, "bootargs", pc->bootargs, sizeof(pc->bootargs), false);
    if (get_string(ps, pc, node, "initrd", pc->initrd, sizeof(pc->initrd), false) == 0)
        parse_initrd(ps, pc);
    check_fit(ps, pc);

    const void *vc = fdt_getprop(ps->fdt, node, "virtio-console", &len);
    if (vc && len != 0)
        fail(ps, pc, "virtio-console", "is a flag and takes no value");
    pc->virtio_console = vc != NULL;
}

static bool overlaps(paddr_t a, uint64_t as, paddr_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

/* Is [base, base+size) inside RAM and clear of reserved ranges and placed partitions? */
static const char *mem_conflict(struct parse *ps, unsigned self, paddr_t base, uint64_t size,
                                char *buf, size_t cap)
{
    const struct platform *pl = ps->plat;
    bool in_ram = false;

    if (base + size < base)
        return "wraps around the address space";
    for (unsigned i = 0; i < pl->nr_ram; i++)
        if (base >= pl->ram[i].base && base + size <= pl->ram[i].base + pl->ram[i].size)
            in_ram = true;
    if (!in_ram)
        return "lies (partly) outside the machine's RAM";
    for (unsigned i = 0; i < pl->nr_reserved; i++)
        if (overlaps(base, size, pl->reserved[i].base, pl->reserved[i].size)) {
            snprintf(buf, cap, "overlaps memory the hypervisor or firmware uses (0x%llx-0x%llx)",
                     (unsigned long long)pl->reserved[i].base,
                     (unsigned long long)(pl->reserved[i].base + pl->reserved[i].size - 1));
            return buf;
        }
    for (unsigned i = 0; i < ps->cfg->nr_parts; i++) {
        const struct part_config *o = &ps->cfg->parts[i];
        if (i == self || !o->mem_size || (!o->mem_base_given && !o->mem_base))
            continue;
        if (overlaps(base, size, o->mem_base, o->mem_size)) {
            snprintf(buf, cap, "overlaps the memory of partition '%s'", o->label);
            return buf;
        }
    }
    return NULL;
}

static void place_memory(struct parse *ps)
{
    struct hv_config *cfg = ps->cfg;
    char buf[160];

    /* Fixed bases first, so automatic placement flows around them. Compare each fixed
     * partition only with fixed partitions before it, to report each overlap once. */
    for (unsigned i = 0; i < cfg->nr_parts; i++) {
        struct part_config *pc = &cfg->parts[i];
        if (!pc->mem_base_given || !pc->mem_size || pc->mem_base % PART_MEM_ALIGN)
            continue;
        unsigned saved = cfg->nr_parts;
        cfg->nr_parts = i; /* only earlier partitions count as placed */
        const char *why = mem_conflict(ps, i, pc->mem_base, pc->mem_size, buf, sizeof(buf));
        cfg->nr_parts = saved;
        if (why) {
            fail(ps, pc, "memory-base", "0x%llx-0x%llx %s", (unsigned long long)pc->mem_base,
                 (unsigned long long)(pc->mem_base + pc->mem_size - 1), why);
            pc->mem_size = 0; /* keep it out of later checks */
        }
    }
    for (unsigned i = 0; i < cfg->nr_parts; i++) {
        struct part_config *pc = &cfg->parts[i];
        if (pc->mem_base_given || !pc->mem_size)
            continue;
        bool placed = false;
        for (unsigned r = 0; r < ps->plat->nr_ram && !placed; r++) {
            const struct mem_range *ram = &ps->plat->ram[r];
            paddr_t cand = ALIGN_UP(ram->base, PART_MEM_ALIGN);
            while (cand + pc->mem_size <= ram->base + ram->size) {
                if (!mem_conflict(ps, i, cand, pc->mem_size, buf, sizeof(buf))) {
                    pc->mem_base = cand;
                    placed = true;
                    break;
                }
                cand += PART_MEM_ALIGN;
            }
        }
        if (!placed) {
            fail(ps, pc, "memory-size", "0x%llx bytes do not fit in the free RAM",
                 (unsigned long long)pc->mem_size);
            pc->mem_size = 0;
        }
    }
}

/* Two slices may overlap only if neither partition can write there. */
static void check_slices(struct parse *ps)
{
    struct hv_config *cfg = ps->cfg;

    for (unsigned i = 0; i < cfg->nr_parts; i++)
        for (unsigned j = 0; j < i; j++) {
            struct part_config *p = &cfg->parts[j], *q = &cfg->parts[i];
            if (!p->block || !q->block || (p->block_read_only && q->block_read_only))
                continue;
            if (overlaps(q->block_start, q->block_sectors, p->block_start, p->block_sectors))
                fail(ps, q, "start-sector",
                     "slice %llu+%llu overlaps the slice of partition '%s' (%llu+%llu) and one "
                     "of them is writable",
                     (unsigned long long)q->block_start, (unsigned long long)q->block_sectors,
                     p->label, (unsigned long long)p->block_start,
                     (unsigned long long)p->block_sectors);
        }
}

/* A CPU listed by several partitions is time-shared, which each of them must agree to. */
static void check_cpu_sharing(struct parse *ps)
{
    struct hv_config *cfg = ps->cfg;

    for (unsigned i = 0; i < cfg->nr_parts; i++)
        for (unsigned j = i + 1; j < cfg->nr_parts; j++)
            for (unsigned a = 0; a < cfg->parts[i].nr_cpus; a++)
                for (unsigned b = 0; b < cfg->parts[j].nr_cpus; b++) {
                    struct part_config *p = &cfg->parts[i], *q = &cfg->parts[j];
                    if (p->cpus[a] != q->cpus[b] || (p->window_us && q->window_us))
                        continue;
                    fail(ps, q, "cpus",
                         "CPU %u is also given to partition '%s'; to share a CPU, give both a "
                         "schedule { window-us } node",
                         q->cpus[b], p->label);
                }
}

int config_parse(const void *dtb, const struct platform *plat, struct hv_config *out,
                 config_report_t report, void *ctx)
{
    struct parse ps = { dtb, plat, out, report, ctx, 0 };
    int hv, node, prop;

    memset(out, 0, sizeof(*out));
    if (fdt_check_header(dtb) != 0) {
        fail(&ps, NULL, NULL, "config.dtb is not a valid flattened device tree");
        return ps.errors;
    }
    hv = fdt_path_offset(dtb, "/hypervisor");
    if (hv < 0) {
        fail(&ps, NULL, NULL, "node missing from config.dtb");
        return ps.errors;
    }
    fdt_for_each_property_offset(prop, dtb, hv) {
        const char *name;
        fdt_getprop_by_offset(dtb, prop, &name, NULL);
        if (strcmp(name, "console-input") && strcmp(name, "compatible") &&
            strcmp(name, "#address-cells") && strcmp(name, "#size-cells"))
            fail(&ps, NULL, name, "unknown property");
    }
    fdt_for_each_subnode(node, dtb, hv) {
        const char *name = fdt_get_name(dtb, node, NULL);
        if (strncmp(name, "partition", 9) == 0 && (name[9] == '\0' || name[9] == '@'))
            parse_partition(&ps, node);
        else
            fail(&ps, NULL, NULL, "unknown node '%s'", name);
    }
    if (out->nr_parts == 0 && ps.errors == 0)
        fail(&ps, NULL, NULL, "no partition@N nodes: nothing to run");

    for (unsigned i = 0; i < out->nr_parts; i++)
        for (unsigned j = 0; j < i; j++)
            if (out->parts[i].label[0] && strcmp(out->parts[i].label, out->parts[j].label) == 0)
                fail(&ps, &out->parts[i], "label", "'%s' is already used by %s",
                     out->parts[i].label, out->parts[j].node);
    check_cpu_sharing(&ps);
    check_slices(&ps);
    place_memory(&ps);

    out->console_input = 0;
    char want[HV_LABEL_MAX];
    if (get_string(&ps, NULL, hv, "console-input", want, sizeof(want), false) == 0) {
        out->console_input = -1;
        for (unsigned i = 0; i < out->nr_parts; i++)
            if (strcmp(out->parts[i].label, want) == 0)
                out->console_input = i;
        if (out->console_input < 0)
            fail(&ps, NULL, "console-input", "no partition is labelled '%s'", want);
    }
    return ps.errors;
}
