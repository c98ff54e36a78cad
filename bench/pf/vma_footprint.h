/* SPDX-License-Identifier: GPL-2.0 */
/* pfbench vma-footprint: kernel memory per VMA, from /proc/slabinfo. */
#ifndef PF_VMA_FOOTPRINT_H
#define PF_VMA_FOOTPRINT_H

#include <stdbool.h>

/* Returns the process exit status (0, 1 error, 2 bad arguments). */
int vma_footprint_run(long k, bool k_given, bool json);

#endif
