/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * blame.h - the seed's AnalyzeTrace / BlameResult over a span tree: critical path, duration
 * hotspots (self time), token hotspots, error chains with syscall evidence, where each agent's
 * wall time went, and the summary.
 *
 * critical_duration is the time on the critical path spent in spans below the root (LLM calls,
 * tools, processes, connections); the rest of the end-to-end time is the root's own.
 * An error chain starts at a failing span with no failing descendant (the leaf) and climbs to
 * the root; its evidence is the leaf process's last failed syscalls (spanbuild.h says which
 * noise is left out), or the leaf's first failing process for a tool call.
 */
#ifndef AGT_BLAME_H
#define AGT_BLAME_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "spantree.h"

#define BLAME_TOP      10 /* hotspots kept (JSON) */
#define BLAME_TOP_TEXT 5  /* hotspots shown in text */
#define BLAME_CHAINS   10 /* error chains shown (the rest counted) */

struct blame_entry {
	const struct span_node *node;
	double pct;
	int rank;
	uint64_t value; /* self time (ns) or tokens */
};

struct blame_chain {
	const struct span_node **path; /* leaf first, root last */
	size_t npath;
	const struct sb_span *evidence_of; /* the process whose failures are the evidence */
};

struct blame_result {
	const struct span_tree *tree;
	uint64_t critical_duration;
	struct blame_entry hot_dur[BLAME_TOP], hot_tok[BLAME_TOP];
	size_t nhot_dur, nhot_tok;
	struct blame_chain chains[BLAME_CHAINS];
	size_t nchains, chains_total;
	double critical_path_pct;
};

/* 0 or -ENOMEM; release with blame_release. */
int blame_analyze(struct blame_result *r, const struct span_tree *t);
void blame_release(struct blame_result *r);

void blame_print(FILE *out, const struct blame_result *r);
cJSON *blame_json(const struct blame_result *r);

#endif
