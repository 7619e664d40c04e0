// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * verbs.c - command lines of records, replay, diff and fork: options in, one module call, exit
 * code out. Every error is one line on stderr; nothing here crashes on bad input.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctxdiff.h"
#include "forkctx.h"
#include "recording.h"
#include "records_list.h"
#include "replay.h"
#include "snapshot.h"
#include "verb_util.h"
#include "verbs.h"

#define SYSTEM_FILE_MAX (16u << 20)

enum {
	OPT_JSON = 0x100,
	OPT_OUTPUT_DIR,
	OPT_GOTO,
	OPT_NEXT,
	OPT_PREV,
	OPT_LIST,
	OPT_DIFF,
	OPT_SUMMARY,
	OPT_AT,
	OPT_SYSTEM,
	OPT_APPEND,
	OPT_REPLACE_LAST,
	OPT_DROP_LAST,
	OPT_AS_REQUEST,
};

static int open_rec(const char *rec, const char *base, struct recording **r, bool json)
{
	struct rec_err err;
	const char *w;

	if (recording__open(r, rec, base, &err))
		return verb_error(json, "%s", err.msg);
	for (size_t i = 0; (w = recording__warning(*r, i)); i++)
		fprintf(stderr, "agtrace-bpf: warning: %s\n", w);
	return 0;
}

/* "120" or "#120" naming an event of the recording. */
static int event_seq(const struct recording *r, const char *w, uint64_t *seq, bool json)
{
	size_t n = recording__count(r);
	const char *p = *w == '#' ? w + 1 : w;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*p) || (*seq = strtoull(p, &end, 10), errno || *end))
		return verb_error(json, "\"%s\" is not a sequence number", w);
	if (recording__find(r, *seq) >= 0)
		return 0;
	if (!n)
		return verb_error(json, "%s: no event #%llu: the recording has no events",
				  recording__dir(r), (unsigned long long)*seq);
	return verb_error(json, "%s: no event #%llu (events #%llu..#%llu)", recording__dir(r),
			  (unsigned long long)*seq,
			  (unsigned long long)recording__event(r, 0)->seq_num,
			  (unsigned long long)recording__event(r, n - 1)->seq_num);
}

/* ---- records ---------------------------------------------------------------------------- */

static const char records_usage[] =
    "Usage: agtrace-bpf records [DIR] [--json]\n"
    "List the recordings under DIR (default: --output-dir, $AGTRACE_DIR, ./agtrace-recordings),\n"
    "newest first: id, pid, start, duration, events, lost, status, intent. A recording left in\n"
    "status \"recording\" (tracer still running, or killed) is shown as incomplete.\n"
    "\n"
    "  --json              a JSON array instead of the table\n"
    "  --output-dir DIR    the base directory (same as DIR)\n"
    "\n"
    "Examples:\n"
    "  agtrace-bpf records\n"
    "  agtrace-bpf records /var/tmp/rec --json\n";

int verb_records(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *dir = NULL, *base;
	struct rec_list *l = NULL;
	struct rec_err err;
	bool json = false, explicit;
	cJSON *o;
	int c, ret;

	verb_reset_getopt();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_OUTPUT_DIR:
			dir = optarg;
			break;
		case 'h':
			fputs(records_usage, stdout);
			return 0;
		default:
			return verb_bad_option("records", argv, json);
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc)
		return verb_error(json, "records: unexpected argument \"%s\"", argv[optind]);
	explicit = dir || getenv("AGTRACE_DIR");
	base = rec_base_dir(dir);
	if (rec_list__scan(base, &l, stderr, &err)) {
		if (!explicit && access(base, F_OK)) {
			/* no recordings made here yet */
			if (json)
				puts("[]");
			else
				fprintf(stderr, "agtrace-bpf: no recordings under %s\n", base);
			return 0;
		}
		return verb_error(json, "%s", err.msg);
	}
	if (json) {
		o = rec_list_json(l);
		ret = verb_print_json(o, json);
		cJSON_Delete(o);
	} else {
		if (l->n)
			rec_list_print(l, stdout);
		else
			fprintf(stderr, "agtrace-bpf: no recordings under %s\n", base);
		ret = 0;
	}
	rec_list__free(l);
	return ret;
}

