/* The configuration schema: every node and property a config.dtb may hold, with its type,
 * range and whether it is required. The parser checks every property against this table
 * before it reads any value, hvcheck prints it, and the README's reference is made from it,
 * so a property cannot exist without being validated. */
#ifndef HV_CONFIG_SCHEMA_H
#define HV_CONFIG_SCHEMA_H

#include "types.h"

enum cfg_node { CFG_HYPERVISOR, CFG_PARTITION, CFG_BLOCK, CFG_SCHEDULE, CFG_NR_NODES };

enum cfg_kind {
    CFG_FLAG,    /* present or absent, no value */
    CFG_STRING,  /* one NUL-terminated string; min/max bound its length */
    CFG_LABEL,   /* a string of [A-Za-z0-9_-]; min/max bound its length */
    CFG_U64,     /* one cell or <hi lo>; min/max bound the value, align divides it */
    CFG_CELLS,   /* a list of 32-bit cells; min/max bound how many */
    CFG_NODE,    /* a child node 'name' or 'name@unit'; 'node' says which kind */
};

struct cfg_prop {
    enum cfg_node in;        /* the node it may appear in */
    const char *name;
    enum cfg_kind kind;
    bool required;
    uint64_t min, max;
    uint64_t align;          /* CFG_U64: the value is a multiple of this (0: any) */
    const char *unit;        /* what the number counts, for messages ("bytes", "us") */
    enum cfg_node node;      /* CFG_NODE: the kind of node it opens */
    const char *arches;      /* space-separated architectures; NULL: every one */
    const char *doc;         /* one line for the README's reference */
};

extern const struct cfg_prop cfg_schema[];
extern const unsigned cfg_schema_len;

/* The node kind's name as a user writes it ("hypervisor", "partition", "block", ...). */
const char *cfg_node_name(enum cfg_node n);
/* The entry for property or child node 'name' (with or without @unit) inside node 'in'. */
const struct cfg_prop *cfg_lookup(enum cfg_node in, const char *name);
/* Is the entry available on the architecture the hv was built for? */
bool cfg_on_this_arch(const struct cfg_prop *s);

#endif
