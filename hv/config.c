/* Config parsing and validation (libfdt). Runs in the hv and, unchanged, on the host. */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"
#include "config.h"
#include "config_schema.h"

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

/* What a property holds, decoded without reporting (the schema check has reported). */
struct cfg_value {
    const void *raw;
    int len;
    uint64_t u64;            /* CFG_U64 */
};

static bool label_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static const char *number(char *buf, size_t cap, uint64_t v, const char *unit)
{
    if (unit && strcmp(unit, "bytes") == 0) {
        if (v && v % MIB(1) == 0)
            snprintf(buf, cap, "%llu MiB", (unsigned long long)(v >> 20));
        else
            snprintf(buf, cap, "0x%llx", (unsigned long long)v);
    } else {
        snprintf(buf, cap, "%llu%s%s", (unsigned long long)v, unit ? " " : "", unit ? unit : "");
    }
    return buf;
}

/* Check one property's value against its schema entry; false if bad (reported unless ps is
 * NULL, for a look at a value before its node is checked). */
#define BAD(...) (ps ? fail(ps, pc, s->name, __VA_ARGS__) : (void)0)
static bool check_value(struct parse *ps, struct part_config *pc, const struct cfg_prop *s,
                        const void *raw, int len, struct cfg_value *out)
{
    const char *str = raw;
    const fdt32_t *c = raw;
    char a[32], b[32];

    out->raw = raw;
    out->len = len;
    out->u64 = 0;
    switch (s->kind) {
    case CFG_FLAG:
        if (len != 0) {
            BAD("is a flag and takes no value");
            return false;
        }
        return true;
    case CFG_STRING:
    case CFG_LABEL:
        if (len < 1 || str[len - 1] != '\0' || strlen(str) != (size_t)len - 1) {
            BAD("must be a single string");
            return false;
        }
        if ((uint64_t)len - 1 > s->max) {
            BAD("too long (%d characters, at most %llu)", len - 1,
                 (unsigned long long)s->max);
            return false;
        }
        if ((uint64_t)len - 1 < s->min) {
            BAD("must not be empty");
            return false;
        }
        if (s->kind == CFG_LABEL && !label_ok(str)) {
            BAD("use letters, digits, '-' and '_' only");
            return false;
        }
        return true;
    case CFG_U64:
        if (len == 4)
            out->u64 = fdt32_to_cpu(c[0]);
        else if (len == 8)
            out->u64 = (uint64_t)fdt32_to_cpu(c[0]) << 32 | fdt32_to_cpu(c[1]);
        else {
            BAD("must be one or two cells (<hi lo>), got %d bytes", len);
            return false;
        }
        if (out->u64 < s->min || out->u64 > s->max) {
            if (s->max == UINT64_MAX)
                BAD("must be at least %s (got %s)", number(a, sizeof(a), s->min, s->unit),
                    number(b, sizeof(b), out->u64, s->unit));
            else
                BAD("%llu is out of range (%s to %s)",
                     (unsigned long long)out->u64, number(a, sizeof(a), s->min, NULL),
                     number(b, sizeof(b), s->max, s->unit));
            return false;
        }
        if (s->align && out->u64 % s->align) {
            BAD("0x%llx is not a multiple of %s", (unsigned long long)out->u64,
                 number(a, sizeof(a), s->align, s->unit));
            return false;
        }
        return true;
    case CFG_CELLS:
        if (len % 4 || (uint64_t)len / 4 < s->min) {
            BAD("must be a list of at least %llu cells",
                 (unsigned long long)s->min);
            return false;
        }
        if ((uint64_t)len / 4 > s->max) {
            BAD("%d cells given, at most %llu", len / 4,
                 (unsigned long long)s->max);
            return false;
        }
        return true;
    case CFG_NODE:
        break;
    }
    return false;
}

static void known_list(char *buf, size_t cap, enum cfg_node in, bool nodes)
{
    size_t n = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < cfg_schema_len && n < cap; i++)
        if (cfg_schema[i].in == in && (cfg_schema[i].kind == CFG_NODE) == nodes &&
            cfg_on_this_arch(&cfg_schema[i]))
            n += snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", cfg_schema[i].name);
}