/* ---- replay ----------------------------------------------------------------------------- */

static const char replay_usage[] =
    "Usage: agtrace-bpf replay REC [--goto SEQ] [--next] [--prev] [--list K] [--diff SEQ[,SEQ]]\n"
    "                              [--summary] [-e CMD]... [--output-dir DIR]\n"
    "Step through a recording. The cursor starts before the first event. With options, they run\n"
    "in the order given and replay exits; else commands are read from the terminal (prompt\n"
    "\"replay> \") or, without one, from stdin, one per line, stopping at the first error.\n"
    "\n"
    "Commands:\n"
    "  n, next | p, prev | g, goto SEQ | l, list [K] | c, current | show [SEQ]\n"
    "  d, diff SEQ [SEQ]       context diff from the cursor (or the first SEQ) to SEQ\n"
    "  f, fork [SEQ] [-o FILE] [--as-request]\n"
    "  s, summary | h, help | q, quit\n"
    "\n"
    "Examples:\n"
    "  agtrace-bpf replay 4242-20260329-101500\n"
    "  agtrace-bpf replay ./rec --goto 120 --list 5\n"
    "  printf 'g 120\\nd 140\\n' | agtrace-bpf replay ./rec\n";

struct cmd_list {
	char **v;
	int n;
};

static int cmd_add(struct cmd_list *l, const char *fmt, const char *arg)
{
	char **nv = realloc(l->v, (size_t)(l->n + 1) * sizeof(*nv));
	char *s;

	if (!nv)
		return -ENOMEM;
	l->v = nv;
	if (asprintf(&s, fmt, arg ? arg : "") < 0)
		return -ENOMEM;
	l->v[l->n++] = s;
	return 0;
}

static int replay_stdin(struct replay *s, bool tty)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0, r;

	for (;;) {
		if (tty) {
			fputs("replay> ", stdout);
			fflush(stdout);
		}
		if (getline(&line, &cap, stdin) < 0) {
			if (tty)
				fputc('\n', stdout);
			break;
		}
		r = replay__exec(s, line);
		fflush(stdout);
		if (r == REPLAY_QUIT)
			break;
		if (r < 0 && !tty) {
			ret = 1;
			break;
		}
	}
	free(line);
	return ret;
}

