/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* verb_util.h - what every offline verb shares: one-line errors, getopt reset, JSON output. */
#ifndef AGT_VERB_UTIL_H
#define AGT_VERB_UTIL_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* "agtrace-bpf: <msg>" on stderr (and {"error": msg} on stdout with json); returns 1. */
int verb_error(bool json, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last getopt failure as one of our error lines; returns 1. */
int verb_bad_option(const char *verb, char **argv, bool json);
/* Before a verb's getopt_long loop: start over, and no getopt messages of its own. */
void verb_reset_getopt(void);
/* o as one line on stdout; 0, or 1 (with an error line) if o is NULL or cannot be printed. */
int verb_print_json(const cJSON *o, bool json);

#endif