/* Check every property and child of 'node' (of kind 'in') against the schema: unknown
 * names, values of the wrong type or range, missing required ones. Fills vals[] (indexed
 * like cfg_schema) with the properties that passed. Children are left to the caller. */
static void check_node(struct parse *ps, struct part_config *pc, int node, enum cfg_node in,
                       struct cfg_value *vals)
{
    bool seen[64] = { false };
    char list[200];
    int prop, sub;

    fdt_for_each_property_offset(prop, ps->fdt, node) {
        const char *name = NULL;
        int len;
        const void *raw = fdt_getprop_by_offset(ps->fdt, prop, &name, &len);
        if (!raw || !name) {
            fail(ps, pc, NULL, "a property of node '%s' is unreadable (%s)",
                 fdt_get_name(ps->fdt, node, NULL), fdt_strerror(raw ? -FDT_ERR_BADOFFSET : len));
            continue;
        }
        const struct cfg_prop *s = cfg_lookup(in, name);
        if (!s || s->kind == CFG_NODE) {
            known_list(list, sizeof(list), in, false);
            fail(ps, pc, name, "unknown property in %s (known: %s)", cfg_node_name(in), list);
            continue;
        }
        if (!cfg_on_this_arch(s)) {
            fail(ps, pc, name, "not available on %s (only on %s)", ARCH_NAME, s->arches);
            continue;
        }
        struct cfg_value v;
        seen[s - cfg_schema] = true;
        if (check_value(ps, pc, s, raw, len, &v) && vals)
            vals[s - cfg_schema] = v;
    }
    fdt_for_each_subnode(sub, ps->fdt, node) {
        const char *name = fdt_get_name(ps->fdt, sub, NULL);
        const struct cfg_prop *s = name ? cfg_lookup(in, name) : NULL;
        if (!s || s->kind != CFG_NODE || !cfg_on_this_arch(s)) {
            known_list(list, sizeof(list), in, true);
            fail(ps, pc, NULL, "unknown node '%s' in %s (known: %s)", name ? name : "?",
                 cfg_node_name(in), list[0] ? list : "none");
            continue;
        }
        seen[s - cfg_schema] = true;
    }
    for (unsigned i = 0; i < cfg_schema_len; i++) {
        const struct cfg_prop *s = &cfg_schema[i];
        if (s->in == in && s->required && !seen[i] && cfg_on_this_arch(s) && s->kind != CFG_NODE)
            fail(ps, pc, s->name, "missing (required)");
    }
}

/* The value check_node() accepted for property 'name' of node kind 'in', or NULL. */
static const struct cfg_value *value(const struct cfg_value *vals, enum cfg_node in,
                                     const char *name)
{
    const struct cfg_prop *s = cfg_lookup(in, name);
    return s && vals[s - cfg_schema].raw ? &vals[s - cfg_schema] : NULL;
}

static bool copy_string(const struct cfg_value *v, char *out, size_t cap)
{
    if (!v || (size_t)v->len > cap)
        return false;
    memcpy(out, v->raw, v->len);
    return true;
}

static void parse_schedule(struct parse *ps, struct part_config *pc, int node)
{
    struct cfg_value vals[64] = { { 0 } };
    const struct cfg_value *w;

    check_node(ps, pc, node, CFG_SCHEDULE, vals);
    if ((w = value(vals, CFG_SCHEDULE, "window-us")))
        pc->window_us = (uint32_t)w->u64;
}

