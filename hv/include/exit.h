/* Handling of the generic exit records arch_vcpu_run() returns. */
#ifndef HV_EXIT_H
#define HV_EXIT_H

#include "hv.h"

void exit_handle(struct vcpu *v, const struct vm_exit *e);

#endif
