/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * evfmt.h - one recorded event as one text line (seed FormatReplayEvent):
 *   "#SEQ +S.UUUUUU [pid N] <what>"
 * syscall: name(args) = result <duration>, as the tracer's text; process: "fork (parent P)",
 * "exec FILENAME [argv]", "exit CODE" / "exit killed by SIG"; llm_response: "LLM model in→out
 * tokens N ms STATUS ..."; context_snapshot: "context N messages, system prompt X chars (api
 * model)"; state_change: "state FROM → TO (reason)"; lost: "lost N events"; http: "HTTP METHOD
 * PATH STATUS"; anything else: its type. "[pid N] " is left out when the event has no pid.
 */
#ifndef AGT_EVFMT_H
#define AGT_EVFMT_H

#include <stdbool.h>
#include <stdio.h>

#include "recording.h"

#define EVFMT_STRSIZE 50 /* bytes of a string argument before "..." (the tracer's -s default) */

/* Writes the line (with '\n') for event index idx; verbose adds the raw JSON on a second line. */
void evfmt_print(const struct recording *rec, size_t idx, bool verbose, FILE *out);

/*
 * The "<what>" part alone for a parsed event of the given type. line (len bytes, or NULL) is the
 * raw JSON that ev was parsed from: string arguments are shown from their bytes there, NULs
 * included, where cJSON's strings end at the first NUL.
 */
void evfmt_what(const cJSON *ev, const char *line, size_t len, enum rec_type type, FILE *out);

#endif
