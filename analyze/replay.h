/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * replay.h - stepping through a recording (seed ReplaySession): a cursor over the event index
 * that starts before the first event (-1), and the command language of `agtrace-bpf replay`:
 *
 *   n|next  p|prev  g|goto SEQ  l|list [K]  c|current  show [SEQ]  d|diff SEQ [SEQ]
 *   f|fork [SEQ] [-o FILE] [--as-request]  s|summary  h|help  q|quit
 *
 * Output goes to `out`, errors (one line, "agtrace-bpf: ...") to `err`.
 */
#ifndef AGT_REPLAY_H
#define AGT_REPLAY_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "recording.h"
#include "snapshot.h"

#define REPLAY_LIST_DEFAULT 5
#define REPLAY_QUIT	    1

struct replay {
	const struct recording *rec;
	struct snapfinder *sf;
	ssize_t cursor; /* event index; -1 before the first */
	FILE *out;
	FILE *err;
};

/* NULL on ENOMEM. rec must outlive the session. */
struct replay *replay__new(const struct recording *rec, FILE *out, FILE *err);
void replay__free(struct replay *s);

/* Cursor moves. Return 0, or -ENOENT (end reached / at the first event / no such seq: the
 * cursor stays where it was). */
int replay__next(struct replay *s);
int replay__prev(struct replay *s);
int replay__goto(struct replay *s, uint64_t seq);

/* FormatReplayList: events [cursor-k, cursor+k], the cursor's line marked "► ", the others
 * indented by two spaces; before the first event, a "► (before the first event)" line and the
 * first k events. */
void replay_list(const struct replay *s, size_t k);

/* FormatReplaySummary. record_id and intent are escaped (quote_line): one line each. */
void replay_summary(const struct replay *s);

/*
 * Runs one command line. Returns 0, REPLAY_QUIT, or -errno for a command that failed (its error
 * line already written to err). Blank lines and lines starting with '#' are no-ops.
 */
int replay__exec(struct replay *s, const char *line);

#endif
