/* ACPI tables for x86_64 partitions: structure, checksums and pointers checked here, then
 * the tables are handed to iasl (acpica-tools) to disassemble, and its view of the
 * devices and the MADT must match the layout. Also: a too-small buffer fails cleanly. */
#include "acpi.h"
#include "unit.h"

#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#define GUARD 0xa5

static uint8_t buf[16384];

static uint32_t rd(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;

    while (n--)
        v = v << 8 | p[n];
    return v;
}

static uint64_t rd64(const uint8_t *p)
{
    return rd(p, 4) | (uint64_t)rd(p + 4, 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s += *p++;
    return s;
}

/* The table at guest-physical 'addr', if a whole header and body lie inside buf[0..used). */
static const uint8_t *table_at(uint64_t gpa, int used, uint64_t addr, const char *sig)
{
    const uint8_t *t;

    if (addr < gpa || addr - gpa + 36 > (uint64_t)used) {
        CHECK(0, "%s at 0x%llx is outside the buffer", sig, (unsigned long long)addr);
        return NULL;
    }
    t = buf + (addr - gpa);
    CHECK(memcmp(t, sig, 4) == 0, "signature %.4s, expected %s", (const char *)t, sig);
    CHECK(addr - gpa + rd(t + 4, 4) <= (uint64_t)used, "%s length %u runs past the end",
          sig, rd(t + 4, 4));
    if (memcmp(t, sig, 4) || addr - gpa + rd(t + 4, 4) > (uint64_t)used)
        return NULL;
    CHECK(sum(t, rd(t + 4, 4)) == 0, "%s checksum off by 0x%02x", sig, sum(t, rd(t + 4, 4)));
    CHECK(memcmp(t + 10, "HVPART", 6) == 0, "%s OEM id %.6s", sig, (const char *)t + 10);
    return t;
}

struct tables {
    const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
};

/* Follows RSDP -> XSDT -> FADT/MADT, FADT -> DSDT and checks each link and table. */
static int walk(uint64_t gpa, int used, uint64_t rsdp_gpa, struct tables *t)
{
    const uint8_t *r;

    memset(t, 0, sizeof(*t));
    CHECK(rsdp_gpa % 16 == 0, "RSDP at 0x%llx not 16-byte aligned", (unsigned long long)rsdp_gpa);
    if (rsdp_gpa < gpa || rsdp_gpa - gpa + 36 > (uint64_t)used) {
        CHECK(0, "RSDP 0x%llx outside the buffer", (unsigned long long)rsdp_gpa);
        return -1;
    }
    r = t->rsdp = buf + (rsdp_gpa - gpa);
    CHECK(memcmp(r, "RSD PTR ", 8) == 0, "RSDP signature");
    CHECK(sum(r, 20) == 0, "RSDP checksum off by 0x%02x", sum(r, 20));
    CHECK(sum(r, 36) == 0, "RSDP extended checksum off by 0x%02x", sum(r, 36));
    CHECK(r[15] == 2, "RSDP revision %u", r[15]);
    CHECK(rd(r + 20, 4) == 36, "RSDP length %u", rd(r + 20, 4));
    CHECK(memcmp(r + 9, "HVPART", 6) == 0, "RSDP OEM id");

    t->xsdt = table_at(gpa, used, rd64(r + 24), "XSDT");
    if (!t->xsdt)
        return -1;
    CHECK(rd(t->xsdt + 4, 4) == 36 + 2 * 8, "XSDT length %u, expected 2 entries",
          rd(t->xsdt + 4, 4));
    t->fadt = table_at(gpa, used, rd64(t->xsdt + 36), "FACP");
    t->madt = table_at(gpa, used, rd64(t->xsdt + 44), "APIC");
    if (!t->fadt || !t->madt)
        return -1;

    CHECK(rd(t->fadt + 4, 4) == 276, "FADT length %u", rd(t->fadt + 4, 4));
    CHECK(t->fadt[8] == 6, "FADT revision %u", t->fadt[8]);
    CHECK(rd(t->fadt + 112, 4) & (1u << 20), "FADT flags 0x%x lack HW_REDUCED_ACPI",
          rd(t->fadt + 112, 4));
    CHECK(rd(t->fadt + 40, 4) == (rd64(t->fadt + 140) >> 32 ? 0 : rd64(t->fadt + 140)),
          "DSDT 0x%x vs X_DSDT 0x%llx", rd(t->fadt + 40, 4),
          (unsigned long long)rd64(t->fadt + 140));
    CHECK(rd(t->fadt + 36, 4) == 0 && rd64(t->fadt + 132) == 0, "FADT names a FACS");
    CHECK(rd(t->fadt + 76, 4) == 0 && rd(t->fadt + 46, 2) == 0, "FADT has a PM timer/SCI");
    t->dsdt = table_at(gpa, used, rd64(t->fadt + 140), "DSDT");
    return t->dsdt ? 0 : -1;
}

/* MADT: nr_cpus enabled local APICs with ids 0..n-1, one IOAPIC, entries fill the table. */
static void check_madt(const uint8_t *m, const struct acpi_layout *l)
{
    uint32_t len = rd(m + 4, 4), off = 44;
    unsigned lapics = 0, ioapics = 0, other = 0;

    CHECK(rd(m + 36, 4) == l->lapic_base, "MADT LAPIC address 0x%x", rd(m + 36, 4));
    CHECK(rd(m + 40, 4) == 0, "MADT flags 0x%x", rd(m + 40, 4));
    while (off + 2 <= len && m[off + 1] >= 2 && off + m[off + 1] <= len) {
        const uint8_t *e = m + off;

        if (e[0] == 0 && e[1] == 8) {
            CHECK(e[2] == lapics && e[3] == lapics && rd(e + 4, 4) == 1,
                  "LAPIC entry %u: uid %u id %u flags 0x%x", lapics, e[2], e[3], rd(e + 4, 4));
            lapics++;
        } else if (e[0] == 1 && e[1] == 12) {
            CHECK(e[2] == l->nr_cpus, "IOAPIC id %u", e[2]);
            CHECK(rd(e + 4, 4) == l->ioapic_base && rd(e + 8, 4) == 0,
                  "IOAPIC address 0x%x GSI base %u", rd(e + 4, 4), rd(e + 8, 4));
            ioapics++;
        } else {
            other++;
        }
        off += e[1];
    }
    CHECK(off == len, "MADT entries end at %u, table at %u", off, len);
    CHECK(lapics == l->nr_cpus, "%u LAPIC entries, expected %u", lapics, l->nr_cpus);
    CHECK(ioapics == 1 && other == 0, "%u IOAPIC and %u other entries", ioapics, other);
}

static size_t count(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), c = 0;

    for (size_t i = 0; i + k <= n; i++)
        c += memcmp(hay + i, needle, k) == 0;
    return c;
}

