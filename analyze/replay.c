// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* replay.c - the replay cursor and its command language. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctxdiff.h"
#include "evfmt.h"
#include "forkctx.h"
#include "quote.h"
#include "replay.h"

#define MAX_WORDS 8
#define LIST_MAX  100000

struct replay *replay__new(const struct recording *rec, FILE *out, FILE *err)
{
	struct replay *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->rec = rec;
	s->cursor = -1;
	s->out = out;
	s->err = err;
	s->sf = snapfinder__new(rec);
	if (!s->sf) {
		free(s);
		return NULL;
	}
	return s;
}

void replay__free(struct replay *s)
{
	if (!s)
		return;
	snapfinder__free(s->sf);
	free(s);
}

int replay__next(struct replay *s)
{
	if ((size_t)(s->cursor + 1) >= recording__count(s->rec))
		return -ENOENT;
	s->cursor++;
	return 0;
}

int replay__prev(struct replay *s)
{
	if (s->cursor <= 0)
		return -ENOENT;
	s->cursor--;
	return 0;
}

int replay__goto(struct replay *s, uint64_t seq)
{
	ssize_t i = recording__find(s->rec, seq);

	if (i < 0)
		return -ENOENT;
	s->cursor = i;
	return 0;
}

void replay_list(const struct replay *s, size_t k)
{
	size_t n = recording__count(s->rec), from, to;

	if (!n) {
		fputs("(no events)\n", s->out);
		return;
	}
	if (s->cursor < 0) {
		fputs("\xe2\x96\xba (before the first event)\n", s->out);
		from = 0;
		to = k < n ? k : n;
	} else {
		size_t c = (size_t)s->cursor;

		from = c > k ? c - k : 0;
		to = c + k + 1 < n ? c + k + 1 : n;
	}
	for (size_t i = from; i < to; i++) {
		fputs(s->cursor >= 0 && i == (size_t)s->cursor ? "\xe2\x96\xba " : "  ", s->out);
		evfmt_print(s->rec, i, false, s->out);
	}
}

static void put_duration(FILE *out, long long ns)
{
	fprintf(out, "%lld.%06lld s", ns / 1000000000LL, ns % 1000000000LL / 1000);
}

void replay_summary(const struct replay *s)
{
	const struct rec_meta *m = recording__meta(s->rec);
	size_t n = recording__count(s->rec), shown = 0;
	unsigned long long in = 0, out = 0;
	long long v;
	const struct rec_event *e;

	/* metadata strings on their one line each: a multi-line intent is escaped, not split */
	fputs("record_id  ", s->out);
	quote_line(s->out, m->record_id, SIZE_MAX);
	fprintf(s->out, "\npid        %lld\n", m->pid);
	fputs("intent     ", s->out);
	quote_line(s->out, m->intent, SIZE_MAX);
	fputc('\n', s->out);
	fprintf(s->out, "start      %s\n", m->start_time);
	fputs("duration   ", s->out);
	if (m->end_ns >= 0 && m->end_ns >= m->start_ns) {
		put_duration(s->out, m->end_ns - m->start_ns);
	} else {
		put_duration(s->out, n ? (long long)recording__event(s->rec, n - 1)->timestamp : 0);
		fputs(" (to the last event)", s->out);
	}
	fputc('\n', s->out);
	if (m->incomplete)
		fputs("status     incomplete (status recording)\n", s->out);
	else
		fprintf(s->out, "status     %s\n", m->status);
	fprintf(s->out, "events     %zu", n);
	for (int t = 0; t < REC__NTYPES; t++) {
		size_t c = recording__type_count(s->rec, (enum rec_type)t);

		if (c)
			fprintf(s->out, "%s%s %zu", shown++ ? ", " : " (",
				rec_type_name((enum rec_type)t), c);
	}
	fputs(shown ? ")\n" : "\n", s->out);
	fprintf(s->out, "lost       %llu\n", (unsigned long long)m->lost_events);
	for (size_t i = 0; (e = recording__event(s->rec, i)); i++) {
		cJSON *ev;
		const cJSON *p;

		if (e->type != REC_LLM_RESPONSE)
			continue;
		ev = recording__parse(s->rec, i);
		p = rec_payload(ev, REC_LLM_RESPONSE);
		if (rec_json_ll(p, "request_tokens", &v) && v > 0)
			in += (unsigned long long)v;
		if (rec_json_ll(p, "response_tokens", &v) && v > 0)
			out += (unsigned long long)v;
		cJSON_Delete(ev);
	}
	fprintf(s->out, "llm        %zu calls, %llu tokens in, %llu out\n",
		recording__type_count(s->rec, REC_LLM_RESPONSE), in, out);
	if (s->cursor < 0)
		fputs("cursor     before the first event\n", s->out);
	else
		fprintf(s->out, "cursor     #%llu (%zd of %zu)\n",
			(unsigned long long)recording__event(s->rec, (size_t)s->cursor)->seq_num,
			s->cursor + 1, n);
}

