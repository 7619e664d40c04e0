/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* abi.h - the kernel/user ABI (bpf/agtrace.h) with the fixed-width types it expects. */
#ifndef AGT_ABI_H
#define AGT_ABI_H

#include <linux/types.h>

#include "agtrace.h"

#endif
