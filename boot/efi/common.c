/* hvboot.efi: boots the hv from UEFI; the arch-neutral part.
 *
 * Has the arch part (<arch>.c) place the hv image, reads bundle.cpio from the directory the
 * app itself was loaded from and places it anywhere below 4 GiB, takes the platform device
 * tree from the arch part and rewrites its /memory, /memreserve/ and /chosen from the EFI
 * memory map, leaves boot services, and has the arch part enter the hv.
 *
 * The DTB is built twice from a pristine copy of the firmware's: once before
 * ExitBootServices (to report errors and print what the hv will get) and once after it, from
 * the final memory map (no firmware services are used for that: libfdt works in buffers
 * allocated beforehand). */
#include <libfdt.h>

#include "common.h"

#define DTB_SLACK 0x10000 /* room for the nodes and reservations we add */
#define MAX_RANGES 256

/* How many reserved ranges the hv records (BOOT_MAX_RANGES in hv/include/hv.h; the Makefile
 * passes it in). The hv drops the ones beyond that silently, and it adds its own three
 * (initrd, DTB, its image) after the /memreserve/ entries and /reserved-memory children, so
 * those must leave three slots free. Its RAM list has the same size. */
#ifndef HV_MAX_RANGES
#define HV_MAX_RANGES 8
#endif
#define HV_OWN_RESERVATIONS 3

#define EfiPersistentMemoryType 14 /* UEFI 2.5; newer than gnu-efi's enum */

struct memmap {
    EFI_MEMORY_DESCRIPTOR *buf;
    UINTN cap, size, key, desc_size;
    UINT32 desc_version;
};

/* What build_dtb decided (printed before ExitBootServices). */
struct layout {
    struct range ram[MAX_RANGES], rsv[MAX_RANGES], usable[MAX_RANGES];
    unsigned nr_ram, nr_rsv, nr_usable, ram_dropped, rsv_merged;
    UINT64 ram_lost, usable_lost; /* bytes given up to fit the hv's limits */
};

static struct layout lay;

static const CHAR16 *type_name(UINT32 t)
{
    static const CHAR16 *names[] = {
        L"Reserved", L"LoaderCode", L"LoaderData", L"BootServicesCode", L"BootServicesData",
        L"RuntimeServicesCode", L"RuntimeServicesData", L"Conventional", L"Unusable",
        L"ACPIReclaim", L"ACPINVS", L"MMIO", L"MMIOPortSpace", L"PalCode", L"Persistent",
    };
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : L"(unknown)";
}

/* ---- ranges ---- */

static void sort_ranges(struct range *r, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct range x = r[i];
        unsigned j = i;
        for (; j > 0 && r[j - 1].base > x.base; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
}

/* Sort, then merge overlapping and touching ranges; returns the new count. */
static unsigned coalesce(struct range *r, unsigned n)
{
    unsigned out = 0;

    sort_ranges(r, n);
    for (unsigned i = 0; i < n; i++) {
        if (r[i].end <= r[i].base)
            continue;
        if (out && r[i].base <= r[out - 1].end) {
            if (r[i].end > r[out - 1].end)
                r[out - 1].end = r[i].end;
        } else {
            r[out++] = r[i];
        }
    }
    return out;
}

static int add_range(struct range *r, unsigned *n, UINT64 base, UINT64 end)
{
    if (*n >= MAX_RANGES)
        return -1;
    r[(*n)++] = (struct range){ base, end };
    return 0;
}

static UINT64 overlap(const struct range *a, UINT64 base, UINT64 end)
{
    UINT64 b = a->base > base ? a->base : base, e = a->end < end ? a->end : end;
    return e > b ? e - b : 0;
}

#define for_each_desc(m, d)                                                                  \
    for (EFI_MEMORY_DESCRIPTOR *d = (m)->buf;                                                \
         (UINT8 *)d + (m)->desc_size <= (UINT8 *)(m)->buf + (m)->size;                       \
         d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)d + (m)->desc_size))

