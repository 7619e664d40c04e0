/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* tracer.h - load, configure and attach the BPF programs, then consume records until done. */
#ifndef AGT_TRACER_H
#define AGT_TRACER_H

#include "launch.h"
#include "opts.h"

/*
 * Runs a whole trace. `l` is the gated COMMAND (NULL with -p). Returns the process exit code:
 * the command's status with a COMMAND, 0 after a clean -p trace, 1 on error (one line printed).
 */
int tracer_run(const struct opts *o, struct launch *l);

#endif