static const char help_text[] =
    "n, next                  step to the next event\n"
    "p, prev                  step back\n"
    "g, goto SEQ              jump to event #SEQ\n"
    "l, list [K]              K events around the cursor (default 5), cursor marked \xe2\x96\xba\n"
    "c, current               the event at the cursor\n"
    "show [SEQ]               an event with its full JSON\n"
    "d, diff SEQ [SEQ]        context diff from the cursor (or the first SEQ) to SEQ\n"
    "f, fork [SEQ] [-o FILE] [--as-request]\n"
    "                         context at SEQ (default: the cursor) as ForkContext JSON\n"
    "s, summary               the recording's summary\n"
    "h, help                  this text\n"
    "q, quit                  leave\n";

static int fail(struct replay *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct replay *s, int code, const char *fmt, ...)
{
	va_list ap;

	fputs("agtrace-bpf: ", s->err);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->err);
	return code;
}

/* "120" or "#120" */
static bool parse_seq(const char *w, uint64_t *seq)
{
	char *end;

	if (*w == '#')
		w++;
	if (!isdigit((unsigned char)*w))
		return false;
	errno = 0;
	*seq = strtoull(w, &end, 10);
	return !errno && !*end;
}

static int bad_seq(struct replay *s, const char *w)
{
	size_t n = recording__count(s->rec);

	if (!n)
		return fail(s, -ENOENT, "no event %s: the recording has no events", w);
	return fail(s, -ENOENT, "no event %s%s (events #%llu..#%llu)", *w == '#' ? "" : "#", w,
		    (unsigned long long)recording__event(s->rec, 0)->seq_num,
		    (unsigned long long)recording__event(s->rec, n - 1)->seq_num);
}

/* SEQ must name an event of the recording. */
static int want_seq(struct replay *s, const char *w, uint64_t *seq)
{
	if (!parse_seq(w, seq))
		return fail(s, -EINVAL, "\"%s\" is not a sequence number", w);
	if (recording__find(s->rec, *seq) < 0)
		return bad_seq(s, w);
	return 0;
}

static int cursor_seq(struct replay *s, uint64_t *seq)
{
	if (s->cursor < 0)
		return fail(s, -ENOENT, "the cursor is before the first event: next or goto first");
	*seq = recording__event(s->rec, (size_t)s->cursor)->seq_num;
	return 0;
}

static int cmd_diff(struct replay *s, char **w, int nw)
{
	struct ctxdiff *d = NULL;
	struct rec_err err;
	uint64_t a, b;
	int ret;

	if (nw < 2 || nw > 3)
		return fail(s, -EINVAL, "usage: diff SEQ [SEQ]");
	if (nw == 2) {
		if ((ret = cursor_seq(s, &a)) || (ret = want_seq(s, w[1], &b)))
			return ret;
	} else if ((ret = want_seq(s, w[1], &a)) || (ret = want_seq(s, w[2], &b))) {
		return ret;
	}
	ret = ctxdiff__compute(s->rec, s->sf, a, b, &d, &err);
	if (ret)
		return fail(s, ret, "%s", err.msg);
	ctxdiff_print(d, s->out);
	ctxdiff__free(d);
	return 0;
}