/* RAM: what can be mapped write-back. Usable: RAM that is free once boot services are gone. */
static BOOLEAN desc_ram(const EFI_MEMORY_DESCRIPTOR *d)
{
    return (d->Attribute & EFI_MEMORY_WB) && d->Type != EfiMemoryMappedIO &&
           d->Type != EfiMemoryMappedIOPortSpace && d->Type != EfiPersistentMemoryType;
}

static BOOLEAN desc_usable(const EFI_MEMORY_DESCRIPTOR *d)
{
    if (!desc_ram(d) || (d->Attribute & EFI_MEMORY_RUNTIME))
        return FALSE;
    switch (d->Type) {
    case EfiConventionalMemory:
    case EfiLoaderCode:
    case EfiLoaderData:
    case EfiBootServicesCode:
    case EfiBootServicesData:
        return TRUE;
    default:
        return FALSE;
    }
}

/* ---- device tree ---- */

static int count_reserved_memory(const void *fdt)
{
    int rm = fdt_path_offset(fdt, "/reserved-memory"), node, n = 0;

    if (rm < 0)
        return 0;
    fdt_for_each_subnode(node, fdt, rm)
        if (fdt_getprop(fdt, node, "reg", NULL))
            n++;
    return n;
}

static int put_cells(fdt32_t *p, int cells, UINT64 v)
{
    if (cells == 1 && v >> 32)
        return -1;
    if (cells == 2)
        *p++ = cpu_to_fdt32(v >> 32);
    *p = cpu_to_fdt32((UINT32)v);
    return 0;
}

static void hex(char *p, UINT64 v)
{
    char tmp[17];
    int n = 0;

    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    *p = 0;
}