int verb_replay(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"goto", required_argument, NULL, OPT_GOTO},
	    {"next", no_argument, NULL, OPT_NEXT},
	    {"prev", no_argument, NULL, OPT_PREV},
	    {"list", required_argument, NULL, OPT_LIST},
	    {"diff", required_argument, NULL, OPT_DIFF},
	    {"summary", no_argument, NULL, OPT_SUMMARY},
	    {"exec", required_argument, NULL, 'e'},
	    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct cmd_list cmds = {0};
	struct recording *r = NULL;
	struct replay *s = NULL;
	const char *base = NULL;
	int c, ret = 1, err = 0;

	verb_reset_getopt();
	while (!err && (c = getopt_long(argc, argv, "he:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_GOTO:
			err = cmd_add(&cmds, "goto %s", optarg);
			break;
		case OPT_NEXT:
			err = cmd_add(&cmds, "next", NULL);
			break;
		case OPT_PREV:
			err = cmd_add(&cmds, "prev", NULL);
			break;
		case OPT_LIST:
			err = cmd_add(&cmds, "list %s", optarg);
			break;
		case OPT_DIFF:
			/* "SEQ" (from the cursor) or "SEQ,SEQ" */
			for (char *p = optarg; *p; p++)
				if (*p == ',' || *p == ':')
					*p = ' ';
			err = cmd_add(&cmds, "diff %s", optarg);
			break;
		case OPT_SUMMARY:
			err = cmd_add(&cmds, "summary", NULL);
			break;
		case 'e':
			err = cmd_add(&cmds, "%s", optarg);
			break;
		case OPT_OUTPUT_DIR:
			base = optarg;
			break;
		case 'h':
			fputs(replay_usage, stdout);
			ret = 0;
			goto cleanup;
		default:
			ret = verb_bad_option("replay", argv, false);
			goto cleanup;
		}
	}
	if (err) {
		ret = verb_error(false, "out of memory");
		goto cleanup;
	}
	if (optind >= argc) {
		ret = verb_error(false, "replay: no recording given (see replay --help)");
		goto cleanup;
	}
	if (optind + 1 < argc) {
		ret = verb_error(false, "replay: unexpected argument \"%s\"", argv[optind + 1]);
		goto cleanup;
	}
	if (open_rec(argv[optind], base, &r, false))
		goto cleanup;
	s = replay__new(r, stdout, stderr);
	if (!s) {
		ret = verb_error(false, "out of memory");
		goto cleanup;
	}
	if (cmds.n) {
		ret = 0;
		for (int i = 0; i < cmds.n; i++) {
			int x = replay__exec(s, cmds.v[i]);

			if (x == REPLAY_QUIT)
				break;
			if (x < 0) {
				ret = 1;
				break;
			}
		}
	} else {
		bool tty = isatty(STDIN_FILENO);

		if (tty)
			printf("recording %s: %zu events; cursor before the first event; h for "
			       "help\n",
			       recording__meta(r)->record_id, recording__count(r));
		ret = replay_stdin(s, tty);
	}
cleanup:
	fflush(stdout);
	for (int i = 0; i < cmds.n; i++)
		free(cmds.v[i]);
	free(cmds.v);
	replay__free(s);
	recording__free(r);
	return ret;
}

/* ---- diff ------------------------------------------------------------------------------- */

static const char diff_usage[] =
    "Usage: agtrace-bpf diff REC SEQ1 SEQ2 [--json] [--output-dir DIR]\n"
    "Context difference between two steps: the nearest context snapshot at or before each SEQ;\n"
    "system prompt changed (SHA-256), messages added/removed (LCS, order-aware), counts, token\n"
    "delta (request_tokens of the answering llm_response, else characters/4, marked estimated).\n"
    "\n"
    "Examples:\n"
    "  agtrace-bpf diff 4242-20260329-101500 12 40\n"
    "  agtrace-bpf diff ./rec 12 40 --json\n";

int verb_diff(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct recording *r = NULL;
	struct snapfinder *f = NULL;
	struct ctxdiff *d = NULL;
	const char *base = NULL;
	struct rec_err err;
	bool json = false;
	uint64_t a, b;
	int c, ret = 1;

	verb_reset_getopt();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_OUTPUT_DIR:
			base = optarg;
			break;
		case 'h':
			fputs(diff_usage, stdout);
			return 0;
		default:
			return verb_bad_option("diff", argv, json);
		}
	}
	if (argc - optind != 3)
		return verb_error(json, "diff: expected REC SEQ1 SEQ2 (see diff --help)");
	if (open_rec(argv[optind], base, &r, json))
		goto cleanup;
	if (event_seq(r, argv[optind + 1], &a, json) || event_seq(r, argv[optind + 2], &b, json))
		goto cleanup;
	if (!(f = snapfinder__new(r))) {
		verb_error(json, "out of memory");
		goto cleanup;
	}
	if (ctxdiff__compute(r, f, a, b, &d, &err)) {
		verb_error(json, "%s", err.msg);
		goto cleanup;
	}
	if (json) {
		cJSON *o = ctxdiff_json(d);

		ret = verb_print_json(o, json);
		cJSON_Delete(o);
	} else {
		ctxdiff_print(d, stdout);
		ret = 0;
	}
