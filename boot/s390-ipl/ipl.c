/* From IPL to hv_main on s390x: learn the machine (storage and CPUs from the SCLP, devices
 * from the channel subsystem), read the boot bundle from the IPL volume, and describe all
 * of it in a device tree, which the arch-neutral boot (hv_boot_fdt) and the drivers read
 * as on the other ports.
 *
 * The IPL volume (scripts/mkdasd.py): block 0 the IPL record, block 1 the volume
 * descriptor below, then the hv image, then the bundle. */
#include <libfdt.h>
#include <string.h>

#include "css.h"
#include "fba.h"
#include "hv.h"
#include "sclp.h"
#include "../../arch/s390x/s390.h"

#define VOL_MAGIC "HVIPLVOL"
struct volume {
    char magic[8];
    uint32_t version;           /* 1 */
    uint32_t hv_block, hv_blocks;
    uint32_t bundle_block;
    uint64_t bundle_bytes;
} __attribute__((packed));

#define FDT_SPACE KIB(64)
#define MAX_DEVICES 64

extern char _hv_end[];
static uint8_t fdt_buf[FDT_SPACE] __attribute__((aligned(8)));
static uint8_t block[FBA_BLOCK] __attribute__((aligned(4096)));
static uint8_t info[4096] __attribute__((aligned(4096)));

/* Before the console exists a failure can only be a disabled wait; its code says which. */
static void __attribute__((noreturn)) give_up(unsigned code)
{
    struct psw psw = { PSW_MASK_WAIT | PSW_MASK_64, 0xb00 | code };
    __asm__ volatile("lpswe %0" : : "Q"(psw) : "memory");
    __builtin_unreachable();
}

#define TRY(x) do { if ((x) < 0) give_up(0x0f); } while (0)

static void add_storage(void *fdt, uint16_t *cpu_addrs, unsigned *ncpus)
{
    struct sclp_read_info *ri = (struct sclp_read_info *)info;

    memset(info, 0, sizeof(info));
    ri->h.length = sizeof(info);
    if (sclp_request(SCLP_CMD_READ_SCP_INFO, info) != SCLP_RC_NORMAL_READ)
        give_up(0x01);
    uint64_t incs = ri->rnmax ? ri->rnmax : ri->rnmax2;
    uint64_t mib = ri->rnsize ? ri->rnsize : ri->rnsize2;
    uint64_t size = incs * mib << 20;
    int node;
    TRY(node = fdt_add_subnode(fdt, 0, "memory@0"));
    TRY(fdt_setprop_string(fdt, node, "device_type", "memory"));
    fdt64_t reg[2] = { cpu_to_fdt64(0), cpu_to_fdt64(size) };
    TRY(fdt_setprop(fdt, node, "reg", reg, sizeof(reg)));

    const struct sclp_cpu_entry *c = (const struct sclp_cpu_entry *)(info + ri->cpuoff);
    *ncpus = 0;
    for (unsigned i = 0; i < ri->ncpurl && *ncpus < HV_MAX_CPUS; i++)
        if (c[i].type == 0)     /* central processors only */
            cpu_addrs[(*ncpus)++] = c[i].address;
}

/* A unit name: "base@" and the number in hex, no leading zeros. */
static void unit_name(char *buf, const char *base, unsigned n)
{
    char digits[8];
    int k = 0;
    do
        digits[k++] = "0123456789abcdef"[n & 15];
    while ((n >>= 4) && k < 8);
    size_t l = strlen(base);
    memcpy(buf, base, l);
    buf[l++] = '@';
    while (k)
        buf[l++] = digits[--k];
    buf[l] = 0;
}