/* Compute lay.ram / lay.rsv / lay.usable from the memory map and the loaded pieces. */
static const char *plan(const struct memmap *m, const struct loaded *ld, int budget)
{
    unsigned n = 0;

    lay.nr_ram = lay.nr_rsv = lay.nr_usable = lay.ram_dropped = lay.rsv_merged = 0;
    lay.ram_lost = lay.usable_lost = 0;

    for_each_desc(m, d) {
        UINT64 b = d->PhysicalStart, e = b + d->NumberOfPages * PAGE;
        if (desc_ram(d) && add_range(lay.ram, &lay.nr_ram, b, e) < 0)
            return "too many memory map entries";
        if (desc_usable(d) && add_range(lay.usable, &lay.nr_usable, b, e) < 0)
            return "too many memory map entries";
    }
    lay.nr_ram = coalesce(lay.ram, lay.nr_ram);
    lay.nr_usable = coalesce(lay.usable, lay.nr_usable);

    /* Keep RAM ranges that hold usable memory; if the hv cannot record them all, keep the
     * ones with the most usable memory (the others are simply not offered to it). */
    for (unsigned i = 0; i < lay.nr_ram; i++) {
        UINT64 u = 0;
        for (unsigned j = 0; j < lay.nr_usable; j++)
            u += overlap(&lay.usable[j], lay.ram[i].base, lay.ram[i].end);
        if (u)
            lay.ram[n++] = lay.ram[i];
    }
    lay.nr_ram = n;
    while (lay.nr_ram > HV_MAX_RANGES) {
        unsigned worst = 0;
        UINT64 worst_u = ~0ull;
        for (unsigned i = 0; i < lay.nr_ram; i++) {
            UINT64 u = 0;
            for (unsigned j = 0; j < lay.nr_usable; j++)
                u += overlap(&lay.usable[j], lay.ram[i].base, lay.ram[i].end);
            if (u < worst_u)
                worst = i, worst_u = u;
        }
        lay.ram_lost += worst_u;
        lay.ram_dropped++;
        for (unsigned i = worst; i + 1 < lay.nr_ram; i++)
            lay.ram[i] = lay.ram[i + 1];
        lay.nr_ram--;
    }

    /* The loaded pieces must lie in RAM we describe. */
    const struct range mine[3] = {
        { ld->hv, ld->hv + ld->hv_pages * PAGE },
        { ld->bundle, ld->bundle + ld->bundle_pages * PAGE },
        { ld->dtb, ld->dtb + ld->dtb_pages * PAGE },
    };
    for (int k = 0; k < 3; k++) {
        BOOLEAN in = FALSE;
        for (unsigned i = 0; i < lay.nr_ram; i++)
            in |= mine[k].base >= lay.ram[i].base && mine[k].end <= lay.ram[i].end;
        if (!in)
            return "a loaded piece (hv image, bundle or DTB) is outside the RAM described";
    }

    /* Reserve everything in that RAM that is not usable, plus the loaded pieces. */
    for_each_desc(m, d) {
        UINT64 b = d->PhysicalStart, e = b + d->NumberOfPages * PAGE;
        if (desc_usable(d))
            continue;
        for (unsigned i = 0; i < lay.nr_ram; i++)
            if (overlap(&lay.ram[i], b, e)) {
                UINT64 cb = b > lay.ram[i].base ? b : lay.ram[i].base;
                UINT64 ce = e < lay.ram[i].end ? e : lay.ram[i].end;
                if (add_range(lay.rsv, &lay.nr_rsv, cb, ce) < 0)
                    return "too many memory map entries";
            }
    }
    for (int k = 0; k < 3; k++)
        if (add_range(lay.rsv, &lay.nr_rsv, mine[k].base, mine[k].end) < 0)
            return "too many memory map entries";
    lay.nr_rsv = coalesce(lay.rsv, lay.nr_rsv);

    /* Fit the hv's table: merge the two neighbours with the smallest gap between them (the
     * usable memory in the gap is given up), until the entries fit. */
    if (budget < 1)
        return "the firmware's DTB leaves no room for reservations in the hv's table";
    while (lay.nr_rsv > (unsigned)budget) {
        unsigned best = 0;
        UINT64 gap = ~0ull;
        for (unsigned i = 0; i + 1 < lay.nr_rsv; i++)
            if (lay.rsv[i + 1].base - lay.rsv[i].end < gap)
                best = i, gap = lay.rsv[i + 1].base - lay.rsv[i].end;
        for (unsigned j = 0; j < lay.nr_usable; j++)
            lay.usable_lost += overlap(&lay.usable[j], lay.rsv[best].end, lay.rsv[best + 1].base);
        lay.rsv[best].end = lay.rsv[best + 1].end;
        for (unsigned i = best + 1; i + 1 < lay.nr_rsv; i++)
            lay.rsv[i] = lay.rsv[i + 1];
        lay.nr_rsv--;
        lay.rsv_merged++;
    }
    return NULL;
}

/* Build the hv's DTB in ld->dtb from the pristine copy and the memory map. Uses no firmware
 * services. Returns NULL or what failed (*fdt_err: the libfdt error, or 0). */