/* A Generic Address Structure for an 8-bit I/O port, or all zero when port is 0. */
static void check_gas(const uint8_t *fadt, unsigned off, uint16_t port, const char *what)
{
    const uint8_t *g = fadt + off;

    if (!port) {
        CHECK(g[0] == 0 && g[1] == 0 && g[3] == 0 && rd64(g + 4) == 0,
              "%s: GAS at %u not empty", what, off);
        return;
    }
    CHECK(g[0] == 1 && g[1] == 8 && g[2] == 0 && g[3] == 1,
          "%s: GAS at %u space %u width %u offset %u access %u, want I/O 8 0 byte",
          what, off, g[0], g[1], g[2], g[3]);
    CHECK(rd64(g + 4) == port, "%s: GAS address 0x%llx, want 0x%x", what,
          (unsigned long long)rd64(g + 4), port);
}

/* FADT reset / sleep registers and the DSDT's \_S5 package, as the layout asks. */
static void check_power(const struct tables *t, const struct acpi_layout *l)
{
    static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, ACPI_S5_SLP_TYP,
                                  0x0a, ACPI_S5_SLP_TYP };
    uint32_t flags = rd(t->fadt + 112, 4);

    check_gas(t->fadt, 116, l->reset_port, "RESET_REG");
    CHECK(!!(flags & (1u << 10)) == !!l->reset_port, "FADT flags 0x%x: RESET_REG_SUP vs port 0x%x",
          flags, l->reset_port);
    CHECK(t->fadt[128] == (l->reset_port ? l->reset_value : 0), "RESET_VALUE 0x%x", t->fadt[128]);
    check_gas(t->fadt, 244, l->sleep_ctl_port, "SLEEP_CONTROL_REG");
    check_gas(t->fadt, 256, l->sleep_sts_port, "SLEEP_STATUS_REG");
    CHECK(count(t->dsdt, rd(t->dsdt + 4, 4), "_S5_") == (l->sleep_ctl_port ? 1u : 0u),
          "_S5_ x%zu in the DSDT", count(t->dsdt, rd(t->dsdt + 4, 4), "_S5_"));
    if (l->sleep_ctl_port) {
        const uint8_t *d = t->dsdt;
        size_t n = rd(d + 4, 4), i;

        for (i = 36; i + sizeof(s5) <= n && memcmp(d + i, s5, sizeof(s5)); i++)
            ;
        CHECK(i + sizeof(s5) <= n, "no Name (_S5, Package (2) { 5, 5 }) at the DSDT's root");
    }
}

