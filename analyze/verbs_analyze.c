// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * verbs_analyze.c - command lines of the analyzers: tree, blame, stats (growth and ctx in
 * verbs_context.c). Each reads the recording in one streaming pass (analysis.h) and prints
 * text, or with --json one object.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "blame.h"
#include "outbuf.h"
#include "spantree.h"
#include "summary.h"
#include "syscall_table.h"
#include "verb_util.h"
#include "verbs.h"

enum {
	OPT_JSON = 0x100,
	OPT_OUTPUT_DIR,
	OPT_VERBOSE,
	OPT_MODELS,
};

static int analyze_open(const char *verb, const char *rec, const char *base, bool json,
			const struct an_opts *o, struct analysis *a)
{
	struct rec_err err;

	if (!rec)
		return verb_error(json, "%s: no recording given (see %s --help)", verb, verb);
	if (analysis_run(a, rec, base, o, &err)) {
		analysis_release(a);
		return verb_error(json, "%s", err.msg);
	}
	if (a->meta.incomplete)
		fprintf(stderr,
			"agtrace-bpf: warning: %s: recording incomplete (status \"recording\": the "
			"tracer is still running or was killed); reading what was flushed\n",
			a->dir);
	if (a->res.warning[0])
		fprintf(stderr, "agtrace-bpf: warning: %s\n", a->res.warning);
	if (a->lost || a->meta.lost_events)
		fprintf(stderr,
			"agtrace-bpf: warning: %s: %llu events were lost while recording: counts "
			"and spans may miss them\n",
			a->dir,
			(unsigned long long)(a->meta.lost_events > a->lost ? a->meta.lost_events
									   : a->lost));
	return 0;
}

/* The options every analyzer takes; returns -1 to go on, else the exit code. */
struct common {
	const char *verb, *usage, *rec, *base, *models;
	bool json, verbose;
};

static int parse_common(struct common *c, int argc, char **argv, const char *shortopts,
			const struct option *extra, int (*on_extra)(void *, int, const char *),
			void *ctx)
{
	struct option opts[16] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
	    {"verbose", no_argument, NULL, OPT_VERBOSE},
	    {"models", required_argument, NULL, OPT_MODELS},
	    {"help", no_argument, NULL, 'h'},
	};
	int n = 5, opt;

	for (int i = 0; extra && extra[i].name && n < 15; i++)
		opts[n++] = extra[i];
	opts[n] = (struct option){0};
	for (int i = 1; i < argc; i++) /* errors as JSON when --json is anywhere */
		if (!strcmp(argv[i], "--json"))
			c->json = true;
	verb_reset_getopt();
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_OUTPUT_DIR:
			c->base = optarg;
			break;
		case 'v':
		case OPT_VERBOSE:
			c->verbose = true;
			break;
		case OPT_MODELS:
			c->models = optarg;
			break;
		case 'h':
			fputs(c->usage, stdout);
			return 0;
		default:
			if (on_extra && opt != '?') {
				int r = on_extra(ctx, opt, optarg);

				if (r >= 0)
					return r;
				break;
			}
			return verb_bad_option(c->verb, argv, c->json);
		}
	}
	if (optind < argc)
		c->rec = argv[optind++];
	if (optind < argc)
		return verb_error(c->json, "%s: unexpected argument \"%s\" (see %s --help)",
				  c->verb, argv[optind], c->verb);
	if (!c->rec)
		return verb_error(c->json, "%s: no recording given (see %s --help)", c->verb,
				  c->verb);
	return -1;
}

/* ---- tree ---- */

static const char tree_usage[] =
    "Usage: agtrace-bpf tree REC [--verbose] [--json]\n"
    "The span tree of a recording, rebuilt from its events: processes (by command line), LLM\n"
    "calls, tool calls (execute_tool NAME, with the processes that ran them) and TCP connections\n"
    "no LLM call explains; children by start time, each with duration, syscalls, tokens and\n"
    "status, under a header with the trace's totals.\n"
    "\n"
    "  -v, --verbose       span events too: failed syscalls (noise removed), signals, tool args\n"
    "  --json              the span tree as one JSON object (seed SpanTree)\n"
    "  --output-dir DIR    where record ids are looked up\n"
    "\n"
    "Examples:\n"
    "  agtrace-bpf tree 4242-20261202-101500\n"
    "  agtrace-bpf tree ./agtrace-recordings/4242-20261202-101500 --json | jq .metadata\n";

int verb_tree(int argc, char **argv)
{
	struct common c = {.verb = "tree", .usage = tree_usage};
	struct analysis a;
	struct span_tree t;
	int ret = parse_common(&c, argc, argv, "vh", NULL, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (analyze_open(c.verb, c.rec, c.base, c.json, NULL, &a))
		return 1;
	if (span_tree_build(&t, a.trace_id, a.spans, a.nspans)) {
		analysis_release(&a);
		return verb_error(c.json, "out of memory");
	}
	if (c.json) {
		cJSON *o = span_tree_json(&t, c.verbose);

		ret = verb_print_json(o, true);
		cJSON_Delete(o);
	} else {
		span_tree_print(stdout, &t, c.verbose);
		ret = 0;
	}
	span_tree_release(&t);
	analysis_release(&a);
	return ret;
}

/* ---- blame ---- */

static const char blame_usage[] =
    "Usage: agtrace-bpf blame REC [--json]\n"
    "Where the time, the tokens and the failures of a recording came from: the critical path\n"
    "(the chain of spans that decided the end time), duration hotspots by self time, token\n"
    "hotspots, error chains from the failing leaf to the root with the failed syscalls that\n"
    "preceded the failure (PATH-search and dynamic-loader noise removed), where each agent's\n"
    "wall time went (LLM, tools, file and network I/O, other syscalls, CPU), and a summary.\n"
    "\n"
    "  --json              one JSON object (seed BlameResult)\n"
    "  --output-dir DIR    where record ids are looked up\n";

int verb_blame(int argc, char **argv)
{
	struct common c = {.verb = "blame", .usage = blame_usage};
	struct blame_result r;
	struct analysis a;
	struct span_tree t;
	int ret = parse_common(&c, argc, argv, "h", NULL, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (analyze_open(c.verb, c.rec, c.base, c.json, NULL, &a))
		return 1;
	if (span_tree_build(&t, a.trace_id, a.spans, a.nspans)) {
		analysis_release(&a);
		return verb_error(c.json, "out of memory");
	}
	if (blame_analyze(&r, &t)) {
		ret = verb_error(c.json, "out of memory");
	} else if (c.json) {
		cJSON *o = blame_json(&r);

		ret = verb_print_json(o, true);
		cJSON_Delete(o);
	} else {
		blame_print(stdout, &r);
		ret = 0;
	}
	blame_release(&r);
	span_tree_release(&t);
	analysis_release(&a);
	return ret;
}