static const char *build_dtb(const struct memmap *m, const struct loaded *ld, int *fdt_err)
{
    void *fdt = (void *)(UINTN)ld->dtb;
    const void *orig = (const void *)(UINTN)ld->pristine;
    int ac = fdt_address_cells(orig, 0), sc = fdt_size_cells(orig, 0), node;

    *fdt_err = 0;
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return "root #address-cells/#size-cells are not 1 or 2";
    const char *why = plan(m, ld, HV_MAX_RANGES - HV_OWN_RESERVATIONS -
                                      count_reserved_memory(orig));
    if (why)
        return why;

    FDT_TRY(fdt_open_into(orig, fdt, ld->dtb_size));

    /* The EFI memory map replaces the firmware's view of memory (as Linux's EFI stub does). */
    while (fdt_num_mem_rsv(fdt) > 0)
        FDT_TRY(fdt_del_mem_rsv(fdt, 0));
    while ((node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
                                                 sizeof("memory"))) >= 0)
        FDT_TRY(fdt_del_node(fdt, node));

    char name[32] = "memory@";
    hex(name + 7, lay.ram[0].base);
    FDT_TRY(node = fdt_add_subnode(fdt, 0, name));
    FDT_TRY(fdt_setprop_string(fdt, node, "device_type", "memory"));
    fdt32_t reg[HV_MAX_RANGES * 4];
    int len = 0;
    for (unsigned i = 0; i < lay.nr_ram; i++) {
        if (put_cells(reg + len, ac, lay.ram[i].base) < 0 ||
            put_cells(reg + len + ac, sc, lay.ram[i].end - lay.ram[i].base) < 0)
            return "RAM beyond 4 GiB with 1-cell addresses or sizes";
        len += ac + sc;
    }
    FDT_TRY(fdt_setprop(fdt, node, "reg", reg, len * sizeof(fdt32_t)));

    for (unsigned i = 0; i < lay.nr_rsv; i++)
        FDT_TRY(fdt_add_mem_rsv(fdt, lay.rsv[i].base, lay.rsv[i].end - lay.rsv[i].base));

    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0)
        FDT_TRY(chosen = fdt_add_subnode(fdt, 0, "chosen"));
    FDT_TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", ld->bundle));
    FDT_TRY(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", ld->bundle + ld->bundle_size));
    const char *why_arch = efi_arch_fixup_dtb(fdt, fdt_err);
    if (why_arch)
        return why_arch;
    FDT_TRY(fdt_check_header(fdt));
    return NULL;
}

/* ---- files ---- */

/* The directory the app was loaded from, as a path on its volume ("" for the root). */
static void own_dir(EFI_DEVICE_PATH *dp, CHAR16 *out, UINTN cap)
{
    UINTN n = 0;

    for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
        if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
            continue;
        FILEPATH_DEVICE_PATH *fp = (FILEPATH_DEVICE_PATH *)dp;
        UINTN chars = (DevicePathNodeLength(dp) - SIZE_OF_FILEPATH_DEVICE_PATH) / sizeof(CHAR16);
        if (chars && fp->PathName[0] != L'\\' && n && out[n - 1] != L'\\' && n + 1 < cap)
            out[n++] = L'\\';
        for (UINTN i = 0; i < chars && fp->PathName[i] && n + 1 < cap; i++)
            out[n++] = fp->PathName[i] == L'/' ? L'\\' : fp->PathName[i];
    }
    while (n && out[n - 1] != L'\\') /* drop the file name */
        n--;
    while (n && out[n - 1] == L'\\')
        n--;
    out[n] = 0;
}

EFI_STATUS efi_open_file(EFI_FILE_HANDLE dir, const CHAR16 *dirname, CHAR16 *name,
                            EFI_FILE_HANDLE *fh, UINT64 *size)
{
    EFI_STATUS st = dir->Open(dir, fh, name, EFI_FILE_MODE_READ, 0);

    if (EFI_ERROR(st)) {
        Print(L"hvboot: cannot open %s\\%s: %r\n", dirname, name, st);
        return st;
    }
    EFI_FILE_INFO *info = LibFileInfo(*fh);
    if (!info) {
        Print(L"hvboot: cannot get the size of %s\\%s\n", dirname, name);
        (*fh)->Close(*fh);
        return EFI_DEVICE_ERROR;
    }
    BOOLEAN is_dir = (info->Attribute & EFI_FILE_DIRECTORY) != 0;
    *size = info->FileSize;
    FreePool(info);
    if (is_dir) {
        Print(L"hvboot: %s\\%s is a directory\n", dirname, name);
        (*fh)->Close(*fh);
        return EFI_INVALID_PARAMETER;
    }
    return EFI_SUCCESS;
}