static void parse_block(struct parse *ps, struct part_config *pc, int node)
{
    struct cfg_value vals[64] = { { 0 } };
    const struct cfg_value *start, *count;
    int before = ps->errors;

    check_node(ps, pc, node, CFG_BLOCK, vals);
    pc->block_read_only = value(vals, CFG_BLOCK, "read-only") != NULL;
    start = value(vals, CFG_BLOCK, "start-sector");
    count = value(vals, CFG_BLOCK, "sectors");
    if (ps->errors != before || !start || !count)
        return;
    pc->block_start = start->u64;
    pc->block_sectors = count->u64;
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
    uint64_t need = pc->image_info.load_offset + pc->image_info.footprint + initrd + GUEST_PLATFORM_SIZE;
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
    struct cfg_value vals[64] = { { 0 } };
    const struct cfg_value *v;
    int sub;
    const char *nname = fdt_get_name(ps->fdt, node, NULL);

    if (cfg->nr_parts == HV_MAX_PARTITIONS) {
        fail(ps, NULL, nname, "too many partitions (at most %d)", HV_MAX_PARTITIONS);
        return;
    }
    struct part_config *pc = &cfg->parts[cfg->nr_parts++];
    memset(pc, 0, sizeof(*pc));
    snprintf(pc->node, sizeof(pc->node), "%s", nname ? nname : "?");

    /* A good label first, so that every message about the node names the partition. */
    int llen;
    const char *l = fdt_getprop(ps->fdt, node, "label", &llen);
    struct cfg_value lv;
    if (l && check_value(NULL, pc, cfg_lookup(CFG_PARTITION, "label"), l, llen, &lv))
        copy_string(&lv, pc->label, sizeof(pc->label));
    check_node(ps, pc, node, CFG_PARTITION, vals);
    fdt_for_each_subnode(sub, ps->fdt, node) {
        const char *sname = fdt_get_name(ps->fdt, sub, NULL);
        const struct cfg_prop *s = sname ? cfg_lookup(CFG_PARTITION, sname) : NULL;
        if (s && s->kind == CFG_NODE && s->node == CFG_SCHEDULE)
            parse_schedule(ps, pc, sub);
        else if (s && s->kind == CFG_NODE && s->node == CFG_BLOCK)
            parse_block(ps, pc, sub);
    }

    if ((v = value(vals, CFG_PARTITION, "cpus"))) {
        const fdt32_t *cpus = v->raw;
        for (int i = 0; i < v->len / 4; i++) {
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
    if ((v = value(vals, CFG_PARTITION, "memory-size")))
        pc->mem_size = v->u64;
    if ((v = value(vals, CFG_PARTITION, "memory-base"))) {
        pc->mem_base = v->u64;
        pc->mem_base_given = true;
    } else if (fdt_getprop(ps->fdt, node, "memory-base", NULL)) {
        pc->mem_base_given = true; /* given but invalid (reported): never place it */
        pc->mem_size = 0;
    }
    if (copy_string(value(vals, CFG_PARTITION, "image"), pc->image, sizeof(pc->image)))
        parse_image(ps, pc);
    copy_string(value(vals, CFG_PARTITION, "bootargs"), pc->bootargs, sizeof(pc->bootargs));
    if (copy_string(value(vals, CFG_PARTITION, "initrd"), pc->initrd, sizeof(pc->initrd)))
        parse_initrd(ps, pc);
    check_fit(ps, pc);
    pc->virtio_console = value(vals, CFG_PARTITION, "virtio-console") != NULL;
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

/* Every tag of the structure block lies inside it and moves the walk forward. libfdt
 * trusts a property's length: one that points back (e.g. -12) makes its walk loop. */
static bool struct_walk_ok(const uint8_t *dtb)
{
    uint32_t off = fdt_off_dt_struct(dtb), end = off + fdt_size_dt_struct(dtb);

    if (fdt_version(dtb) < 17 || end < off || end > fdt_totalsize(dtb))
        return false;
    while (off + 4 <= end) {
        uint32_t tag = fdt32_ld((const fdt32_t *)(dtb + off));
        off += 4;
        switch (tag) {
        case FDT_BEGIN_NODE: {
            const uint8_t *nul = memchr(dtb + off, 0, end - off);
            if (!nul)
                return false;
            off = ALIGN_UP((uint32_t)(nul - dtb) + 1, 4);
            break;
        }
        case FDT_PROP: {
            if (off + 8 > end)
                return false;
            uint32_t len = fdt32_ld((const fdt32_t *)(dtb + off));
            if (len > end - off - 8)
                return false;
            off = ALIGN_UP(off + 8 + len, 4);
            break;
        }
        case FDT_END_NODE:
        case FDT_NOP:
            break;
        case FDT_END:
            return true;
        default:
            return false;
        }
    }
    return false;
}

/* The blob itself, before libfdt reads a tag of it: the header fits and its sizes stay
 * inside the bytes there are, the blocks are aligned as libfdt loads them, and every tag,
 * name and string offset is valid (fdt_check_full). */
static const char *blob_problem(const void *dtb, size_t size)
{
    static char why[120];

    if ((uintptr_t)dtb % 8)
        return "config.dtb is not 8-byte aligned in memory";
    if (size < sizeof(struct fdt_header) || fdt_magic(dtb) != FDT_MAGIC)
        return "config.dtb is not a valid flattened device tree (no FDT header)";
    if (fdt_totalsize(dtb) > size) {
        snprintf(why, sizeof(why), "config.dtb says it is %u bytes but only %llu are there",
                 fdt_totalsize(dtb), (unsigned long long)size);
        return why;
    }
    if (fdt_off_mem_rsvmap(dtb) % 8 || fdt_off_dt_struct(dtb) % 4)
        return "config.dtb is damaged: its reserve map or structure block is misaligned";
    if (!struct_walk_ok(dtb))
        return "config.dtb is damaged: a tag or property length runs outside its structure block";
    int err = fdt_check_full(dtb, size);
    if (err) {
        snprintf(why, sizeof(why), "config.dtb is not a valid flattened device tree (%s)",
                 fdt_strerror(err));
        return why;
    }
    return NULL;
}

int config_from_bundle(const void *bundle, size_t bundle_size, void *buf, size_t cap,
                       size_t *size, const char **why)
{
    static char msg[96];
    struct bundle_file f;
    int r = bundle_find(bundle, bundle_size, "config.dtb", &f, why);

    if (r < 0)
        return -1;
    if (r == 0) {
        *why = "the boot bundle has no config.dtb";
        return -1;
    }
    if (f.size > cap) {
        snprintf(msg, sizeof(msg), "config.dtb is %llu bytes; at most %llu are supported",
                 (unsigned long long)f.size, (unsigned long long)cap);
        *why = msg;
        return -1;
    }
    memcpy(buf, f.data, f.size);
    *size = f.size;
    return 0;
}

int config_parse(const void *dtb, size_t size, const struct platform *plat,
                 struct hv_config *out, config_report_t report, void *ctx)
{
    struct parse ps = { dtb, plat, out, report, ctx, 0 };
    struct cfg_value vals[64] = { { 0 } };
    const char *why;
    int hv, node;

    memset(out, 0, sizeof(*out));
    if ((why = blob_problem(dtb, size))) {
        report(ctx, why); /* about the file, not a node in it */
        return 1;
    }
    hv = fdt_path_offset(dtb, "/hypervisor");
    if (hv < 0) {
        fail(&ps, NULL, NULL, "node missing from config.dtb");
        return ps.errors;
    }
    check_node(&ps, NULL, hv, CFG_HYPERVISOR, vals);
    fdt_for_each_subnode(node, dtb, hv) {
        const char *name = fdt_get_name(dtb, node, NULL);
        const struct cfg_prop *s = name ? cfg_lookup(CFG_HYPERVISOR, name) : NULL;
        if (s && s->kind == CFG_NODE && s->node == CFG_PARTITION)
            parse_partition(&ps, node);
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
    if (copy_string(value(vals, CFG_HYPERVISOR, "console-input"), want, sizeof(want))) {
        out->console_input = -1;
        for (unsigned i = 0; i < out->nr_parts; i++)
            if (strcmp(out->parts[i].label, want) == 0)
                out->console_input = i;
        if (out->console_input < 0)
            fail(&ps, NULL, "console-input", "no partition is labelled '%s'", want);
    }
    return ps.errors;
}