static int untouched(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++ != GUARD)
            return 0;
    return 1;
}


/* ---- iasl ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    s = calloc(1, (size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    return s;
}

static int save(const char *dir, const char *name, const uint8_t *t, size_t n)
{
    char path[256];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f)
        return -1;
    ok = fwrite(t, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int run(const char *cmd)
{
    int st = system(cmd);

    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* iasl -d on one table; returns its .dsl text (caller frees) or NULL. */
static char *disassemble(const char *dir, const char *name, const uint8_t *t)
{
    char cmd[512], path[256];
    int st;
    char *dsl;

    if (save(dir, name, t, rd(t + 4, 4))) {
        CHECK(0, "cannot write %s/%s", dir, name);
        return NULL;
    }
    snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -d %s >%s.log 2>&1", dir, name, name);
    st = run(cmd);
    CHECK(st == 0, "iasl -d %s exited %d (see %s/%s.log)", name, st, dir, name);
    snprintf(path, sizeof(path), "%s/%.*s.dsl", dir, (int)(strchr(name, '.') - name), name);
    dsl = slurp(path);
    CHECK(dsl != NULL, "iasl wrote no %s", path);
    if (dsl) {
        CHECK(!strstr(dsl, "Incorrect"), "iasl complains about %s:\n%s", name, dsl);
        CHECK(!strstr(dsl, "****"), "iasl found a malformed %s:\n%s", name, dsl);
    }
    return dsl;
}

static size_t count_str(const char *s, const char *needle)
{
    size_t c = 0;

    while ((s = strstr(s, needle)) != NULL) {
        c++;
        s++;
    }
    return c;
}

/* How iasl prints a small integer in Name (_UID, x). */
static void int_text(char *out, size_t n, unsigned v)
{
    if (v <= 1)
        snprintf(out, n, "%s", v ? "One" : "Zero");
    else
        snprintf(out, n, "0x%02X", v);
}

static void check_dsl_device(const char *dsl, unsigned i, const struct acpi_virtio_dev *d)
{
    char want[256], uid[16], *dev, *end, *sec;
    size_t n;

    snprintf(want, sizeof(want), "Device (VR0%u)", i);
    dev = strstr(dsl, want);
    CHECK(dev != NULL, "no %s in the DSDT", want);
    if (!dev)
        return;
    end = strstr(dev + 1, "Device (");
    n = end ? (size_t)(end - dev) : strlen(dev);
    sec = strndup(dev, n);

    CHECK(strstr(sec, "Name (_HID, \"LNRO0005\")"), "VR0%u has no LNRO0005 _HID:\n%s", i, sec);
    int_text(uid, sizeof(uid), i);
    snprintf(want, sizeof(want), "Name (_UID, %s)", uid);
    CHECK(strstr(sec, want), "VR0%u lacks %s:\n%s", i, want, sec);
    CHECK(strstr(sec, "Name (_STA, 0x0F)"), "VR0%u _STA:\n%s", i, sec);
    if (d->base + d->size <= 0x100000000ull) {
        snprintf(want, sizeof(want), "Memory32Fixed (ReadWrite,\n"
                 "                    0x%08X,         // Address Base\n"
                 "                    0x%08X,         // Address Length",
                 (unsigned)d->base, d->size);
    } else {
        snprintf(want, sizeof(want), "0x%016llX, // Range Minimum",
                 (unsigned long long)d->base);
        CHECK(strstr(sec, "QWordMemory (ResourceConsumer"), "VR0%u no QWordMemory:\n%s", i, sec);
        CHECK(strstr(sec, "Range Maximum"), "VR0%u", i);
    }
    CHECK(strstr(sec, want), "VR0%u lacks\n%s\nin:\n%s", i, want, sec);
    snprintf(want, sizeof(want), "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, )\n"
             "                {\n"
             "                    0x%08X,\n"
             "                }", d->gsi);
    CHECK(strstr(sec, want), "VR0%u lacks\n%s\nin:\n%s", i, want, sec);
    free(sec);
}

/* iasl's view of a Generic Address Structure in the FADT: an 8-bit SystemIO register
 * at port, or an empty one. */
