/* hvboot.efi: boots the hv (an arm64 Linux "Image") from UEFI.
 *
 * Reads hv.bin and bundle.cpio from the directory the app itself was loaded from, places the
 * Image at RAM base + text_offset and the bundle anywhere below 4 GiB, takes the firmware's
 * device tree from the EFI configuration table and rewrites its /memory, /memreserve/ and
 * /chosen from the EFI memory map, leaves boot services, and enters the Image by the Linux
 * arm64 boot protocol (handoff.S): EL2, MMU and caches off, x0 = DTB.
 *
 * The DTB is built twice from a pristine copy of the firmware's: once before
 * ExitBootServices (to report errors and print what the hv will get) and once after it, from
 * the final memory map (no firmware services are used for that: libfdt works in buffers
 * allocated beforehand). */
#include <efi.h>
#include <efilib.h>
#include <libfdt.h>

/* QEMU virt (and the hv's link address): the Image goes to RAM_BASE + text_offset. */
#define RAM_BASE 0x40000000ull
#define DTB_SLACK 0x10000 /* room for the nodes and reservations we add */
#define PAGE 4096ull
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

struct range {
    UINT64 base, end; /* [base, end) */
};

struct image_header { /* Documentation/arch/arm64/booting.rst */
    UINT32 code0, code1;
    UINT64 text_offset, image_size, flags, res2, res3, res4;
    UINT32 magic, res5;
};
#define IMAGE_MAGIC 0x644d5241 /* "ARM\x64" */

struct loaded {
    UINT64 hv, hv_size, hv_pages, entry;
    UINT64 bundle, bundle_size, bundle_pages;
    UINT64 pristine, dtb, dtb_size, dtb_pages; /* two buffers of dtb_size bytes */
};

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

static EFI_GUID dtb_guid = { 0xb1b621d5, 0xf19c, 0x41a5,
                             { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } };

static struct layout lay;
static UINT64 uart_base; /* PL011 for messages after ExitBootServices, 0 if none */

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

#define FDT_TRY(x)                                                                           \
    do {                                                                                     \
        int err_ = (x);                                                                      \
        if (err_ < 0) {                                                                      \
            *fdt_err = err_;                                                                 \
            return #x;                                                                       \
        }                                                                                    \
    } while (0)

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
    const char *out = fdt_getprop(fdt, chosen, "stdout-path", &len);
    if (!out || len < 2) {
        char path[256];
        int uart = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
        if (uart < 0)
            return "no /chosen/stdout-path and no arm,pl011 node for the hv's console";
        FDT_TRY(fdt_get_path(fdt, uart, path, sizeof(path)));
        chosen = fdt_path_offset(fdt, "/chosen");
        FDT_TRY(fdt_setprop_string(fdt, chosen, "stdout-path", path));
    }
    FDT_TRY(fdt_check_header(fdt));
    return NULL;
}

/* The PL011 at /chosen/stdout-path, for messages after ExitBootServices. */
static UINT64 find_uart(const void *fdt)
{
    int chosen = fdt_path_offset(fdt, "/chosen"), len;
    const char *p = chosen >= 0 ? fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;
    if (!p || len < 2)
        return 0;
    const char *colon = memchr(p, ':', len);
    int node = fdt_path_offset_namelen(fdt, p, colon ? colon - p : (int)strnlen(p, len));
    if (node < 0 || fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
        return 0;
    int parent = fdt_parent_offset(fdt, node), ac = fdt_address_cells(fdt, parent);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg || ac < 1 || ac > 2 || len < ac * 4)
        return 0;
    return ac == 2 ? (UINT64)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1])
                   : fdt32_to_cpu(reg[0]);
}

