/* The configuration schema (see config_schema.h). Host-buildable, like the parser. */
#include <string.h>

#include "config_schema.h"
#include "arch_types.h"
#include "limits.h"

#define NONE 0, 0, 0, NULL
#define ANY_U64 0, UINT64_MAX

const struct cfg_prop cfg_schema[] = {
    { CFG_HYPERVISOR, "console-input", CFG_LABEL, false, 1, HV_LABEL_MAX - 1, 0, NULL, 0, NULL,
      "label of the partition that gets console input first (default: the first)" },
    { CFG_HYPERVISOR, "compatible", CFG_STRING, false, 0, 255, 0, NULL, 0, NULL,
      "ignored (a DT convention)" },
    { CFG_HYPERVISOR, "#address-cells", CFG_CELLS, false, 1, 1, 0, NULL, 0, NULL,
      "ignored (a DT convention)" },
    { CFG_HYPERVISOR, "#size-cells", CFG_CELLS, false, 1, 1, 0, NULL, 0, NULL,
      "ignored (a DT convention)" },
    { CFG_HYPERVISOR, "partition", CFG_NODE, true, NONE, CFG_PARTITION, NULL,
      "one node per partition (`partition@N`), at least one" },

    { CFG_PARTITION, "label", CFG_LABEL, true, 1, HV_LABEL_MAX - 1, 0, NULL, 0, NULL,
      "name used in messages and as the console tag; letters, digits, `-`, `_`" },
    { CFG_PARTITION, "cpus", CFG_CELLS, true, 1, HV_MAX_VCPUS, 0, NULL, 0, NULL,
      "physical CPU indices (0 = boot CPU); vcpu i runs on cpus[i]" },
    { CFG_PARTITION, "memory-size", CFG_U64, true, MIB(2), UINT64_MAX, MIB(2), "bytes", 0, NULL,
      "RAM of the partition, `<hi lo>`, a multiple of 2 MiB" },
    { CFG_PARTITION, "memory-base", CFG_U64, false, ANY_U64, MIB(2), "bytes", 0, NULL,
      "host physical base, 2 MiB aligned; otherwise the hv places it" },
    { CFG_PARTITION, "image", CFG_STRING, true, 1, HV_NAME_MAX - 1, 0, NULL, 0, NULL,
      "bundle member to boot (arm64: an Image; x86_64: a bzImage); must fit with its load "
      "offset and the 64 KiB boot description" },
    { CFG_PARTITION, "bootargs", CFG_STRING, false, 0, HV_BOOTARGS_MAX - 1, 0, NULL, 0, NULL,
      "the guest's command line (arm64: `/chosen/bootargs`)" },
    { CFG_PARTITION, "initrd", CFG_STRING, false, 1, HV_NAME_MAX - 1, 0, NULL, 0, NULL,
      "bundle member handed to the guest as its initrd; non-empty, must fit with the image" },
    { CFG_PARTITION, "virtio-console", CFG_FLAG, false, NONE, 0, NULL,
      "give it a virtio-console" },
    { CFG_PARTITION, "reg", CFG_CELLS, false, 0, 4, 0, NULL, 0, NULL,
      "ignored (the unit address of `partition@N`)" },
    { CFG_PARTITION, "block", CFG_NODE, false, NONE, CFG_BLOCK, NULL,
      "a virtio-blk device backed by a slice of the physical disk" },
    { CFG_PARTITION, "schedule", CFG_NODE, false, NONE, CFG_SCHEDULE, NULL,
      "its window when CPUs are time-shared" },

    { CFG_BLOCK, "start-sector", CFG_U64, true, ANY_U64, 0, "sectors", 0, NULL,
      "first sector of the slice (512-byte sectors)" },
    { CFG_BLOCK, "sectors", CFG_U64, true, 1, UINT64_MAX, 0, "sectors", 0, NULL,
      "length of the slice; it must end inside the disk" },
    { CFG_BLOCK, "read-only", CFG_FLAG, false, NONE, 0, NULL,
      "writes get VIRTIO_BLK_S_IOERR; read-only slices may overlap" },

    { CFG_SCHEDULE, "window-us", CFG_U64, true, 100, 1000000, 0, "us", 0, NULL,
      "its window in the major frame of a shared CPU" },
};
const unsigned cfg_schema_len = sizeof(cfg_schema) / sizeof(cfg_schema[0]);

const char *cfg_node_name(enum cfg_node n)
{
    static const char *const names[CFG_NR_NODES] = { "hypervisor", "partition", "block",
                                                     "schedule" };
    return n < CFG_NR_NODES ? names[n] : "?";
}

const struct cfg_prop *cfg_lookup(enum cfg_node in, const char *name)
{
    for (unsigned i = 0; i < cfg_schema_len; i++) {
        const struct cfg_prop *s = &cfg_schema[i];
        size_t n = strlen(s->name);
        if (s->in != in || strncmp(name, s->name, n) != 0)
            continue;
        if (name[n] == '\0' || (s->kind == CFG_NODE && name[n] == '@'))
            return s;
    }
    return NULL;
}

bool cfg_on_this_arch(const struct cfg_prop *s)
{
    const char *a = s->arches;
    size_t n = strlen(ARCH_NAME);

    if (!a)
        return true;
    for (; *a; a++)
        if ((a == s->arches || a[-1] == ' ') && strncmp(a, ARCH_NAME, n) == 0 &&
            (a[n] == ' ' || a[n] == '\0'))
            return true;
    return false;
}