static void check_dsl_gas(const char *dsl, const char *title, uint16_t port)
{
    const char *g = strstr(dsl, title);
    char want[64], *sec;

    CHECK(g != NULL, "FADT disassembly has no %s", title);
    if (!g)
        return;
    sec = strndup(g, 400);
    snprintf(want, sizeof(want), "Address : %016X", port);
    CHECK(strstr(sec, want), "%s: want '%s' in\n%s", title, want, sec);
    if (port) {
        CHECK(strstr(sec, "Space ID : 01 [SystemIO]"), "%s not SystemIO:\n%s", title, sec);
        CHECK(strstr(sec, "Bit Width : 08"), "%s not 8 bits wide:\n%s", title, sec);
        CHECK(strstr(sec, "Encoded Access Width : 01 [Byte Access:8]"), "%s access:\n%s",
              title, sec);
    }
    free(sec);
}

/* Disassembles every table, checks iasl's reading of them, and recompiles the DSDT. */
static void check_iasl(const struct tables *t, const struct acpi_layout *l)
{
    char dir[] = "/tmp/unit-acpi.XXXXXX", cmd[512], want[64], path[300];
    char *dsl;

    if (run("command -v iasl >/dev/null 2>&1") != 0) {
        CHECK(0, "iasl not found: install acpica-tools (apt-get install -y acpica-tools)");
        return;
    }
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp failed");
        return;
    }

    dsl = disassemble(dir, "dsdt.dat", t->dsdt);
    if (dsl) {
        CHECK(count_str(dsl, "\"LNRO0005\"") == l->nr_devs, "%zu LNRO0005 devices, expected %u",
              count_str(dsl, "\"LNRO0005\""), l->nr_devs);
        CHECK(strstr(dsl, "Scope (\\_SB)"), "no \\_SB scope:\n%s", dsl);
        CHECK(!!strstr(dsl, "Name (_S5, Package (0x02)") == !!l->sleep_ctl_port,
              "_S5 package vs sleep_ctl_port 0x%x:\n%s", l->sleep_ctl_port, dsl);
        for (unsigned i = 0; i < l->nr_devs; i++)
            check_dsl_device(dsl, i, &l->devs[i]);
        free(dsl);
        /* iasl must accept its own disassembly and, without shortening \_SB to _SB (-on),
         * rebuild the very same AML: our encoding is what the compiler would emit */
        snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -on -p re dsdt.dsl >re.log 2>&1", dir);
        CHECK(run(cmd) == 0, "iasl cannot recompile the DSDT (see %s/re.log)", dir);
        snprintf(path, sizeof(path), "%s/re.aml", dir);
        dsl = slurp(path);
        if (dsl) {
            uint32_t n = rd(t->dsdt + 4, 4);
            CHECK(rd((uint8_t *)dsl + 4, 4) == n && memcmp(dsl + 36, t->dsdt + 36, n - 36) == 0,
                  "recompiled DSDT differs from ours (see %s)", dir);
            free(dsl);
        }
    }

    dsl = disassemble(dir, "apic.dat", t->madt);
    if (dsl) {
        CHECK(count_str(dsl, "[Processor Local APIC]") == l->nr_cpus,
              "%zu Processor Local APIC subtables, expected %u",
              count_str(dsl, "[Processor Local APIC]"), l->nr_cpus);
        CHECK(count_str(dsl, "Local Apic ID : ") == l->nr_cpus, "%zu Local Apic ID lines",
              count_str(dsl, "Local Apic ID : "));
        CHECK(count_str(dsl, "[I/O APIC]") == 1, "IOAPIC subtables: %zu",
              count_str(dsl, "[I/O APIC]"));
        snprintf(want, sizeof(want), "Address : %08X", (unsigned)l->ioapic_base);
        CHECK(strstr(dsl, want), "MADT lacks '%s':\n%s", want, dsl);
        snprintf(want, sizeof(want), "I/O Apic ID : %02X", l->nr_cpus);
        CHECK(strstr(dsl, want), "MADT lacks '%s':\n%s", want, dsl);
        free(dsl);
    }

    dsl = disassemble(dir, "facp.dat", t->fadt);
    if (dsl) {
        CHECK(strstr(dsl, "Hardware Reduced (V5) : 1"), "FADT not HW-reduced:\n%s", dsl);
        snprintf(want, sizeof(want), "Reset Register Supported (V2) : %d", !!l->reset_port);
        CHECK(strstr(dsl, want), "FADT lacks '%s':\n%s", want, dsl);
        check_dsl_gas(dsl, "Reset Register : [Generic Address Structure]", l->reset_port);
        check_dsl_gas(dsl, "Sleep Control Register : [Generic Address Structure]", l->sleep_ctl_port);
        check_dsl_gas(dsl, "Sleep Status Register : [Generic Address Structure]", l->sleep_sts_port);
        if (l->reset_port) {
            snprintf(want, sizeof(want), "Value to cause reset : %02X", l->reset_value);
            CHECK(strstr(dsl, want), "FADT lacks '%s':\n%s", want, dsl);
        }
        free(dsl);
    }
    CHECK((dsl = disassemble(dir, "xsdt.dat", t->xsdt)) != NULL, "XSDT");
    free(dsl);

    if (!unit_failed) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        run(cmd);
    }
}