static void uart_puts(const char *s)
{
    volatile UINT32 *u = (volatile UINT32 *)(UINTN)uart_base;

    if (!u)
        return;
    for (; *s; s++) {
        if (*s == '\n') {
            while (u[0x18 / 4] & (1 << 5)) /* FR.TXFF */
                ;
            u[0] = '\r';
        }
        while (u[0x18 / 4] & (1 << 5))
            ;
        u[0] = (UINT8)*s;
    }
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

static EFI_STATUS open_file(EFI_FILE_HANDLE dir, const CHAR16 *dirname, CHAR16 *name,
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

static EFI_STATUS read_at(EFI_FILE_HANDLE fh, const CHAR16 *name, UINT64 off, void *buf,
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

static void show_map_around(UINT64 base, UINT64 end)
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

static EFI_STATUS alloc_low(UINT64 pages, UINT64 *addr)
{
    *addr = 0xffffffffull; /* anywhere below 4 GiB */
    return BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, addr);
}

/* ---- the steps ---- */

static EFI_STATUS load_hv(EFI_FILE_HANDLE dir, const CHAR16 *dirname, struct loaded *ld)
{
    EFI_FILE_HANDLE fh;
    UINT64 size;
    struct image_header h;
    EFI_STATUS st = open_file(dir, dirname, L"hv.bin", &fh, &size);

    if (EFI_ERROR(st))
        return st;
    if (size < sizeof(h)) {
        Print(L"hvboot: hv.bin is %lu bytes: too short for an arm64 Image header (64 bytes)\n",
              size);
        st = EFI_LOAD_ERROR;
        goto out;
    }
    st = read_at(fh, L"hv.bin", 0, &h, sizeof(h));
    if (EFI_ERROR(st))
        goto out;
    st = EFI_LOAD_ERROR;
    if (h.magic != IMAGE_MAGIC) {
        Print(L"hvboot: hv.bin is not an arm64 Image (magic 0x%x at 0x38, want 0x%x)\n",
              h.magic, IMAGE_MAGIC);
        goto out;
    }
    if (h.flags & 1) {
        Print(L"hvboot: hv.bin is a big-endian Image\n");
        goto out;
    }
    if (h.image_size == 0) {
        Print(L"hvboot: hv.bin: image_size is 0 (an old-style Image); it must give the size\n");
        goto out;
    }
    if (h.image_size < size) {
        Print(L"hvboot: hv.bin: image_size 0x%lx is smaller than the file (0x%lx bytes)\n",
              h.image_size, size);
        goto out;
    }
    if (h.text_offset % PAGE || h.text_offset >= 0x40000000ull) {
        Print(L"hvboot: hv.bin: text_offset 0x%lx is not page-aligned or too large\n",
              h.text_offset);
        goto out;
    }
    UINT64 base = RAM_BASE + h.text_offset, pages = (h.image_size + PAGE - 1) / PAGE;
    EFI_PHYSICAL_ADDRESS at = base;
    st = BS->AllocatePages(AllocateAddress, EfiLoaderData, pages, &at);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: cannot allocate 0x%lx-0x%lx for hv.bin (RAM base 0x%lx + text_offset "
              L"0x%lx, image_size 0x%lx): %r.\n",
              base, base + h.image_size - 1, RAM_BASE, h.text_offset, h.image_size, st);
        Print(L"hvboot: that range is not free memory; the firmware's memory map there:\n");
        show_map_around(base, base + pages * PAGE);
        goto out;
    }
    ld->hv = base;
    ld->hv_size = h.image_size;
    ld->hv_pages = pages;
    ld->entry = base;
    st = read_at(fh, L"hv.bin", 0, (void *)(UINTN)base, size);
    if (EFI_ERROR(st))
        goto out;
    SetMem((UINT8 *)(UINTN)base + size, pages * PAGE - size, 0); /* bss */
    Print(L"hvboot: hv.bin: %lu bytes at 0x%lx-0x%lx (image_size 0x%lx, text_offset 0x%lx)\n",
          size, base, base + h.image_size - 1, h.image_size, h.text_offset);
out:
    fh->Close(fh);
    return st;
}

static EFI_STATUS load_bundle(EFI_FILE_HANDLE dir, const CHAR16 *dirname, struct loaded *ld)
{
    EFI_FILE_HANDLE fh;
    UINT64 size;
    EFI_STATUS st = open_file(dir, dirname, L"bundle.cpio", &fh, &size);

    if (EFI_ERROR(st))
        return st;
    if (size < 110) {
        Print(L"hvboot: bundle.cpio is %lu bytes: too short for a cpio archive\n", size);
        st = EFI_LOAD_ERROR;
        goto out;
    }
    UINT64 pages = (size + PAGE - 1) / PAGE;
    st = alloc_low(pages, &ld->bundle);
    if (EFI_ERROR(st)) {
        Print(L"hvboot: cannot allocate %lu bytes below 4 GiB for bundle.cpio: %r\n", size, st);
        ld->bundle = 0;
        goto out;
    }
    ld->bundle_size = size;
    ld->bundle_pages = pages;
    st = read_at(fh, L"bundle.cpio", 0, (void *)(UINTN)ld->bundle, size);
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

/* edk2's FDT client protocol (EmbeddedPkg/Include/Protocol/FdtClient.h). QEMU's ArmVirt
 * firmware installs the DTB in the configuration table only when it does not expose ACPI;
 * with ACPI (QEMU's default for -M virt) the device tree is still there, behind this
 * protocol. Only its first member is used here. */
static EFI_GUID fdt_client_guid = { 0xe11faca0, 0x4710, 0x4c8e,
                                    { 0xa7, 0xa2, 0x01, 0xba, 0xa2, 0x59, 0x1b, 0x4c } };
struct fdt_client {
    EFI_STATUS (*get_node_property)(struct fdt_client *self, INT32 node, const CHAR8 *name,
                                    const void **prop, UINT32 *size);
};

/* The protocol hands out pointers into its blob, not the blob: find the header by walking
 * back from the root's "compatible" property to an 8-byte aligned FDT header whose root
 * "compatible" is exactly that property. */
static void *dtb_from_fdt_client(void)
{
    struct fdt_client *fc;
    const void *prop;
    UINT32 size;

    if (EFI_ERROR(BS->LocateProtocol(&fdt_client_guid, NULL, (void **)&fc)) ||
        EFI_ERROR(fc->get_node_property(fc, 0, (const CHAR8 *)"compatible", &prop, &size)))
        return NULL;
    for (UINTN a = (UINTN)prop & ~(UINTN)7, n = 0; a >= 8 && n < 0x100000; a -= 8, n += 8) {
        const void *fdt = (const void *)a;
        int len;
        if (fdt_magic(fdt) == FDT_MAGIC && fdt_check_header(fdt) == 0 &&
            fdt_getprop(fdt, 0, "compatible", &len) == prop)
            return (void *)fdt;
    }
    return NULL;
}

static EFI_STATUS load_dtb(struct loaded *ld)
{
    void *fw = NULL;
    const CHAR16 *from = L"the EFI configuration table";
    EFI_STATUS st = LibGetSystemConfigurationTable(&dtb_guid, &fw);

    if (EFI_ERROR(st) || !fw) {
        fw = dtb_from_fdt_client();
        from = L"edk2's FDT client protocol (the firmware exposes ACPI, not the DTB)";
    }
    if (!fw) {
        Print(L"hvboot: the firmware provides no device tree (no DTB in the EFI configuration "
              L"table, no edk2 FDT client protocol); the hv needs one\n");
        return EFI_NOT_FOUND;
    }
    int err = fdt_check_header(fw);
    if (err) {
        Print(L"hvboot: the firmware's device tree at 0x%lx is invalid: %a\n", (UINT64)(UINTN)fw,
              fdt_strerror(err));
        return EFI_LOAD_ERROR;
    }
    ld->dtb_size = (fdt_totalsize(fw) + DTB_SLACK + PAGE - 1) & ~(PAGE - 1);
    ld->dtb_pages = ld->dtb_size / PAGE;
    if (EFI_ERROR((st = alloc_low(ld->dtb_pages, &ld->pristine))) ||
        EFI_ERROR((st = alloc_low(ld->dtb_pages, &ld->dtb)))) {
        Print(L"hvboot: cannot allocate %lu bytes for the device tree: %r\n", ld->dtb_size, st);
        return st;
    }
    err = fdt_open_into(fw, (void *)(UINTN)ld->pristine, ld->dtb_size);
    if (err) {
        Print(L"hvboot: copying the firmware's device tree: %a\n", fdt_strerror(err));
        return EFI_LOAD_ERROR;
    }
    uart_base = find_uart((void *)(UINTN)ld->pristine);
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

extern void __attribute__((noreturn))
hvboot_enter(UINT64 entry, UINT64 dtb, const struct range *flush, UINT64 n);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    EFI_LOADED_IMAGE *li;
    EFI_FILE_IO_INTERFACE *fs;
    EFI_FILE_HANDLE root, dir;
    static CHAR16 dirname[512];
    static struct loaded ld;
    static struct memmap map;
    EFI_STATUS st;
    UINT64 el;
    int fdt_err;
    const char *why;

    InitializeLib(image, systab);
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
    Print(L"hvboot: UEFI loader for the hv (running at EL%lu)\n", (el >> 2) & 3);
    if (((el >> 2) & 3) != 2) {
        Print(L"hvboot: the firmware runs at EL%lu; the hv must be entered at EL2 (QEMU: "
              L"-M virt,virtualization=on)\n", (el >> 2) & 3);
        return EFI_UNSUPPORTED;
    }

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

    st = load_hv(dir, dirname, &ld);
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
        uart_puts("hvboot: after ExitBootServices, building the hv's device tree failed: ");
        uart_puts(why);
        uart_puts(fdt_err ? ": " : "");
        uart_puts(fdt_err ? fdt_strerror(fdt_err) : "");
        uart_puts("\nhvboot: halted\n");
        for (;;)
            __asm__ volatile("wfi");
    }
    static struct range flush[3];
    flush[0] = (struct range){ ld.hv, ld.hv + ld.hv_pages * PAGE };
    flush[1] = (struct range){ ld.bundle, ld.bundle + ld.bundle_size };
    flush[2] = (struct range){ ld.dtb, ld.dtb + ld.dtb_size };
    hvboot_enter(ld.entry, ld.dtb, flush, 3);

fail:
    if (map.buf)
        FreePool(map.buf);
    free_loaded(&ld);
    return st;
}