static void add_cpus(void *fdt, const uint16_t *addrs, unsigned n)
{
    int cpus, node;
    char name[16];

    TRY(cpus = fdt_add_subnode(fdt, 0, "cpus"));
    TRY(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
    TRY(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
    /* fdt_add_subnode puts a node before its siblings: the last first, for address order. */
    for (unsigned i = n; i-- > 0;) {
        unit_name(name, "cpu", addrs[i]);
        TRY(node = fdt_add_subnode(fdt, cpus, name));
        TRY(fdt_setprop_string(fdt, node, "device_type", "cpu"));
        TRY(fdt_setprop_u32(fdt, node, "reg", addrs[i]));
    }
}

/* FBA DASDs: control units 3880 (3370) and 6310 (9336), as SENSE ID names them. */
static bool is_fba(const uint8_t *id)
{
    unsigned cu = id[1] << 8 | id[2], dev = id[4] << 8 | id[5];
    return (cu == 0x3880 && dev == 0x3370) || (cu == 0x6310 && dev == 0x9336);
}

static void add_devices(void *fdt, uint32_t ipl_schid)
{
    static uint8_t id[16] __attribute__((aligned(8)));
    struct schib schib;
    struct irb irb;
    uint32_t schid, next = 0;
    int css, node;
    char name[24];

    TRY(css = fdt_add_subnode(fdt, 0, "channel-subsystem"));
    TRY(fdt_setprop_u32(fdt, css, "#address-cells", 1));
    TRY(fdt_setprop_u32(fdt, css, "#size-cells", 0));
    for (unsigned n = 0; n < MAX_DEVICES; n++) {
        if (css_find(-1, next, &schid, &schib) < 0)
            break;
        next = (schid & 0xffff) + 1;
        struct ccw1 ccw = { CCW_CMD_SENSE_ID, CCW_F_SLI, sizeof(id), (uint32_t)(uintptr_t)id };
        memset(id, 0, sizeof(id));
        if (css_run(schid, &ccw, &irb) < 0 || id[0] != 0xff || !is_fba(id))
            continue;
        unsigned devno = schib.pmcw.devno;
        unit_name(name, "dasd", devno);
        TRY(node = fdt_add_subnode(fdt, css, name));
        TRY(fdt_setprop_string(fdt, node, "compatible", "ibm,fba-dasd"));
        TRY(fdt_setprop_u32(fdt, node, "reg", schid));
        TRY(fdt_setprop_u32(fdt, node, "ibm,devno", devno));
        if (schid == ipl_schid)
            TRY(fdt_setprop(fdt, node, "ibm,ipl-volume", NULL, 0));
    }
}

static void load_bundle(void *fdt, uint32_t ipl_schid)
{
    struct fba vol;
    const char *why;

    /* The IPL left its subchannel enabled. */
    if (fba_open(ipl_schid, &vol, &why) < 0 ||
        fba_transfer(&vol, false, 1, block, 1, &why) < 0)
        give_up(0x02);
    const struct volume *d = (const struct volume *)block;
    if (memcmp(d->magic, VOL_MAGIC, 8) != 0 || d->version != 1)
        give_up(0x03);
    uint64_t start = ALIGN_UP((uintptr_t)_hv_end, KIB(4));
    uint32_t blocks = (uint32_t)((d->bundle_bytes + FBA_BLOCK - 1) / FBA_BLOCK);
    if (fba_transfer(&vol, false, d->bundle_block, (void *)(uintptr_t)start, blocks, &why) < 0)
        give_up(0x04);
    int chosen;
    TRY(chosen = fdt_add_subnode(fdt, 0, "chosen"));
    TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", start));
    TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", start + d->bundle_bytes));
    TRY(fdt_setprop_string(fdt, chosen, "stdout-path", "/sclp-console"));
}

void __attribute__((noreturn)) s390_ipl_main(uint32_t ipl_schid)
{
    void *fdt = fdt_buf;
    uint16_t cpu_addrs[HV_MAX_CPUS];
    unsigned ncpus;
    int node;

    s390_boot_lowcore();        /* interruption handlers, for the SCLP's service signal */
    TRY(fdt_create_empty_tree(fdt, sizeof(fdt_buf)));
    TRY(fdt_setprop_u32(fdt, 0, "#address-cells", 2));
    TRY(fdt_setprop_u32(fdt, 0, "#size-cells", 2));
    TRY(fdt_setprop_string(fdt, 0, "model", "IBM z/Architecture (s390x)"));
    add_storage(fdt, cpu_addrs, &ncpus);
    add_cpus(fdt, cpu_addrs, ncpus);
    TRY(node = fdt_add_subnode(fdt, 0, "sclp-console"));
    TRY(fdt_setprop_string(fdt, node, "compatible", "ibm,sclp-console"));
    TRY(fdt_setprop_u32(fdt, node, "interrupts", SCLP_IRQ_EVENT));
    load_bundle(fdt, ipl_schid);
    add_devices(fdt, ipl_schid);
    TRY(fdt_pack(fdt));
    hv_boot_fdt(fdt, ARCH_NAME);
}