/* Full check of one layout at one guest-physical address. */
static void check_layout(const char *what, uint64_t gpa, const struct acpi_layout *l)
{
    uint64_t rsdp = 0;
    struct tables t;
    int used;

    memset(buf, GUARD, sizeof(buf));
    used = acpi_build(buf, sizeof(buf), gpa, l, &rsdp);
    printf("unit-acpi: %s: %d bytes\n", what, used);
    CHECK(used > 0 && (size_t)used <= sizeof(buf), "%s: acpi_build returned %d", what, used);
    if (used <= 0)
        return;
    CHECK(buf[used] == GUARD, "%s: byte after the tables written", what);
    if (walk(gpa, used, rsdp, &t))
        return;
    printf("unit-acpi:   RSDP @0x%llx, XSDT %u, FADT %u, MADT %u, DSDT %u bytes\n",
           (unsigned long long)rsdp, rd(t.xsdt + 4, 4), rd(t.fadt + 4, 4), rd(t.madt + 4, 4),
           rd(t.dsdt + 4, 4));
    check_madt(t.madt, l);
    check_power(&t, l);
    CHECK(count(t.dsdt, rd(t.dsdt + 4, 4), "LNRO0005") == l->nr_devs, "%s: LNRO0005 x%zu",
          what, count(t.dsdt, rd(t.dsdt + 4, 4), "LNRO0005"));
    check_iasl(&t, l);

    /* every cap short of 'used' fails and stores nothing at or past cap */
    for (size_t cap = 0; cap < (size_t)used; cap++) {
        int r;

        memset(buf, GUARD, sizeof(buf));
        r = acpi_build(buf, cap, gpa, l, &rsdp);
        if (r != -1 || !untouched(buf + cap, sizeof(buf) - cap)) {
            CHECK(0, "%s: cap %zu: returned %d, or wrote past cap", what, cap, r);
            break;
        }
    }
    CHECK(1, "short caps");
    memset(buf, GUARD, sizeof(buf));
    CHECK(acpi_build(buf, (size_t)used - 1, gpa, l, &rsdp) == -1 && buf[used - 1] == GUARD,
          "%s: cap used-1", what);
    CHECK(acpi_build(buf, (size_t)used, gpa, l, &rsdp) == used, "%s: exact cap", what);
}

int main(void)
{
    struct acpi_layout a = {
        .nr_cpus = 2, .lapic_base = 0xfee00000, .ioapic_base = 0xfec00000, .nr_devs = 2,
        .devs = { { 0xd0000000, 0x200, 5 }, { 0xd0000200, 0x200, 6 } },
        .oem_id = "HVPART",
        /* the ports the hv uses */
        .sleep_ctl_port = 0x600, .sleep_sts_port = 0x601, .reset_port = 0x602, .reset_value = 1,
    };
    struct acpi_layout b = {
        .nr_cpus = 4, .lapic_base = 0xfee00000, .ioapic_base = 0xfec00000, .nr_devs = 1,
        .devs = { { 0xfeb00000, 0x1000, 16 } },
        .oem_id = "HVPART",
    };
    struct acpi_layout c = {
        .nr_cpus = 8, .lapic_base = 0xfee00000, .ioapic_base = 0xfec00000, .nr_devs = 8,
        .oem_id = "HVPART",
    };
    struct acpi_layout bad = a;
    uint64_t rsdp;

    for (unsigned i = 0; i < 8; i++)
        c.devs[i] = (struct acpi_virtio_dev){ 0xd0000000 + i * 0x200, 0x200, 5 + i };
    c.devs[7].base = 0x4000000000ull;   /* above 4 GiB: QWordMemory */

    check_layout("2 cpus, 2 devs, power ports @0xe0000", 0xe0000, &a);
    check_layout("4 cpus, 1 dev @0x7ffe0004", 0x7ffe0004, &b);
    check_layout("8 cpus, 8 devs @0x1_0000_0000", 0x100000000ull, &c);

    bad.nr_cpus = 0;
    CHECK(acpi_build(buf, sizeof(buf), 0, &bad, &rsdp) == -1, "0 cpus accepted");
    bad = a;
    bad.nr_devs = 9;
    CHECK(acpi_build(buf, sizeof(buf), 0, &bad, &rsdp) == -1, "9 devices accepted");
    return unit_finish("unit-acpi");
}