static int cmd_fork(struct replay *s, char **w, int nw)
{
	const char *path = NULL;
	struct forkctx *fc = NULL;
	bool as_request = false, have_seq = false;
	struct rec_err err;
	cJSON *o = NULL;
	uint64_t seq = 0;
	int ret;

	for (int i = 1; i < nw; i++) {
		if (!strcmp(w[i], "-o") && i + 1 < nw) {
			path = w[++i];
		} else if (!strcmp(w[i], "--as-request")) {
			as_request = true;
		} else if (!have_seq && w[i][0] != '-') {
			if ((ret = want_seq(s, w[i], &seq)))
				return ret;
			have_seq = true;
		} else {
			return fail(s, -EINVAL, "usage: fork [SEQ] [-o FILE] [--as-request]");
		}
	}
	if (!have_seq && (ret = cursor_seq(s, &seq)))
		return ret;
	ret = forkctx__restore(s->rec, s->sf, seq, &fc, &err);
	if (!ret) {
		if (as_request)
			ret = forkctx_request(fc, &o, &err);
		else if (!(o = forkctx_json(fc)))
			ret = rec_errf(&err, -ENOMEM, "fork: out of memory");
	}
	if (!ret)
		ret = forkctx_write(o, path, s->out, &err);
	if (!ret && path)
		fprintf(s->out, "%s of #%llu (snapshot #%llu, %zu messages) written to %s\n",
			as_request ? "request" : "fork context", (unsigned long long)seq,
			(unsigned long long)fc->snapshot_seq_num, fc->nmsgs, path);
	if (ret)
		fail(s, ret, "%s", err.msg);
	cJSON_Delete(o);
	forkctx__free(fc);
	return ret;
}

static bool is(const char *w, const char *a, const char *b)
{
	return !strcmp(w, a) || (b && !strcmp(w, b));
}

int replay__exec(struct replay *s, const char *line)
{
	char buf[1024], *w[MAX_WORDS], *save = NULL, *t;
	size_t n = recording__count(s->rec);
	uint64_t seq = 0;
	int nw = 0, ret = 0;

	if (strlen(line) >= sizeof(buf))
		return fail(s, -EINVAL, "command line too long");
	strcpy(buf, line);
	for (t = strtok_r(buf, " \t\r\n", &save); t && nw < MAX_WORDS;
	     t = strtok_r(NULL, " \t\r\n", &save))
		w[nw++] = t;
	if (!nw || w[0][0] == '#')
		return 0;
	if (t)
		return fail(s, -EINVAL, "too many words");
	if (is(w[0], "n", "next")) {
		if (nw != 1)
			return fail(s, -EINVAL, "usage: next");
		if (replay__next(s))
			return fail(s, -ENOENT, "end of the recording (%zu events)", n);
		evfmt_print(s->rec, (size_t)s->cursor, false, s->out);
	} else if (is(w[0], "p", "prev")) {
		if (nw != 1)
			return fail(s, -EINVAL, "usage: prev");
		if (replay__prev(s))
			return fail(s, -ENOENT, "%s",
				    s->cursor < 0 ? "the cursor is before the first event"
						  : "already at the first event");
		evfmt_print(s->rec, (size_t)s->cursor, false, s->out);
	} else if (is(w[0], "g", "goto")) {
		if (nw != 2)
			return fail(s, -EINVAL, "usage: goto SEQ");
		if ((ret = want_seq(s, w[1], &seq)))
			return ret;
		replay__goto(s, seq);
		evfmt_print(s->rec, (size_t)s->cursor, false, s->out);
	} else if (is(w[0], "l", "list")) {
		unsigned long k = REPLAY_LIST_DEFAULT;
		char *end;

		if (nw > 2)
			return fail(s, -EINVAL, "usage: list [K]");
		if (nw == 2) {
			errno = 0;
			k = strtoul(w[1], &end, 10);
			if (!isdigit((unsigned char)w[1][0]) || *end || errno || k > LIST_MAX)
				return fail(s, -EINVAL, "list: \"%s\" is not a count (0..%d)", w[1],
					    LIST_MAX);
		}
		replay_list(s, k);
	} else if (is(w[0], "c", "current")) {
		if ((ret = cursor_seq(s, &seq)))
			return ret;
		evfmt_print(s->rec, (size_t)s->cursor, false, s->out);
	} else if (is(w[0], "show", NULL)) {
		if (nw > 2)
			return fail(s, -EINVAL, "usage: show [SEQ]");
		if (nw == 2 ? (ret = want_seq(s, w[1], &seq)) : (ret = cursor_seq(s, &seq)))
			return ret;
		evfmt_print(s->rec, (size_t)recording__find(s->rec, seq), true, s->out);
	} else if (is(w[0], "d", "diff")) {
		return cmd_diff(s, w, nw);
	} else if (is(w[0], "f", "fork")) {
		return cmd_fork(s, w, nw);
	} else if (is(w[0], "s", "summary")) {
		replay_summary(s);
	} else if (is(w[0], "h", "help") || is(w[0], "?", NULL)) {
		fputs(help_text, s->out);
	} else if (is(w[0], "q", "quit") || is(w[0], "exit", NULL)) {
		return REPLAY_QUIT;
	} else {
		return fail(s, -EINVAL, "unknown command \"%s\" (h for help)", w[0]);
	}
	return 0;
}
