/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * models.h - context window and list price per model family (analyze/data/models.tsv).
 *
 * The table is compiled into the binary (the Makefile turns models.tsv into a C string), so no
 * runtime path is needed; a user file in the same format overrides it family by family. `growth`
 * takes its default budget from the window, `stats` its cost estimate from the prices.
 *
 * Format: one family a line, "family window usd_in_per_mtok usd_out_per_mtok" separated by tabs
 * or spaces; "-" is unknown (window 0, or priced false); '#' starts a comment line; blank lines
 * are ignored.
 */
#ifndef AGT_MODELS_H
#define AGT_MODELS_H

#include <stdbool.h>
#include <stddef.h>

#include "rec_err.h"

/* The budget when neither --budget nor the table knows the model's window. */
#define MODELS_DEFAULT_WINDOW 128000

struct model_info {
	const char *family;
	long context_window; /* 0: unknown */
	double usd_in_per_mtok, usd_out_per_mtok;
	bool priced; /* false: either price was "-" (both read as 0) */
};

struct models;

/*
 * The built-in table, then (path non-NULL) the rows of path on top: a row whose family equals a
 * built-in one (case-insensitively) replaces it, others are added. Returns NULL on a bad or
 * unreadable file with err "<path>:<line>: <what>" (or "<path>: <strerror>"), or on no memory
 * ("models: out of memory"). Free with models__free.
 */
struct models *models__new(const char *path, struct rec_err *err);

/*
 * The row whose family is the longest case-insensitive prefix of model, trying model itself and
 * the part after its last '/' ("openai/gpt-4o" -> gpt-4o). NULL for an unknown model (or m or
 * model NULL). The result lives as long as m.
 */
const struct model_info *models_lookup(const struct models *m, const char *model);

/* Number of rows (built-in and user). */
size_t models_count(const struct models *m);

/* Accepts NULL. */
void models__free(struct models *m);

#endif
