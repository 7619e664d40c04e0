// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * verbs_analyze.c - command lines of the analyzers: tree, blame, stats, growth, ctx. Each reads
 * the recording in one streaming pass (analysis.h) and prints text, or with --json one object.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "blame.h"
#include "ctxprof.h"
#include "growth.h"
#include "llmstats.h"
#include "models.h"
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
	OPT_BUDGET,
	OPT_MAX_STEPS,
	OPT_AT,
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

/* The recording's spans and their tree; 0, or 1 after an error line (nothing left to free). */
static int open_tree(const struct common *c, struct analysis *a, struct span_tree *t)
{
	if (analyze_open(c->verb, c->rec, c->base, c->json, NULL, a))
		return 1;
	if (span_tree_build(t, a->trace_id, a->spans, a->nspans)) {
		analysis_release(a);
		return verb_error(c->json, "out of memory");
	}
	return 0;
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
	if (open_tree(&c, &a, &t))
		return 1;
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

/* What the figures above cannot include: processes whose TLS the tracer could not see. */
static void print_blind(FILE *out, const struct analysis *a)
{
	if (!a->nblind)
		return;
	fprintf(out,
		"\nblind spots: %zu process%s talked TLS the tracer could not see; %s LLM calls are "
		"missing from the figures above:\n",
		a->nblind, a->nblind == 1 ? "" : "es", a->nblind == 1 ? "its" : "their");
	for (size_t i = 0; i < a->nblind; i++)
		fprintf(out, "  pid %d %s: %s\n", a->blind[i].pid,
			a->blind[i].binary ? a->blind[i].binary : "?",
			a->blind[i].why ? a->blind[i].why : "?");
}

static cJSON *blind_json(const struct analysis *a)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < a->nblind; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o)
			break;
		cJSON_AddNumberToObject(o, "pid", a->blind[i].pid);
		if (a->blind[i].binary)
			cJSON_AddStringToObject(o, "binary", a->blind[i].binary);
		if (a->blind[i].tls)
			cJSON_AddStringToObject(o, "tls", a->blind[i].tls);
		else
			cJSON_AddNullToObject(o, "tls");
		if (a->blind[i].why)
			cJSON_AddStringToObject(o, "why", a->blind[i].why);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int verb_blame(int argc, char **argv)
{
	struct common c = {.verb = "blame", .usage = blame_usage};
	struct blame_result r;
	struct analysis a;
	struct span_tree t;
	int ret = parse_common(&c, argc, argv, "h", NULL, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (open_tree(&c, &a, &t))
		return 1;
	if (blame_analyze(&r, &t)) {
		ret = verb_error(c.json, "out of memory");
	} else if (c.json) {
		cJSON *o = blame_json(&r);

		if (o)
			cJSON_AddItemToObject(o, "blind_spots", blind_json(&a));
		ret = verb_print_json(o, true);
		cJSON_Delete(o);
	} else {
		blame_print(stdout, &r);
		print_blind(stdout, &a);
		ret = 0;
	}
	blame_release(&r);
	span_tree_release(&t);
	analysis_release(&a);
	return ret;
}
/* ---- stats ---- */

static const char stats_usage[] =
    "Usage: agtrace-bpf stats REC [--models FILE] [--json]\n"
    "Statistics of a recording: per syscall (calls, errors, total/avg/p50/p90/p99/max time: the\n"
    "table -c prints live), per process (lifetime, syscalls, errors, time in syscalls, tokens,\n"
    "status), and per model the LLM calls: tokens in/out, latency and time to first token\n"
    "p50/p90/p99, error rate by status, estimated cost.\n"
    "\n"
    "  --models FILE       model table (context windows, prices per 1M tokens) instead of the\n"
    "                      built-in one (analyze/data/models.tsv)\n"
    "  --json              one JSON object\n"
    "  --output-dir DIR    where record ids are looked up\n";

static int by_start_span(const void *x, const void *y)
{
	const struct sb_span *a = *(const struct sb_span *const *)x;
	const struct sb_span *b = *(const struct sb_span *const *)y;

	return a->start < b->start ? -1 : a->start > b->start ? 1 : a->pid - b->pid;
}

/* The process spans, by start time (caller frees). */
static const struct sb_span **process_spans(const struct analysis *a, size_t *n)
{
	const struct sb_span **v = calloc(a->nspans + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < a->nspans; i++)
		if (a->spans[i].kind == SB_PROCESS)
			v[(*n)++] = &a->spans[i];
	qsort(v, *n, sizeof(*v), by_start_span);
	return v;
}

static void print_events_line(FILE *out, const struct analysis *a)
{
	bool first = true;

	fprintf(out, "%llu events (", (unsigned long long)a->res.events);
	for (int t = 0; t < REC__NTYPES; t++) {
		if (!a->by_type[t])
			continue;
		fprintf(out, "%s%s %llu", first ? "" : ", ", rec_type_name(t),
			(unsigned long long)a->by_type[t]);
		first = false;
	}
	fprintf(
	    out, "), %llu lost\n",
	    (unsigned long long)(a->meta.lost_events > a->lost ? a->meta.lost_events : a->lost));
}

static int stats_text(const struct analysis *a, const struct sb_span **procs, size_t nprocs,
		      const struct llmstats *ls)
{
	struct outbuf *ob;
	int nstats = 0;

	printf("stats: recording %s\n", a->meta.record_id ? a->meta.record_id : a->dir);
	print_events_line(stdout, a);
	printf("\nsyscalls:\n");
	fflush(stdout);
	for (int nr = 0; nr < AGT_NR_MAX; nr++)
		if (a->sys[nr].count)
			nstats++;
	if (!nstats) {
		printf("  no syscalls in this recording\n");
	} else if ((ob = outbuf__new(STDOUT_FILENO, 1 << 16))) {
		summary_print(ob, a->sys, AGT_NR_MAX, false);
		outbuf__free(ob);
	}
	printf("\nprocesses:\n");
	printf("  %-8s %12s %10s %8s %12s %8s %-8s %s\n", "PID", "LIFETIME", "SYSCALLS", "ERRORS",
	       "IN SYSCALLS", "TOKENS", "STATUS", "COMMAND");
	for (size_t i = 0; i < nprocs; i++) {
		const struct sb_span *sp = procs[i];
		char life[32], in[32];

		fmt_duration(life, sizeof(life), sp->end - sp->start);
		fmt_duration(in, sizeof(in), sp->syscall_ns);
		printf("  %-8d %12s %10llu %8llu %12s %8lld %-8s %.80s\n", sp->pid, life,
		       (unsigned long long)sp->syscalls, (unsigned long long)sp->syscall_errors, in,
		       sp->tokens, sp->status, sp->name);
	}
	if (!nprocs)
		printf("  no processes in this recording\n");
	printf("\n");
	fflush(stdout);
	llmstats_print_text(stdout, ls);
	return 0;
}

static cJSON *stats_json(const struct analysis *a, const struct sb_span **procs, size_t nprocs,
			 const struct llmstats *ls)
{
	cJSON *o = cJSON_CreateObject(), *arr, *ev;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "record_id", a->meta.record_id ? a->meta.record_id : "");
	cJSON_AddNumberToObject(o, "events", (double)a->res.events);
	ev = cJSON_AddObjectToObject(o, "events_by_type");
	for (int t = 0; ev && t < REC__NTYPES; t++)
		if (a->by_type[t])
			cJSON_AddNumberToObject(ev, rec_type_name(t), (double)a->by_type[t]);
	cJSON_AddNumberToObject(
	    o, "lost_events",
	    (double)(a->meta.lost_events > a->lost ? a->meta.lost_events : a->lost));
	arr = cJSON_AddArrayToObject(o, "syscalls");
	for (int nr = 0; arr && nr < AGT_NR_MAX; nr++) {
		const struct agt_stat *st = &a->sys[nr];
		const char *name = sc_name(nr);
		cJSON *x;

		if (!st->count || !(x = cJSON_CreateObject()))
			continue;
		cJSON_AddStringToObject(x, "syscall", name ? name : "?");
		cJSON_AddNumberToObject(x, "nr", nr);
		cJSON_AddNumberToObject(x, "calls", (double)st->count);
		cJSON_AddNumberToObject(x, "errors", (double)st->errors);
		cJSON_AddNumberToObject(x, "total_ns", (double)st->total_ns);
		cJSON_AddNumberToObject(x, "avg_ns", (double)(st->total_ns / st->count));
		cJSON_AddNumberToObject(x, "p50_ns", (double)summary_percentile(st, 0.50));
		cJSON_AddNumberToObject(x, "p90_ns", (double)summary_percentile(st, 0.90));
		cJSON_AddNumberToObject(x, "p99_ns", (double)summary_percentile(st, 0.99));
		cJSON_AddNumberToObject(x, "max_ns", (double)st->max_ns);
		cJSON_AddItemToArray(arr, x);
	}
	arr = cJSON_AddArrayToObject(o, "processes");
	for (size_t i = 0; arr && i < nprocs; i++) {
		const struct sb_span *sp = procs[i];
		cJSON *x = cJSON_CreateObject();

		if (!x)
			break;
		cJSON_AddNumberToObject(x, "pid", sp->pid);
		cJSON_AddStringToObject(x, "name", sp->name);
		cJSON_AddNumberToObject(x, "lifetime", (double)(sp->end - sp->start));
		cJSON_AddNumberToObject(x, "syscalls", (double)sp->syscalls);
		cJSON_AddNumberToObject(x, "errors", (double)sp->syscall_errors);
		cJSON_AddNumberToObject(x, "syscall_time", (double)sp->syscall_ns);
		cJSON_AddNumberToObject(x, "tokens", (double)sp->tokens);
		cJSON_AddNumberToObject(x, "exit_code", sp->exit_code);
		cJSON_AddNumberToObject(x, "signal", sp->signal);
		cJSON_AddStringToObject(x, "status", sp->status);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON_AddItemToObject(o, "llm", llmstats_to_json(ls));
	return o;
}

/* The recording's LLM calls, with the model table, as seed-002 analytics. */
static struct llmstats *analyze_llmstats(const struct analysis *a, const struct models *m)
{
	struct llmstats *s = llmstats__new(m);

	for (size_t i = 0; s && i < a->nllm; i++) {
		const struct an_llm *c = &a->llm[i];
		struct llm_call call = {
		    .model = c->model,
		    .pid = c->pid,
		    .timestamp = c->timestamp,
		    .request_tokens = c->request_tokens,
		    .response_tokens = c->response_tokens,
		    .latency_ns = c->latency,
		    .ttft_ns = c->ttft,
		    .status = c->status,
		    .complete = c->complete,
		    .error = c->error,
		};

		if (llmstats_add(s, &call)) {
			llmstats__free(s);
			return NULL;
		}
	}
	return s;
}

int verb_stats(int argc, char **argv)
{
	struct common c = {.verb = "stats", .usage = stats_usage};
	const struct sb_span **procs = NULL;
	struct llmstats *ls = NULL;
	struct models *models = NULL;
	struct rec_err err;
	struct analysis a;
	size_t nprocs = 0;
	int ret = parse_common(&c, argc, argv, "h", NULL, NULL, NULL);

	if (ret >= 0)
		return ret;
	if (!(models = models__new(c.models, &err)))
		return verb_error(c.json, "%s", err.msg);
	if (analyze_open(c.verb, c.rec, c.base, c.json, NULL, &a)) {
		models__free(models);
		return 1;
	}
	procs = process_spans(&a, &nprocs);
	ls = analyze_llmstats(&a, models);
	if (!procs || !ls) {
		ret = verb_error(c.json, "out of memory");
	} else if (c.json) {
		cJSON *o = stats_json(&a, procs, nprocs, ls);

		ret = verb_print_json(o, true);
		cJSON_Delete(o);
	} else {
		ret = stats_text(&a, procs, nprocs, ls);
	}
	llmstats__free(ls);
	free(procs);
	analysis_release(&a);
	models__free(models);
	return ret;
}

/* ---- growth ---- */

static const char growth_usage[] =
    "Usage: agtrace-bpf growth REC [--budget N] [--max-steps N] [--models FILE] [--json]\n"
    "When each agent process of a recording will run out of context: per LLM step the context\n"
    "size (request tokens) and output tokens, the budget (--budget, else the model's context\n"
    "window from the model table, else 128000, said so), usage, average and recent (last 3\n"
    "steps) growth per step, remaining budget, estimated steps left, whether exhaustion comes\n"
    "before --max-steps, and an alert: none, warning (< 20% left), critical (< 10% left).\n"
    "Also each process's open file descriptors and mapped memory over time, with a leak\n"
    "verdict when they keep growing.\n"
    "\n"
    "  --budget N          context budget in tokens (default: the model's window)\n"
    "  --max-steps N       the agent's step limit, to compare with the estimate\n"
    "  --models FILE       model table instead of the built-in one\n"
    "  --json              one JSON object: agents[] (seed GrowthPrediction), resources[]\n"
    "  --output-dir DIR    where record ids are looked up\n";

struct ctx_opts {
	long long budget;
	long max_steps;
	uint64_t at;
	bool json;
};

static int parse_count(const char *verb, const char *opt, const char *arg, long long *v, bool json)
{
	char *end;

	errno = 0;
	*v = strtoll(arg ? arg : "", &end, 10);
	if (errno || !arg || !*arg || *end || *v <= 0)
		return verb_error(json, "%s: %s wants a positive number, not \"%s\"", verb, opt,
				  arg ? arg : "");
	return -1;
}

static int growth_extra(void *ctx, int opt, const char *arg)
{
	struct ctx_opts *o = ctx;
	long long v;
	int r;

	if (opt == OPT_BUDGET) {
		return parse_count("growth", "--budget", arg, &o->budget, o->json);
	} else if (opt == OPT_MAX_STEPS) {
		if ((r = parse_count("growth", "--max-steps", arg, &v, o->json)) >= 0)
			return r;
		o->max_steps = v > 1000000 ? 1000000 : (long)v;
		return -1;
	}
	return verb_error(o->json, "growth: bad option (see growth --help)");
}

/* The budget of a model: --budget, else its context window, else the default. */
static long long budget_of(const struct models *m, const char *model, long long opt, char *src,
			   size_t n)
{
	const struct model_info *mi = model ? models_lookup(m, model) : NULL;

	if (opt > 0) {
		snprintf(src, n, "--budget");
		return opt;
	}
	if (mi && mi->context_window > 0) {
		snprintf(src, n, "model table (%s)", mi->family);
		return mi->context_window;
	}
	snprintf(src, n, "default (unknown model %s)", model ? model : "?");
	return MODELS_DEFAULT_WINDOW;
}

/* The growth of pid's LLM calls; 0 or -ENOMEM. */
static int agent_growth(const struct analysis *a, const struct models *m, int pid,
			const struct ctx_opts *o, struct growth_prediction *g)
{
	struct growth_step *steps = calloc(a->nllm + 1, sizeof(*steps));
	const char *model = NULL;
	char src[160];
	size_t n = 0;
	int ret;

	if (!steps)
		return -ENOMEM;
	for (size_t i = 0; i < a->nllm; i++) {
		if (a->llm[i].pid != pid)
			continue;
		steps[n++] =
		    (struct growth_step){a->llm[i].seq_num, a->llm[i].timestamp,
					 a->llm[i].request_tokens, a->llm[i].response_tokens};
		if (a->llm[i].model)
			model = a->llm[i].model;
	}
	ret = growth_predict(g, pid, model, steps, n,
			     budget_of(m, model, o->budget, src, sizeof(src)), src,
			     (int)o->max_steps);
	free(steps);
	return ret;
}

/* pid's resource samples, up to its last syscall, as the verdict wants them. */
static void resources_of(const struct sb_span *sp, struct res_verdict *v)
{
	struct res_point pts[SB_RES_POINTS];
	int n = sp->nres < SB_RES_POINTS ? sp->nres : SB_RES_POINTS;

	for (int i = 0; i < n; i++)
		pts[i] = (struct res_point){sp->res[i].ts, sp->res[i].fds, sp->res[i].mapped};
	res_verdict_compute(v, pts, (size_t)n);
}

int verb_growth(int argc, char **argv)
{
	static const struct option extra[] = {
	    {"budget", required_argument, NULL, OPT_BUDGET},
	    {"max-steps", required_argument, NULL, OPT_MAX_STEPS},
	    {0},
	};
	struct common c = {.verb = "growth", .usage = growth_usage};
	struct ctx_opts o = {0};
	struct models *models;
	const struct sb_span **procs = NULL;
	cJSON *json = NULL, *agents = NULL, *res = NULL;
	struct rec_err err;
	struct analysis a;
	size_t nprocs = 0, nagents = 0, quiet = 0;
	int ret;

	for (int i = 1; i < argc; i++)
		o.json |= !strcmp(argv[i], "--json");
	if ((ret = parse_common(&c, argc, argv, "h", extra, growth_extra, &o)) >= 0)
		return ret;
	if (!(models = models__new(c.models, &err)))
		return verb_error(c.json, "%s", err.msg);
	if (analyze_open(c.verb, c.rec, c.base, c.json, NULL, &a)) {
		models__free(models);
		return 1;
	}
	ret = 1;
	if (!(procs = process_spans(&a, &nprocs)))
		goto nomem;
	if (c.json &&
	    (!(json = cJSON_CreateObject()) || !(agents = cJSON_AddArrayToObject(json, "agents")) ||
	     !(res = cJSON_AddArrayToObject(json, "resources"))))
		goto nomem;
	if (c.json)
		cJSON_AddStringToObject(json, "record_id",
					a.meta.record_id ? a.meta.record_id : "");
	for (size_t i = 0; i < nprocs; i++) {
		struct growth_prediction g;

		if (!procs[i]->agent)
			continue;
		if (agent_growth(&a, models, procs[i]->pid, &o, &g)) {
			growth_prediction_release(&g);
			goto nomem;
		}
		nagents++;
		if (c.json) {
			cJSON *x = growth_to_json(&g);

			if (x)
				cJSON_AddStringToObject(x, "name", procs[i]->name);
			cJSON_AddItemToArray(agents, x);
		} else {
			growth_print_text(stdout, &g);
			printf("  command    %s\n", procs[i]->name);
			printf("\n");
		}
		growth_prediction_release(&g);
	}
	if (!nagents && !c.json)
		printf("no LLM calls in this recording: no context growth to predict\n\n");
	if (!c.json)
		printf("resources (open fds, mapped memory):\n");
	for (size_t i = 0; i < nprocs; i++) {
		struct res_verdict v;

		resources_of(procs[i], &v);
		if (c.json) {
			cJSON *x = res_verdict_to_json(&v);

			if (x) {
				cJSON_AddNumberToObject(x, "pid", procs[i]->pid);
				cJSON_AddStringToObject(x, "name", procs[i]->name);
			}
			cJSON_AddItemToArray(res, x);
		} else if (procs[i]->agent || v.fd_leak || v.mem_leak) {
			res_verdict_print_text(stdout, procs[i]->pid, procs[i]->name, &v);
		} else {
			quiet++;
		}
	}
	if (!c.json && quiet)
		printf("  %zu other process%s: no leak\n", quiet, quiet == 1 ? "" : "es");
	ret = c.json ? verb_print_json(json, true) : 0;
	goto out;
nomem:
	ret = verb_error(c.json, "out of memory");
out:
	cJSON_Delete(json);
	free(procs);
	analysis_release(&a);
	models__free(models);
	return ret;
}

/* ---- ctx ---- */

static const char ctx_usage[] =
    "Usage: agtrace-bpf ctx REC [--at SEQ] [--budget N] [--models FILE] [--json]\n"
    "The context profile of the LLM request at (or before) event SEQ (default: the last): tokens\n"
    "by role and kind (system, user, assistant, tool results, tool calls, tool definitions),\n"
    "the top consumers each with a suggestion, and which part is active, warm, cold or leaked\n"
    "(large tool outputs nothing later refers to, duplicated messages). Estimates (chars/4) are\n"
    "calibrated against that step's real request_tokens when the response carried usage.\n"
    "\n"
    "  --at SEQ            the step: the last context snapshot at or before event SEQ\n"
    "  --budget N          context budget in tokens (default: the model's window)\n"
    "  --models FILE       model table instead of the built-in one\n"
    "  --json              one JSON object (seed CtxProfileResult)\n"
    "  --output-dir DIR    where record ids are looked up\n";

static int ctx_extra(void *ctx, int opt, const char *arg)
{
	struct ctx_opts *o = ctx;
	long long v;
	char *end;

	if (opt == OPT_BUDGET)
		return parse_count("ctx", "--budget", arg, &o->budget, o->json);
	if (opt == OPT_AT) {
		const char *p = arg && *arg == '#' ? arg + 1 : arg;

		errno = 0;
		v = strtoll(p ? p : "", &end, 10);
		if (errno || !p || !*p || *end || v < 0)
			return verb_error(o->json, "ctx: \"%s\" is not a sequence number",
					  arg ? arg : "");
		o->at = (uint64_t)v;
		return -1;
	}
	return verb_error(o->json, "ctx: bad option (see ctx --help)");
}

int verb_ctx(int argc, char **argv)
{
	static const struct option extra[] = {
	    {"at", required_argument, NULL, OPT_AT},
	    {"budget", required_argument, NULL, OPT_BUDGET},
	    {0},
	};
	struct common c = {.verb = "ctx", .usage = ctx_usage};
	struct ctx_opts o = {.at = UINT64_MAX};
	struct an_opts ao = {.want_ctx = true};
	struct ctx_profile prof = {0};
	struct models *models;
	cJSON *ev = NULL;
	const cJSON *context;
	struct rec_err err;
	struct analysis a;
	char src[160];
	int ret;

	for (int i = 1; i < argc; i++)
		o.json |= !strcmp(argv[i], "--json");
	if ((ret = parse_common(&c, argc, argv, "h", extra, ctx_extra, &o)) >= 0)
		return ret;
	if (!(models = models__new(c.models, &err)))
		return verb_error(c.json, "%s", err.msg);
	ao.ctx_at = o.at;
	if (analyze_open(c.verb, c.rec, c.base, c.json, &ao, &a)) {
		models__free(models);
		return 1;
	}
	if (!a.ctx_line) {
		if (!a.by_type[REC_CONTEXT_SNAPSHOT]) {
			ret = 0;
			if (c.json)
				printf("{\"record_id\":\"%s\",\"profile\":null,\"note\":\"no LLM "
				       "calls in this recording\"}\n",
				       a.meta.record_id ? a.meta.record_id : "");
			else
				printf("no LLM calls in this recording: no context to profile\n");
		} else {
			ret = verb_error(c.json, "%s: no context snapshot at or before #%llu",
					 a.dir, (unsigned long long)o.at);
		}
		goto out;
	}
	ev = cJSON_Parse(a.ctx_line);
	context = ev ? cJSON_GetObjectItemCaseSensitive(ev, "context") : NULL;
	ret = ctx_analyze(
	    &prof, context, a.ctx_request_body, a.ctx_request_tokens,
	    budget_of(models, rec_json_str(context, "model"), o.budget, src, sizeof(src)),
	    a.ctx_pid, a.ctx_seq);
	if (ret) {
		ret =
		    verb_error(c.json, "%s: event #%llu: %s", a.dir, (unsigned long long)a.ctx_seq,
			       ret == -ENOMEM ? "out of memory" : "not a context snapshot");
		goto out;
	}
	if (c.json) {
		cJSON *x = ctx_to_json(&prof);

		if (x)
			cJSON_AddStringToObject(x, "budget_source", src);
		ret = verb_print_json(x, true);
		cJSON_Delete(x);
	} else {
		ctx_print_text(stdout, &prof);
		printf("budget from %s\n", src);
		ret = 0;
	}
out:
	ctx_profile_release(&prof);
	cJSON_Delete(ev);
	analysis_release(&a);
	models__free(models);
	return ret;
}
