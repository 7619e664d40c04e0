// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* evfmt.c - the one-line text form of each event type, from its JSON. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "evfmt.h"
#include "jsonraw.h"
#include "quote.h"
#include "snapshot.h"

static void put_secs(FILE *out, unsigned long long ns)
{
	fprintf(out, "%llu.%06llu", ns / 1000000000ULL, ns % 1000000000ULL / 1000);
}

static void put_num(FILE *out, const cJSON *v)
{
	double d = v->valuedouble;

	if (d > -9.2e18 && d < 9.2e18 && (double)(long long)d == d)
		fprintf(out, "%lld", (long long)d);
	else
		fprintf(out, "%g", d);
}

/* Decoded symbols (AT_FDCWD, O_RDONLY|O_CLOEXEC), addresses and sockaddrs print bare. */
static bool is_symbolic(const char *s)
{
	bool under = false;

	if (s[0] == '0' && s[1] == 'x' && s[2]) {
		for (s += 2; *s; s++)
			if (!isxdigit((unsigned char)*s))
				return false;
		return true;
	}
	if (*s == '{')
		return true;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s == '_' || *s == '|')
			under = true;
		else if (!isupper((unsigned char)*s) && !isdigit((unsigned char)*s))
			return false;
	}
	return under;
}

/*
 * A string shown from its bytes in the raw text (raw, NULL when not found there), NULs and all,
 * which cJSON's valuestring cannot hold.
 */
static void put_str(FILE *out, const cJSON *v, const char *raw, const char *end, long long moved)
{
	size_t len = 0;
	char *bytes = raw ? jraw_string(raw, end, &len) : NULL;
	const char *s = bytes ? bytes : v->valuestring;

	if (!bytes)
		len = strlen(s);
	if (strlen(s) == len && is_symbolic(s)) {
		fputs(s, out);
	} else {
		quote_bytes(out, s, len, EVFMT_STRSIZE);
		/* a data head the tracer cut at -s: the call moved more than was kept */
		if (moved > 0 && (unsigned long long)moved > len && len <= EVFMT_STRSIZE)
			fputs("...", out);
	}
	free(bytes);
}

/*
 * One argument. raw is the same value in the event's raw JSON text (NULL if unknown): its
 * strings are read from there. An array walks both in step: cJSON keeps the text's order.
 */
static void put_arg(FILE *out, const cJSON *v, const char *raw, const char *end, long long moved)
{
	struct jraw_iter it;
	bool walk;
	const cJSON *x;

	if (cJSON_IsNumber(v)) {
		put_num(out, v);
	} else if (cJSON_IsString(v)) {
		put_str(out, v, raw, end, moved);
	} else if (cJSON_IsNull(v)) {
		fputs("NULL", out);
	} else if (cJSON_IsBool(v)) {
		fputs(cJSON_IsTrue(v) ? "true" : "false", out);
	} else if (cJSON_IsArray(v)) {
		walk = raw && jraw_iter_init(&it, raw, end);
		fputc('[', out);
		cJSON_ArrayForEach(x, v)
		{
			const char *xraw = walk ? jraw_iter_next(&it) : NULL;

			walk = xraw;
			put_arg(out, x, xraw, end, 0);
			if (x->next)
				fputs(", ", out);
		}
		fputc(']', out);
	} else {
		fputs("{...}", out);
	}
}