EFI_STATUS efi_read_at(EFI_FILE_HANDLE fh, const CHAR16 *name, UINT64 off, void *buf,
                          UINT64 len)
{
    EFI_STATUS st = fh->SetPosition(fh, off);
    UINT64 done = 0;

    while (!EFI_ERROR(st) && done < len) {
        UINTN n = len - done;
        st = fh->Read(fh, &n, (UINT8 *)buf + done);
        if (!EFI_ERROR(st) && n == 0) {
            Print(L"hvboot: %s is short: read %lu of %lu bytes\n", name, off + done, off + len);
            return EFI_END_OF_FILE;
        }
        done += n;
    }
    if (EFI_ERROR(st))
        Print(L"hvboot: reading %s: %r\n", name, st);
    return st;
}

/* ---- memory ---- */

static EFI_STATUS get_map(struct memmap *m)
{
    for (;;) {
        m->size = m->cap;
        EFI_STATUS st = BS->GetMemoryMap(&m->size, m->buf, &m->key, &m->desc_size,
                                         &m->desc_version);
        if (st != EFI_BUFFER_TOO_SMALL)
            return st;
        if (m->buf)
            FreePool(m->buf);
        m->cap = m->size + 16 * (m->desc_size ? m->desc_size : sizeof(EFI_MEMORY_DESCRIPTOR));
        m->buf = AllocatePool(m->cap);
        if (!m->buf)
            return EFI_OUT_OF_RESOURCES;
    }
}

void efi_show_map_around(UINT64 base, UINT64 end)
{
    struct memmap m = { 0 };

    if (EFI_ERROR(get_map(&m)))
        return;
    for_each_desc(&m, d) {
        UINT64 b = d->PhysicalStart, e = b + d->NumberOfPages * PAGE;
        if (b < end && base < e)
            Print(L"hvboot:   0x%lx-0x%lx %s\n", b, e - 1, type_name(d->Type));
    }
    FreePool(m.buf);
}

static void free_loaded(struct loaded *ld)
{
    if (ld->hv)
        BS->FreePages(ld->hv, ld->hv_pages);
    if (ld->bundle)
        BS->FreePages(ld->bundle, ld->bundle_pages);
    if (ld->dtb)
        BS->FreePages(ld->dtb, ld->dtb_pages);
    if (ld->pristine)
        BS->FreePages(ld->pristine, ld->dtb_pages);
}

EFI_STATUS efi_alloc_low(UINT64 pages, UINT64 *addr)
{
    *addr = 0xffffffffull; /* anywhere below 4 GiB */
    return BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, addr);
}

/* ---- the steps ---- */

static EFI_STATUS load_bundle(EFI_FILE_HANDLE dir, const CHAR16 *dirname, struct loaded *ld)
{
    EFI_FILE_HANDLE fh;
    UINT64 size;
    EFI_STATUS st = efi_open_file(dir, dirname, L"bundle.cpio", &fh, &size);

    if (EFI_ERROR(st))
        return st;
    if (size < 110) {
        Print(L"hvboot: bundle.cpio is %lu bytes: too short for a cpio archive\n", size);
        st = EFI_LOAD_ERROR;
        goto out;
    }
    UINT64 pages = (size + PAGE - 1) / PAGE;
    st = efi_alloc_low(pages, &ld->bundle);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: cannot allocate %lu bytes below 4 GiB for bundle.cpio: %r\n", size, st);
        ld->bundle = 0;
        goto out;
    }
    ld->bundle_size = size;
    ld->bundle_pages = pages;
    st = efi_read_at(fh, L"bundle.cpio", 0, (void *)(UINTN)ld->bundle, size);
    if (EFI_ERROR(st))
        goto out;
    if (CompareMem((void *)(UINTN)ld->bundle, "070701", 6) != 0) {
        Print(L"hvboot: bundle.cpio is not a newc cpio archive (no 070701 magic)\n");
        st = EFI_LOAD_ERROR;
        goto out;
    }
    Print(L"hvboot: bundle.cpio: %lu bytes at 0x%lx-0x%lx\n", size, ld->bundle,
          ld->bundle + size - 1);
