/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * capspec.h - which user memory the kernel side captures for each syscall, derived from the
 * syscall table's argument types (one nibble per argument, enum agt_cap_kind).
 */
#ifndef AGT_CAPSPEC_H
#define AGT_CAPSPEC_H

#include <linux/types.h>
#include <stdbool.h>

#include "syscall_table.h"

/*
 * The spec for one syscall. `at_entry` moves string captures to syscall entry: needed where the
 * memory is gone by exit (execve replaces the image). At most AGT_CAP_MAX items are encoded.
 */
__u32 capspec_for(const struct sc_desc *d, bool at_entry);
/*
 * Fills spec[0..n) for the native table. Without `bufs`, read/write buffer data is not captured
 * (reading user memory costs ~140 ns a call on the VMs measured; -s 0 opts out of it).
 */
void capspec_fill(__u32 *spec, int n, bool bufs);

#endif