cleanup:
	ctxdiff__free(d);
	snapfinder__free(f);
	recording__free(r);
	return ret;
}

/* ---- fork ------------------------------------------------------------------------------- */

static const char fork_usage[] =
    "Usage: agtrace-bpf fork REC --at SEQ [--system FILE] [--append ROLE:TEXT]...\n"
    "                        [--replace-last TEXT] [--drop-last N] [-o FILE] [--as-request]\n"
    "Restore the context at step SEQ (nearest context snapshot at or before it; intent from the\n"
    "process's exec) as ForkContext JSON, edited in the order the edits are given:\n"
    "  --system FILE        the system prompt becomes FILE's content (- for stdin)\n"
    "  --append ROLE:TEXT   add a message (user, assistant, system, tool, developer)\n"
    "  --replace-last TEXT  new content for the last message (its role is kept)\n"
    "  --drop-last N        remove the last N messages (all of them if N is larger)\n"
    "  --as-request         a ready-to-send request body for the API and model the agent used\n"
    "  -o FILE              write to FILE (mode 0600) instead of stdout\n"
    "\n"
    "Examples:\n"
    "  agtrace-bpf fork 4242-20260329-101500 --at 120 --drop-last 1 \\\n"
    "      --append 'user:try the other test first' --as-request -o fork.json\n"
    "  curl https://api.openai.com/v1/chat/completions -H \"Authorization: Bearer $KEY\" \\\n"
    "      -H 'content-type: application/json' -d @fork.json\n";

struct edit {
	int kind;
	const char *arg;
};

static char *read_text_file(const char *path, bool json)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		verb_error(json, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			char *nb =
			    cap >= SYSTEM_FILE_MAX ? NULL : realloc(buf, cap ? cap * 2 : 8192);

			if (!nb) {
				verb_error(json, "%s: %s", path,
					   cap >= SYSTEM_FILE_MAX ? "larger than 16 MiB"
								  : "out of memory");
				free(buf);
				buf = NULL;
				goto cleanup;
			}
			buf = nb;
			cap = cap ? cap * 2 : 8192;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		verb_error(json, "%s: read error", path);
		free(buf);
		buf = NULL;
		goto cleanup;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		verb_error(json, "%s: NUL byte in a text file", path);
		free(buf);
		buf = NULL;
	}
cleanup:
	if (f != stdin)
		fclose(f);
	return buf;
}

static bool valid_role(const char *r, size_t len)
{
	static const char *const roles[] = {"user", "assistant", "system",
					    "tool", "developer", NULL};

	for (int i = 0; roles[i]; i++)
		if (strlen(roles[i]) == len && !strncmp(r, roles[i], len))
			return true;
	return false;
}

static int apply_edit(struct forkctx *fc, const struct edit *e, bool json)
{
	char *text, *end, role[16];
	const char *colon;
	unsigned long long n;
	int ret = 0;

	switch (e->kind) {
	case OPT_SYSTEM:
		if (!(text = read_text_file(e->arg, json)))
			return 1;
		ret = forkctx__set_system_prompt(fc, text);
		free(text);
		break;
	case OPT_APPEND:
		colon = strchr(e->arg, ':');
		if (!colon || !valid_role(e->arg, (size_t)(colon - e->arg)))
			return verb_error(json,
					  "--append \"%.40s\": expected ROLE:TEXT with ROLE user, "
					  "assistant, system, tool or developer",
					  e->arg);
		snprintf(role, sizeof(role), "%.*s", (int)(colon - e->arg), e->arg);
		ret = forkctx__append_message(fc, role, colon + 1);
		break;
	case OPT_REPLACE_LAST:
		ret = forkctx__replace_last_message(fc, e->arg);
		if (ret == -ENOENT) {
			fprintf(
			    stderr,
			    "agtrace-bpf: warning: --replace-last: no message left to replace\n");
			ret = 0;
		}
		break;
	case OPT_DROP_LAST:
		errno = 0;
		n = strtoull(e->arg, &end, 10);
		if (!isdigit((unsigned char)*e->arg) || *end || errno)
			return verb_error(json, "--drop-last \"%s\": not a count", e->arg);
		forkctx__remove_last_messages(fc, n > SIZE_MAX ? SIZE_MAX : (size_t)n);
		break;
	}
	return ret ? verb_error(json, "fork: out of memory") : 0;
}