out:
    fh->Close(fh);
    return st;
}

static EFI_STATUS load_dtb(struct loaded *ld)
{
    const CHAR16 *from = L"";
    void *fw = efi_arch_platform_dtb(&from);
    EFI_STATUS st;

    if (!fw)
        return EFI_NOT_FOUND;
    int err = fdt_check_header(fw);
    if (err) {
        Print(L"hvboot: the firmware's device tree at 0x%lx is invalid: %a\n", (UINT64)(UINTN)fw,
              fdt_strerror(err));
        return EFI_LOAD_ERROR;
    }
    ld->dtb_size = (fdt_totalsize(fw) + DTB_SLACK + PAGE - 1) & ~(PAGE - 1);
    ld->dtb_pages = ld->dtb_size / PAGE;
    if (EFI_ERROR((st = efi_alloc_low(ld->dtb_pages, &ld->pristine))) ||
        EFI_ERROR((st = efi_alloc_low(ld->dtb_pages, &ld->dtb)))) {
        Print(L"hvboot: cannot allocate %lu bytes for the device tree: %r\n", ld->dtb_size, st);
        return st;
    }
    err = fdt_open_into(fw, (void *)(UINTN)ld->pristine, ld->dtb_size);
    if (err) {
        Print(L"hvboot: copying the firmware's device tree: %a\n", fdt_strerror(err));
        return EFI_LOAD_ERROR;
    }
    efi_arch_console((void *)(UINTN)ld->pristine);
    Print(L"hvboot: device tree: the firmware's at 0x%lx (%u bytes, from %s); the hv's at "
          L"0x%lx-0x%lx\n",
          (UINT64)(UINTN)fw, fdt_totalsize(fw), from, ld->dtb, ld->dtb + ld->dtb_size - 1);
    return EFI_SUCCESS;
}

