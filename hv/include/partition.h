/* Partition life cycle: create from config, start, stop, reset; vcpu power. */
#ifndef HV_PARTITION_H
#define HV_PARTITION_H

#include "config.h"
#include "hv.h"

struct disk;
int part_create(struct partition *p, unsigned id, const struct part_config *pc, struct disk *disk);
/* Stop every vcpu of the partition for good and say why; the others keep running. */
void part_stop(struct partition *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reload the image and device tree and start again at vcpu 0 (guest asked for a reset).
 * Concurrent requests collapse into one; see the protocol in hv/partition.c. */
void part_reset(struct partition *p);
/* The vcpu turns itself off; if it was the last one on, the partition stops. */
void part_vcpu_off(struct vcpu *v);
/* Start vcpu 'target' at entry (guest's CPU_ON); returns 0 or a negative PSCI-style error. */
int part_vcpu_on(struct partition *p, unsigned target, gpaddr_t entry, uint64_t context);
bool part_all_stopped(void);

#endif
