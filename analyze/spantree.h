/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * spantree.h - the seed's SpanTree over the spans of one recording: BuildSpanTree (children by
 * start time), TraceMetadata, self time, the critical path, and FormatTraceTree (text and JSON).
 *
 * Several roots (-p with several pids, or a process whose parent was never seen) hang under
 * one virtual root spanning the whole trace, so every walk starts at one node.
 */
#ifndef AGT_SPANTREE_H
#define AGT_SPANTREE_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "spanbuild.h"

struct span_node {
	const struct sb_span *span; /* NULL for the virtual root */
	struct span_node *parent;
	struct span_node **children; /* by start time */
	size_t nchildren;
	uint64_t start, end; /* the span's, or the virtual root's */
	uint64_t self;	     /* duration not covered by any child */
	uint64_t crit;	     /* time this node itself is on the critical path */
	bool on_path;
	int depth;
};

struct trace_meta {
	size_t total_spans;
	long long total_tokens; /* sum over LLM spans */
	uint64_t total_duration, start, end;
	size_t error_count; /* spans with status ERROR or TIMEOUT */
};

struct span_tree {
	char trace_id[33];
	struct span_node *root; /* the only root, or the virtual one */
	struct span_node *nodes;
	size_t nnodes;
	struct trace_meta meta;
	struct span_node **path; /* the critical path, in time order */
	size_t npath;
};

/* Builds the tree over spans[0..n) (which must outlive it). 0 or -ENOMEM. */
int span_tree_build(struct span_tree *t, const char *trace_id, const struct sb_span *spans,
		    size_t n);
void span_tree_release(struct span_tree *t);

/* Depth-first, children by start time; fn gets depth 0 for the root. */
void span_tree_walk(const struct span_tree *t, void (*fn)(void *ctx, const struct span_node *n),
		    void *ctx);

/* "1.234 s", "12.3 ms", "45 µs" */
void fmt_duration(char *buf, size_t n, uint64_t ns);
/* The node's display name ("(trace)" for the virtual root). */
const char *span_node_name(const struct span_node *n);

#define SPAN_LABEL_MAX 80
/* name for a text line: cut to SPAN_LABEL_MAX - 1 bytes with "..." (on a UTF-8 boundary) in
 * buf when longer; JSON keeps names whole. Returns name or buf. */
const char *span_label(const char *name, char buf[SPAN_LABEL_MAX]);

/* FormatTraceTree: header, then one line per span; verbose adds span events. */
void span_tree_print(FILE *out, const struct span_tree *t, bool verbose);
/* The seed's SpanTree as JSON: trace_id, metadata, root {span..., children: [...]}. */
cJSON *span_tree_json(const struct span_tree *t, bool verbose);
/* One span as a JSON object (the fields of spans.jsonl). */
cJSON *span_json(const struct sb_span *sp, const char *trace_id);

#endif