static void show_layout(const struct memmap *m)
{
    UINT64 u = 0;

#ifdef HVBOOT_DUMP_MAP /* make EXTRA_CFLAGS=-DHVBOOT_DUMP_MAP: the whole EFI memory map */
    for_each_desc(m, d)
        Print(L"hvboot: map 0x%lx-0x%lx %s attr 0x%lx\n", d->PhysicalStart,
              d->PhysicalStart + d->NumberOfPages * PAGE - 1, type_name(d->Type), d->Attribute);
#endif

    for (unsigned i = 0; i < lay.nr_usable; i++)
        u += lay.usable[i].end - lay.usable[i].base;
    Print(L"hvboot: EFI map: %lu MiB usable after ExitBootServices in %u ranges:\n", u >> 20,
          lay.nr_usable);
    for (unsigned i = 0; i < lay.nr_usable; i++)
        Print(L"hvboot:   usable 0x%lx-0x%lx\n", lay.usable[i].base, lay.usable[i].end - 1);
    for (unsigned i = 0; i < lay.nr_ram; i++)
        Print(L"hvboot: /memory 0x%lx-0x%lx\n", lay.ram[i].base, lay.ram[i].end - 1);
    for (unsigned i = 0; i < lay.nr_rsv; i++)
        Print(L"hvboot: /memreserve/ 0x%lx-0x%lx\n", lay.rsv[i].base, lay.rsv[i].end - 1);
    if (lay.ram_dropped)
        Print(L"hvboot: warning: the hv records %d RAM ranges: %u left out (%lu KiB usable)\n",
              HV_MAX_RANGES, lay.ram_dropped, lay.ram_lost >> 10);
    if (lay.rsv_merged)
        Print(L"hvboot: note: %u reservations merged to fit the hv's table of %d (%lu KiB "
              L"usable memory given up)\n",
              lay.rsv_merged, HV_MAX_RANGES, lay.usable_lost >> 10);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    EFI_LOADED_IMAGE *li;
    EFI_FILE_IO_INTERFACE *fs;
    EFI_FILE_HANDLE root, dir;
    static CHAR16 dirname[512];
    static struct loaded ld;
    static struct memmap map;
    EFI_STATUS st;
    int fdt_err;
    const char *why;

    InitializeLib(image, systab);
    Print(L"hvboot: UEFI loader for the hv\n");
    st = efi_arch_check();
    if (EFI_ERROR(st))
        return st;

    st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: no LoadedImage protocol: %r\n", st);
        return st;
    }
    st = BS->HandleProtocol(li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: the device hvboot was loaded from has no file system: %r\n", st);
        return st;
    }
    st = fs->OpenVolume(fs, &root);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: cannot open the volume hvboot was loaded from: %r\n", st);
        return st;
    }
    own_dir(li->FilePath, dirname, sizeof(dirname) / sizeof(dirname[0]));
    dir = root;
    if (dirname[0]) {
        st = root->Open(root, &dir, dirname, EFI_FILE_MODE_READ, 0);
        if (EFI_ERROR(st)) {
            Print(L"hvboot: cannot open the directory %s: %r\n", dirname, st);
            root->Close(root);
            return st;
        }
    }
    Print(L"hvboot: loading from %s\\\n", dirname[0] ? dirname : L"");

    st = efi_arch_load_hv(dir, dirname, &ld);
    if (!EFI_ERROR(st))
        st = load_bundle(dir, dirname, &ld);
    if (dir != root)
        dir->Close(dir);
    root->Close(root);
    if (!EFI_ERROR(st))
        st = load_dtb(&ld);
    if (!EFI_ERROR(st) && EFI_ERROR((st = get_map(&map))))
        Print(L"hvboot: GetMemoryMap: %r\n", st);
    if (EFI_ERROR(st))
        goto fail;

    /* A trial run with the current map, to report problems while we still can. */
    why = build_dtb(&map, &ld, &fdt_err);
    if (why) {
        Print(L"hvboot: building the hv's device tree: %a%a%a\n", why, fdt_err ? ": " : "",
              fdt_err ? fdt_strerror(fdt_err) : "");
        st = EFI_LOAD_ERROR;
        goto fail;
    }
    show_layout(&map);
    Print(L"hvboot: exiting boot services; entering the hv at 0x%lx with the DTB at 0x%lx\n",
          ld.entry, ld.dtb);

    /* Nothing may allocate or print between the last GetMemoryMap and ExitBootServices. */
    st = get_map(&map);
    if (!EFI_ERROR(st)) {
        st = BS->ExitBootServices(image, map.key);
        if (st == EFI_INVALID_PARAMETER) { /* the map changed: once more with the new key */
            map.size = map.cap;
            st = BS->GetMemoryMap(&map.size, map.buf, &map.key, &map.desc_size,
                                  &map.desc_version);
            if (!EFI_ERROR(st))
                st = BS->ExitBootServices(image, map.key);
        }
    }
    if (EFI_ERROR(st)) {
        Print(L"hvboot: ExitBootServices failed: %r\n", st);
        goto fail;
    }

    /* Boot services are gone: only our own code from here on. The final map decides. */
    why = build_dtb(&map, &ld, &fdt_err);
    if (why) {
        efi_arch_puts("hvboot: after ExitBootServices, building the hv's device tree failed: ");
        efi_arch_puts(why);
        efi_arch_puts(fdt_err ? ": " : "");
        efi_arch_puts(fdt_err ? fdt_strerror(fdt_err) : "");
        efi_arch_puts("\nhvboot: halted\n");
        for (;;)
            ;
    }
    static struct range flush[3];
    flush[0] = (struct range){ ld.hv, ld.hv + ld.hv_pages * PAGE };
    flush[1] = (struct range){ ld.bundle, ld.bundle + ld.bundle_size };
    flush[2] = (struct range){ ld.dtb, ld.dtb + ld.dtb_size };
    efi_arch_enter(&ld, flush, 3);

fail:
    if (map.buf)
        FreePool(map.buf);
    free_loaded(&ld);
    return st;
}