/* raw: the payload's raw text (or NULL), for the bytes of string arguments. */
static void fmt_syscall(const cJSON *p, const char *raw, const char *end, FILE *out)
{
	const char *name = rec_json_str(p, "syscall"), *err = rec_json_str(p, "err");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(p, "args"), *a;
	const cJSON *obj = cJSON_IsObject(args) ? args : NULL;
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(p, "result");
	struct jraw_iter it;
	bool walk;
	long long dur, ret;

	raw = raw ? jraw_member(raw, end, "args") : NULL;
	walk = raw && jraw_iter_init(&it, raw, end);
	fprintf(out, "%s(", name ? name : "?");
	cJSON_ArrayForEach(a, obj)
	{
		const char *araw = walk ? jraw_iter_next(&it) : NULL;

		walk = araw;
		/* read/write/send/recv data: `result` bytes moved, as many as were kept shown */
		put_arg(out, a, araw, end,
			a->string && !strcmp(a->string, "buf") && cJSON_IsNumber(res)
			    ? (long long)res->valuedouble
			    : 0);
		if (a->next)
			fputs(", ", out);
	}
	fputc(')', out);
	if (err && *err)
		fprintf(out, " = -1 %s", err);
	else if (!cJSON_IsNumber(res))
		fputs(" = ?", out);
	else if (name &&
		 (!strcmp(name, "mmap") || !strcmp(name, "mremap") || !strcmp(name, "brk") ||
		  !strcmp(name, "shmat")) &&
		 rec_json_ll(p, "result", &ret))
		fprintf(out, " = %#llx", (unsigned long long)ret);
	else {
		fputs(" = ", out);
		put_num(out, res);
	}
	if (rec_json_ll(p, "duration", &dur) && dur >= 0 && cJSON_IsNumber(res)) {
		fputs(" <", out);
		put_secs(out, (unsigned long long)dur);
		fputc('>', out);
	}
}

static void fmt_process(const cJSON *p, const char *raw, const char *end, FILE *out)
{
	const char *what = rec_json_str(p, "event");
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(p, "signal");
	long long v;

	if (!what) {
		fputs("process ?", out);
	} else if (!strcmp(what, "fork")) {
		fputs("fork", out);
		if (rec_json_ll(p, "ppid", &v))
			fprintf(out, " (parent %lld)", v);
	} else if (!strcmp(what, "exec")) {
		const char *fn = rec_json_str(p, "filename");

		fprintf(out, "exec %s ", fn ? fn : "?");
		put_arg(out, cJSON_GetObjectItemCaseSensitive(p, "argv"),
			raw ? jraw_member(raw, end, "argv") : NULL, end, 0);
	} else if (!strcmp(what, "exit")) {
		if (cJSON_IsString(sig))
			fprintf(out, "exit killed by %s", sig->valuestring);
		else if (cJSON_IsNumber(sig) && sig->valuedouble != 0)
			fprintf(out, "exit killed by signal %d", sig->valueint);
		else if (rec_json_ll(p, "exit_code", &v))
			fprintf(out, "exit %lld", v);
		else
			fputs("exit ?", out);
	} else {
		fprintf(out, "process %s", what);
	}
}

static void put_tokens(FILE *out, const cJSON *p, const char *key)
{
	long long v;

	if (rec_json_ll(p, key, &v) && v >= 0)
		fprintf(out, "%lld", v);
	else
		fputc('?', out);
}

static void put_ms(FILE *out, long long ns)
{
	fprintf(out, "%llu ms", ((unsigned long long)ns + 500000) / 1000000);
}

static void fmt_llm(const cJSON *p, FILE *out)
{
	const char *model = rec_json_str(p, "model"), *e = rec_json_str(p, "error");
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(p, "tool_calls"), *c;
	const cJSON *complete = cJSON_GetObjectItemCaseSensitive(p, "complete");
	long long v;

	fprintf(out, "LLM %s ", model ? model : "?");
	put_tokens(out, p, "request_tokens");
	fputs("\xe2\x86\x92", out);
	put_tokens(out, p, "response_tokens");
	fputs(" tokens ", out);
	put_ms(out, rec_json_ll(p, "latency", &v) && v >= 0 ? v : 0);
	if (rec_json_ll(p, "status", &v))
		fprintf(out, " %lld", v);
	if (cJSON_GetArraySize(calls) > 0) {
		fputs(" tool_calls=[", out);
		cJSON_ArrayForEach(c, calls)
		{
			const char *n = rec_json_str(c, "name");

			fprintf(out, "%s%s", n ? n : "?", c->next ? "," : "");
		}
		fputc(']', out);
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "stream"))) {
		fputs(" stream", out);
		if (rec_json_ll(p, "ttft", &v) && v >= 0) {
			fputs(" ttft ", out);
			put_ms(out, v);
		}
	}
	if (e)
		fprintf(out, " error: %.80s", e);
	if (cJSON_IsFalse(complete))
		fputs(" incomplete", out);
}

