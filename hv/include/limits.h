/* Static limits: everything the hv holds is sized at build time. */
#ifndef HV_LIMITS_H
#define HV_LIMITS_H

#define HV_MAX_CPUS 8        /* physical CPUs */
#define HV_MAX_PARTITIONS 8
#define HV_MAX_VCPUS 4       /* per partition */
#define HV_MAX_WINDOWS 8     /* schedule windows per physical CPU */
#define HV_LABEL_MAX 16      /* partition label, including NUL */
#define HV_NAME_MAX 64       /* bundle member name, including NUL */
#define HV_BOOTARGS_MAX 256
#define HV_CONFIG_MAX 65536  /* config.dtb, bytes */
#define HV_MAX_MMIO 8        /* emulated MMIO regions per partition */
#define HV_MAX_DEVS 4        /* paravirtual devices per partition */

#endif
