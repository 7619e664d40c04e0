/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* opts.h - the tracing command line (DESIGN.md §2), parsed without side effects. */
#ifndef AGT_OPTS_H
#define AGT_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "abi.h"

#define OPTS_MAX_PIDS	     64
#define OPTS_DEFAULT_STRSIZE 50
#define OPTS_STRSIZE_ALL     (-1) /* -v: no cut (up to what the kernel side captures) */
#define OPTS_DEFAULT_BUFSIZE (16u << 20)
#define OPTS_DEFAULT_TLS_MAX (4u << 20)

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct opts {
	pid_t pids[OPTS_MAX_PIDS];
	int npids;
	char **cmd; /* COMMAND ARGS (points into argv), NULL with -p */
	const char *outfile;
	bool json;
	bool failed_only; /* -Z */
	bool verbose;	  /* -v */
	bool summary;	  /* -c */
	bool follow;	  /* false with --no-follow */
	bool quiet;	  /* -q */
	bool force_raw_tp;
	bool no_tls;			  /* --no-tls */
	bool http;			  /* --http: print every HTTPS exchange */
	unsigned long long tls_max_bytes; /* --tls-max-bytes */
	bool record;			  /* -r, or the `record` verb */
	bool no_live;			  /* the `record` verb: no live lines */
	const char *output_dir;		  /* --output-dir */
	const char *intent;		  /* --intent */
	int strsize; /* -s N (0: no data captured), OPTS_DEFAULT_STRSIZE; -v: OPTS_STRSIZE_ALL */
	enum color_mode color;
	double duration;       /* -d seconds, 0 = until the target exits */
	unsigned long bufsize; /* --buffer-size, a power of two */
	bool trace_all;	       /* no -e trace= */
	uint64_t nrmask[AGT_NR_WORDS];
};

/*
 * Parses argv into o. On error writes one line to err (size errlen) and returns -EINVAL;
 * returns 1 for --help/--version (already printed to stdout), 0 otherwise.
 */
int opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen);
/* Parses an -e trace= set ("open,%file,!read", "/regex") into o->nrmask; 0 or -EINVAL. */
int opts_trace_set(struct opts *o, const char *set, char *err, size_t errlen);
/* "16M", "4096K", "1048576", "1G" -> bytes; -EINVAL if malformed or not a power of two >= 4K. */
int opts_parse_size(const char *s, unsigned long *out);
bool opts_nr_traced(const struct opts *o, int nr);
void opts_usage(FILE *f);

#endif
