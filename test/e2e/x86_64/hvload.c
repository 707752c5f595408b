/* hvload: lays a bzImage guest out the way the hypervisor will, with the hv's own
 * loader (arch/x86_64/bzimage.c) and ACPI builder (arch/x86_64/acpi.c), for
 * hv-entry.sh to boot on plain QEMU through a stub that imitates the hv's vcpu
 * entry (entry-stub.S). Writes into OUTDIR:
 *   image.bin   guest RAM from the lowest to the highest byte the loader wrote
 *   acpi.bin    the ACPI tables
 *   params.bin  for the stub: entry64, boot_params (two little-endian u64)
 *   qemu.args   -device loader,... lines for those three
 *   hvload.log  the layout (also printed)
 * usage: hvload GUEST.bin OUTDIR RAM_MIB CPUS "CMDLINE" [BASE:GSI ...]
 * Guest RAM is [0, 0x9fc00) and [1 MiB, RAM_MIB) in the e820 map, with the ACPI
 * tables in an ACPI range at ACPI_GPA; virtio-mmio windows are 0x200 bytes. */
#include "acpi.h"
#include "bzimage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB         0x100000ull
#define ACPI_GPA    0x1f0000ull     /* below the kernel's boot block */
#define ACPI_SIZE   0x4000ull
#define PARAMS_GPA  0x1ef000ull

static void *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    void *p;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    p = malloc(len);
    if (p && fread(p, 1, len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = len;
    return p;
}

static int spit(const char *dir, const char *name, const void *p, size_t n)
{
    char path[512];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (!(f = fopen(path, "wb")))
        return -1;
    ok = fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct acpi_layout l = {
        .lapic_base = 0xfee00000, .ioapic_base = 0xfec00000, .oem_id = "HVPART",
        .sleep_ctl_port = 0x600, .sleep_sts_port = 0x601, .reset_port = 0x602, .reset_value = 1,
    };
    struct e820_entry_in e820[4];
    struct bzimage_load out;
    uint64_t ram_size, rsdp, lo, hi, params[2];
    const char *why = NULL, *dir;
    uint8_t *ram, acpi[ACPI_SIZE];
    size_t img_len;
    void *img;
    int n, i;
    char text[1024];
    FILE *f;

    if (argc < 6) {
        fprintf(stderr, "usage: hvload GUEST.bin OUTDIR RAM_MIB CPUS CMDLINE [BASE:GSI ...]\n");
        return 2;
    }
    dir = argv[2];
    ram_size = strtoull(argv[3], NULL, 0) * MIB;
    l.nr_cpus = strtoul(argv[4], NULL, 0);
    for (i = 6; i < argc && l.nr_devs < ACPI_MAX_VIRTIO_DEVS; i++) {
        char *colon;

        l.devs[l.nr_devs].base = strtoull(argv[i], &colon, 0);
        l.devs[l.nr_devs].size = 0x200;
        l.devs[l.nr_devs].gsi = *colon == ':' ? strtoul(colon + 1, NULL, 0) : 0;
        l.nr_devs++;
    }
    if (!(img = slurp(argv[1], &img_len))) {
        perror(argv[1]);
        return 1;
    }
    if (!(ram = calloc(1, ram_size))) {
        perror("guest RAM");
        return 1;
    }
    n = acpi_build(acpi, sizeof(acpi), ACPI_GPA, &l, &rsdp);
    if (n < 0) {
        fprintf(stderr, "hvload: acpi_build failed\n");
        return 1;
    }
    e820[0] = (struct e820_entry_in){ 0, 0x9fc00, BZ_E820_RAM };
    e820[1] = (struct e820_entry_in){ MIB, ACPI_GPA - MIB, BZ_E820_RAM };
    e820[2] = (struct e820_entry_in){ ACPI_GPA, ACPI_SIZE, BZ_E820_ACPI };
    e820[3] = (struct e820_entry_in){ ACPI_GPA + ACPI_SIZE, ram_size - ACPI_GPA - ACPI_SIZE, BZ_E820_RAM };
    if (bzimage_load(img, img_len, NULL, 0, argv[5], ram, 0, ram_size, e820, 4, rsdp, &out, &why)) {
        fprintf(stderr, "hvload: bzimage_load: %s\n", why);
        return 1;
    }
    /* what the loader wrote: the boot block (cmdline, boot_params) up to the kernel's end */
    for (lo = 0; lo < ram_size && !ram[lo]; lo++)
        ;
    for (hi = ram_size; hi > lo && !ram[hi - 1]; hi--)
        ;
    lo &= ~0xfffull;
    params[0] = out.entry64;
    params[1] = out.boot_params;
    if (spit(dir, "image.bin", ram + lo, hi - lo) || spit(dir, "acpi.bin", acpi, n) ||
        spit(dir, "params.bin", params, sizeof(params))) {
        perror(dir);
        return 1;
    }
    snprintf(text, sizeof(text), "%s/qemu.args", dir);
    if (!(f = fopen(text, "w")))
        return 1;
    fprintf(f, "-device loader,file=%s/image.bin,addr=0x%llx,force-raw=on\n", dir, (unsigned long long)lo);
    fprintf(f, "-device loader,file=%s/acpi.bin,addr=0x%llx,force-raw=on\n", dir, ACPI_GPA);
    fprintf(f, "-device loader,file=%s/params.bin,addr=0x%llx,force-raw=on\n", dir, PARAMS_GPA);
    fclose(f);
    printf("hvload: kernel 0x%llx entry64 0x%llx boot_params 0x%llx, image 0x%llx-0x%llx, "
           "ACPI %d bytes at 0x%llx (RSDP 0x%llx), %u cpus, %u virtio-mmio\n",
           (unsigned long long)out.kernel, (unsigned long long)out.entry64,
           (unsigned long long)out.boot_params, (unsigned long long)lo, (unsigned long long)hi, n,
           ACPI_GPA, (unsigned long long)rsdp, l.nr_cpus, l.nr_devs);
    free(ram);
    free(img);
    return 0;
}