int verb_fork(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"at", required_argument, NULL, OPT_AT},
	    {"system", required_argument, NULL, OPT_SYSTEM},
	    {"append", required_argument, NULL, OPT_APPEND},
	    {"replace-last", required_argument, NULL, OPT_REPLACE_LAST},
	    {"drop-last", required_argument, NULL, OPT_DROP_LAST},
	    {"as-request", no_argument, NULL, OPT_AS_REQUEST},
	    {"output", required_argument, NULL, 'o'},
	    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *at = NULL, *out = NULL, *base = NULL;
	struct edit *edits = NULL;
	struct recording *r = NULL;
	struct snapfinder *f = NULL;
	struct forkctx *fc = NULL;
	bool as_request = false, json = false;
	struct rec_err err;
	cJSON *o = NULL;
	int c, nedits = 0, ret = 1;
	uint64_t seq;

	verb_reset_getopt();
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_AT:
			at = optarg;
			break;
		case OPT_SYSTEM:
		case OPT_APPEND:
		case OPT_REPLACE_LAST:
		case OPT_DROP_LAST: {
			struct edit *ne = realloc(edits, (size_t)(nedits + 1) * sizeof(*ne));

			if (!ne) {
				verb_error(json, "out of memory");
				goto cleanup;
			}
			edits = ne;
			edits[nedits++] = (struct edit){c, optarg};
			break;
		}
		case OPT_AS_REQUEST:
			as_request = true;
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_OUTPUT_DIR:
			base = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			fputs(fork_usage, stdout);
			ret = 0;
			goto cleanup;
		default:
			ret = verb_bad_option("fork", argv, json);
			goto cleanup;
		}
	}
	if (argc - optind != 1) {
		verb_error(json, "fork: expected one recording (see fork --help)");
		goto cleanup;
	}
	if (!at) {
		verb_error(json, "fork: --at SEQ is required");
		goto cleanup;
	}
	if (open_rec(argv[optind], base, &r, json) || event_seq(r, at, &seq, json))
		goto cleanup;
	if (!(f = snapfinder__new(r))) {
		verb_error(json, "out of memory");
		goto cleanup;
	}
	if (forkctx__restore(r, f, seq, &fc, &err)) {
		verb_error(json, "%s", err.msg);
		goto cleanup;
	}
	for (int i = 0; i < nedits; i++)
		if (apply_edit(fc, &edits[i], json))
			goto cleanup;
	if (as_request) {
		if (forkctx_request(fc, &o, &err)) {
			verb_error(json, "%s", err.msg);
			goto cleanup;
		}
	} else if (!(o = forkctx_json(fc))) {
		verb_error(json, "out of memory");
		goto cleanup;
	}
	if (forkctx_write(o, out, stdout, &err)) {
		verb_error(json, "%s", err.msg);
		goto cleanup;
	}
	if (out)
		fprintf(stderr,
			"agtrace-bpf: %s of #%llu (snapshot #%llu, %zu messages) written to %s\n",
			as_request ? "request" : "fork context", (unsigned long long)seq,
			(unsigned long long)fc->snapshot_seq_num, fc->nmsgs, out);
	ret = 0;
cleanup:
	fflush(stdout);
	cJSON_Delete(o);
	forkctx__free(fc);
	snapfinder__free(f);
	recording__free(r);
	free(edits);
	return ret;
}