static void fmt_context(const cJSON *p, FILE *out)
{
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(p, "messages");
	const char *sp = rec_json_str(p, "system_prompt"), *api = rec_json_str(p, "api");
	const char *model = rec_json_str(p, "model");
	int n = cJSON_GetArraySize(msgs);

	fprintf(out, "context %d message%s, ", n, n == 1 ? "" : "s");
	if (sp)
		fprintf(out, "system prompt %zu chars", utf8_chars(sp));
	else
		fputs("no system prompt", out);
	if (api || model)
		fprintf(out, " (%s%s%s)", api ? api : "", api && model ? " " : "",
			model ? model : "");
}

static void fmt_http(const cJSON *p, FILE *out)
{
	const char *m = rec_json_str(p, "method"), *path = rec_json_str(p, "path");
	long long v;

	fprintf(out, "HTTP %s %.200s", m ? m : "?", path ? path : "?");
	if (rec_json_ll(p, "status", &v))
		fprintf(out, " %lld", v);
	if (rec_json_ll(p, "request_bytes", &v)) {
		fprintf(out, " %lld\xe2\x86\x92", v);
		if (rec_json_ll(p, "response_bytes", &v))
			fprintf(out, "%lld bytes", v);
		else
			fputs("? bytes", out);
	}
}

void evfmt_what(const cJSON *ev, const char *line, size_t len, enum rec_type type, FILE *out)
{
	const cJSON *p = rec_payload(ev, type);
	const char *from, *to, *why, *end = line ? line + len : NULL, *raw = NULL;
	long long v;

	if (line && (type == REC_SYSCALL || type == REC_PROCESS))
		raw = jraw_member(line, end, rec_payload_name(type));
	switch (type) {
	case REC_SYSCALL:
		fmt_syscall(p, raw, end, out);
		break;
	case REC_PROCESS:
		fmt_process(p, raw, end, out);
		break;
	case REC_LLM_RESPONSE:
		fmt_llm(p, out);
		break;
	case REC_CONTEXT_SNAPSHOT:
		fmt_context(p, out);
		break;
	case REC_STATE_CHANGE:
		from = rec_json_str(p, "from_state");
		to = rec_json_str(p, "to_state");
		why = rec_json_str(p, "reason");
		fprintf(out, "state %s \xe2\x86\x92 %s", from ? from : "?", to ? to : "?");
		if (why && *why)
			fprintf(out, " (%s)", why);
		break;
	case REC_LOST:
		if (rec_json_ll(p, "count", &v))
			fprintf(out, "lost %lld events", v);
		else
			fputs("lost ? events", out);
		break;
	case REC_HTTP:
		fmt_http(p, out);
		break;
	case REC_COVERAGE:
		from = rec_json_str(p, "status");
		to = rec_json_str(p, "binary");
		why = rec_json_str(p, "why");
		fprintf(out, "TLS %s: %s", from ? from : "?", to ? to : "?");
		if (why)
			fprintf(out, ": %s", why);
		else if ((why = rec_json_str(p, "tls")))
			fprintf(out, " (%s)", why);
		break;
	default:
		from = rec_json_str(ev, "type");
		fputs(from ? from : "?", out);
		break;
	}
}

void evfmt_print(const struct recording *rec, size_t idx, bool verbose, FILE *out)
{
	const struct rec_event *e = recording__event(rec, idx);
	cJSON *ev;

	if (!e)
		return;
	fprintf(out, "#%llu +", (unsigned long long)e->seq_num);
	put_secs(out, e->timestamp);
	if (e->pid >= 0)
		fprintf(out, " [pid %d]", e->pid);
	fputc(' ', out);
	ev = recording__parse(rec, idx);
	if (ev)
		evfmt_what(ev, e->line, e->len, (enum rec_type)e->type, out);
	else
		fputs("(out of memory)", out);
	cJSON_Delete(ev);
	fputc('\n', out);
	if (verbose)
		fprintf(out, "%s\n", e->line);
}
