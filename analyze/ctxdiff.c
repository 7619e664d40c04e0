// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* ctxdiff.c - context diff of two snapshots: prompt hashes, message LCS, token delta. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctxdiff.h"
#include "sha256.h"

#define TEXT_CUT 100 /* characters of a message on a text diff line */

struct key {
	char *s;
	uint64_t h;
	size_t i;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

char *ctx_msg_render(const struct ctx_msg *m)
{
	const cJSON *c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "%s: %s", m->role ? m->role : "", m->content ? m->content : "");
	cJSON_ArrayForEach(c, m->tool_calls)
	{
		const char *name = rec_json_str(c, "name"), *args = rec_json_str(c, "arguments");

		fprintf(f, "%s[call %s %s]", m->content && *m->content ? " " : "",
			name ? name : "?", args ? args : "");
		if (c->next && !(m->content && *m->content))
			fputc(' ', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The identity of a message: everything that matters, separated by a unit separator. */
static char *msg_key(const struct ctx_msg *m)
{
	char *calls = m->tool_calls ? cJSON_PrintUnformatted(m->tool_calls) : NULL, *s = NULL;

	if (m->tool_calls && !calls)
		return NULL;
	if (asprintf(&s, "%s\x1f%s\x1f%s\x1f%s", m->role ? m->role : "",
		     m->content ? m->content : "", m->tool_call_id ? m->tool_call_id : "",
		     calls ? calls : "") < 0)
		s = NULL;
	free(calls);
	return s;
}

static void keys_free(struct key *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].s);
	free(k);
}

static struct key *keys_of(const struct ctx_snapshot *s)
{
	struct key *k = calloc(s->nmsgs + 1, sizeof(*k));

	if (!k)
		return NULL;
	for (size_t i = 0; i < s->nmsgs; i++) {
		k[i].s = msg_key(&s->msgs[i]);
		if (!k[i].s) {
			keys_free(k, s->nmsgs);
			return NULL;
		}
		k[i].h = fnv1a(k[i].s);
		k[i].i = i;
	}
	return k;
}

static bool key_eq(const struct key *a, const struct key *b)
{
	return a->h == b->h && !strcmp(a->s, b->s);
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	int c;

	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	c = strcmp(a->s, b->s);
	if (c)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * Marks in fkeep/tkeep the messages common to both (kept); the rest are removed/added.
 * LCS over the middle when it is small enough, else multiset matching.
 */
static int match(struct key *fk, size_t fn, struct key *tk, size_t tn, bool *fkeep, bool *tkeep,
		 bool *multiset)
{
	size_t pre = 0, suf = 0, n, m;

	while (pre < fn && pre < tn && key_eq(&fk[pre], &tk[pre])) {
		fkeep[pre] = tkeep[pre] = true;
		pre++;
	}
	while (suf < fn - pre && suf < tn - pre && key_eq(&fk[fn - 1 - suf], &tk[tn - 1 - suf])) {
		fkeep[fn - 1 - suf] = tkeep[tn - 1 - suf] = true;
		suf++;
	}
	n = fn - pre - suf;
	m = tn - pre - suf;
	if (!n || !m)
		return 0;
	if (n <= CTXDIFF_LCS_MAX_CELLS / m) {
		/* L[i][j]: LCS length of from[i..] and to[j..] (middle parts) */
		uint32_t *L = calloc((n + 1) * (m + 1), sizeof(*L));
		size_t i, j;

		if (!L)
			return -ENOMEM;
#define AT(i, j) L[(i) * (m + 1) + (j)]
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				AT(i, j) = key_eq(&fk[pre + i], &tk[pre + j])
					       ? AT(i + 1, j + 1) + 1
					       : (AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j)
									      : AT(i, j + 1));
		for (i = 0, j = 0; i < n && j < m;) {
			if (key_eq(&fk[pre + i], &tk[pre + j])) {
				fkeep[pre + i] = tkeep[pre + j] = true;
				i++, j++;
			} else if (AT(i + 1, j) >= AT(i, j + 1)) {
				i++;
			} else {
				j++;
			}
		}
#undef AT
		free(L);
		return 0;
	}
	*multiset = true;
	{
		struct key *a = malloc(n * sizeof(*a)), *b = malloc(m * sizeof(*b));
		size_t i = 0, j = 0;

		if (!a || !b) {
			free(a);
			free(b);
			return -ENOMEM;
		}
		memcpy(a, fk + pre, n * sizeof(*a));
		memcpy(b, tk + pre, m * sizeof(*b));
		qsort(a, n, sizeof(*a), key_cmp);
		qsort(b, m, sizeof(*b), key_cmp);
		while (i < n && j < m) {
			int c =
			    a[i].h != b[j].h ? (a[i].h < b[j].h ? -1 : 1) : strcmp(a[i].s, b[j].s);

			if (!c) {
				fkeep[a[i].i] = tkeep[b[j].i] = true;
				i++, j++;
			} else if (c < 0) {
				i++;
			} else {
				j++;
			}
		}
		free(a);
		free(b);
	}
	return 0;
}

static int collect(const struct ctx_snapshot *s, const bool *keep, char ***out, size_t *nout)
{
	*out = calloc(s->nmsgs + 1, sizeof(**out));
	*nout = 0;
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < s->nmsgs; i++) {
		if (keep[i])
			continue;
		if (!((*out)[*nout] = ctx_msg_render(&s->msgs[i])))
			return -ENOMEM;
		(*nout)++;
	}
	return 0;
}

static void prompt_side(const char *p, char hash[65], size_t *chars)
{
	if (p)
		sha256_hex(p, strlen(p), hash);
	else
		hash[0] = '\0';
	*chars = utf8_chars(p);
}

void ctxdiff_release(struct ctxdiff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->messages.nadded; i++)
		free(d->messages.added[i]);
	for (size_t i = 0; i < d->messages.nremoved; i++)
		free(d->messages.removed[i]);
	free(d->messages.added);
	free(d->messages.removed);
	memset(&d->messages, 0, sizeof(d->messages));
}

int ctxdiff_snapshots(const struct ctx_snapshot *from, const struct ctx_snapshot *to,
		      struct ctxdiff *d)
{
	struct key *fk = keys_of(from), *tk = keys_of(to);
	bool *fkeep = calloc(from->nmsgs + 1, 1), *tkeep = calloc(to->nmsgs + 1, 1);
	int ret = -ENOMEM;

	memset(d, 0, sizeof(*d));
	d->from_seq_num = d->from_at = from->seq_num;
	d->to_seq_num = d->to_at = to->seq_num;
	d->from_timestamp = from->timestamp;
	d->to_timestamp = to->timestamp;
	prompt_side(from->system_prompt, d->system_prompt.from_hash, &d->system_prompt.from_chars);
	prompt_side(to->system_prompt, d->system_prompt.to_hash, &d->system_prompt.to_chars);
	d->system_prompt.changed = strcmp(d->system_prompt.from_hash, d->system_prompt.to_hash);
	d->messages.from_count = from->nmsgs;
	d->messages.to_count = to->nmsgs;
	if (!fk || !tk || !fkeep || !tkeep)
		goto cleanup;
	ret = match(fk, from->nmsgs, tk, to->nmsgs, fkeep, tkeep, &d->messages.multiset);
	if (!ret)
		ret = collect(to, tkeep, &d->messages.added, &d->messages.nadded);
	if (!ret)
		ret = collect(from, fkeep, &d->messages.removed, &d->messages.nremoved);
cleanup:
	keys_free(fk, from->nmsgs);
	keys_free(tk, to->nmsgs);
	free(fkeep);
	free(tkeep);
	if (ret)
		ctxdiff_release(d);
	return ret;
}

void ctxdiff__free(struct ctxdiff *d)
{
	ctxdiff_release(d);
	free(d);
}

int ctxdiff__compute(const struct recording *rec, const struct snapfinder *f, uint64_t seq1,
		     uint64_t seq2, struct ctxdiff **out, struct rec_err *err)
{
	struct ctx_snapshot *from = NULL, *to = NULL;
	struct ctxdiff *d = NULL;
	size_t i1, i2;
	int ret;

	*out = NULL;
	if (snapfinder__find(f, seq1, &i1))
		return rec_errf(err, -ENOENT, "%s: no context snapshot at or before #%llu",
				recording__dir(rec), (unsigned long long)seq1);
	if (snapfinder__find(f, seq2, &i2))
		return rec_errf(err, -ENOENT, "%s: no context snapshot at or before #%llu",
				recording__dir(rec), (unsigned long long)seq2);
	if ((ret = ctx_snapshot__load(rec, i1, &from, err)) ||
	    (ret = ctx_snapshot__load(rec, i2, &to, err)))
		goto cleanup;
	d = calloc(1, sizeof(*d));
	if (!d || (ret = ctxdiff_snapshots(from, to, d))) {
		ret = rec_errf(err, -ENOMEM, "context diff: out of memory");
		goto cleanup;
	}
	d->from_at = seq1;
	d->to_at = seq2;
	d->token_delta.from_tokens = snapshot_tokens(rec, from, &d->token_delta.from_estimated);
	d->token_delta.to_tokens = snapshot_tokens(rec, to, &d->token_delta.to_estimated);
	d->token_delta.delta = d->token_delta.to_tokens - d->token_delta.from_tokens;
	*out = d;
	d = NULL;
cleanup:
	ctxdiff__free(d);
	ctx_snapshot__free(from);
	ctx_snapshot__free(to);
	return ret;
}

/* One line: control characters as spaces, at most max characters, "..." when cut. */
static void put_cut(FILE *out, const char *s, size_t max)
{
	size_t chars = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80 && chars++ == max) {
			fputs("...", out);
			return;
		}
		fputc(c < 0x20 || c == 0x7f ? ' ' : (char)c, out);
	}
}

static void put_prompt(FILE *out, const char *hash, size_t chars)
{
	if (*hash)
		fprintf(out, "sha256 %.12s, %zu chars", hash, chars);
	else
		fputs("none", out);
}

void ctxdiff_print(const struct ctxdiff *d, FILE *out)
{
	const struct prompt_diff *p = &d->system_prompt;
	const struct token_delta *t = &d->token_delta;

	fprintf(out, "from #%llu +%llu.%06llu", (unsigned long long)d->from_seq_num,
		(unsigned long long)(d->from_timestamp / 1000000000ULL),
		(unsigned long long)(d->from_timestamp % 1000000000ULL / 1000));
	if (d->from_at != d->from_seq_num)
		fprintf(out, " (nearest snapshot to #%llu)", (unsigned long long)d->from_at);
	fprintf(out, "\nto   #%llu +%llu.%06llu", (unsigned long long)d->to_seq_num,
		(unsigned long long)(d->to_timestamp / 1000000000ULL),
		(unsigned long long)(d->to_timestamp % 1000000000ULL / 1000));
	if (d->to_at != d->to_seq_num)
		fprintf(out, " (nearest snapshot to #%llu)", (unsigned long long)d->to_at);
	fputs("\nsystem prompt: ", out);
	if (p->changed) {
		fputs("changed (", out);
		put_prompt(out, p->from_hash, p->from_chars);
		fputs(" \xe2\x86\x92 ", out);
		put_prompt(out, p->to_hash, p->to_chars);
	} else {
		fputs("unchanged (", out);
		put_prompt(out, p->from_hash, p->from_chars);
	}
	fprintf(out, ")\nmessages: %zu \xe2\x86\x92 %zu (+%zu added, -%zu removed%s)\n",
		d->messages.from_count, d->messages.to_count, d->messages.nadded,
		d->messages.nremoved, d->messages.multiset ? ", order ignored" : "");
	for (size_t i = 0; i < d->messages.nremoved; i++) {
		fputs("  - ", out);
		put_cut(out, d->messages.removed[i], TEXT_CUT);
		fputc('\n', out);
	}
	for (size_t i = 0; i < d->messages.nadded; i++) {
		fputs("  + ", out);
		put_cut(out, d->messages.added[i], TEXT_CUT);
		fputc('\n', out);
	}
	fprintf(out, "tokens: %lld \xe2\x86\x92 %lld (%+lld; from %s, to %s)\n", t->from_tokens,
		t->to_tokens, t->delta, t->from_estimated ? "estimated" : "request_tokens",
		t->to_estimated ? "estimated" : "request_tokens");
}

static cJSON *str_array(char **v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++) {
		cJSON *s = cJSON_CreateString(v[i]);

		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

cJSON *ctxdiff_json(const struct ctxdiff *d)
{
	cJSON *o = cJSON_CreateObject(), *p, *m, *t, *a;
	bool ok = o;

	ok = ok && cJSON_AddNumberToObject(o, "from_seq_num", (double)d->from_seq_num);
	ok = ok && cJSON_AddNumberToObject(o, "to_seq_num", (double)d->to_seq_num);
	ok = ok && cJSON_AddNumberToObject(o, "from_timestamp", (double)d->from_timestamp);
	ok = ok && cJSON_AddNumberToObject(o, "to_timestamp", (double)d->to_timestamp);
	ok = ok && (p = cJSON_AddObjectToObject(o, "system_prompt"));
	ok = ok && cJSON_AddBoolToObject(p, "changed", d->system_prompt.changed);
	ok = ok && cJSON_AddStringToObject(p, "from_hash", d->system_prompt.from_hash);
	ok = ok && cJSON_AddStringToObject(p, "to_hash", d->system_prompt.to_hash);
	ok = ok && cJSON_AddNumberToObject(p, "from_chars", (double)d->system_prompt.from_chars);
	ok = ok && cJSON_AddNumberToObject(p, "to_chars", (double)d->system_prompt.to_chars);
	ok = ok && (m = cJSON_AddObjectToObject(o, "messages"));
	ok = ok && (a = str_array(d->messages.added, d->messages.nadded)) &&
	     cJSON_AddItemToObject(m, "added", a);
	ok = ok && (a = str_array(d->messages.removed, d->messages.nremoved)) &&
	     cJSON_AddItemToObject(m, "removed", a);
	ok = ok && cJSON_AddNumberToObject(m, "from_count", (double)d->messages.from_count);
	ok = ok && cJSON_AddNumberToObject(m, "to_count", (double)d->messages.to_count);
	ok = ok &&
	     cJSON_AddStringToObject(m, "algorithm", d->messages.multiset ? "multiset" : "lcs");
	ok = ok && (t = cJSON_AddObjectToObject(o, "token_delta"));
	ok = ok && cJSON_AddNumberToObject(t, "from_tokens", (double)d->token_delta.from_tokens);
	ok = ok && cJSON_AddNumberToObject(t, "to_tokens", (double)d->token_delta.to_tokens);
	ok = ok && cJSON_AddNumberToObject(t, "delta", (double)d->token_delta.delta);
	ok = ok &&
	     cJSON_AddBoolToObject(t, "estimated",
				   d->token_delta.from_estimated || d->token_delta.to_estimated);
	ok = ok && cJSON_AddBoolToObject(t, "from_estimated", d->token_delta.from_estimated);
	ok = ok && cJSON_AddBoolToObject(t, "to_estimated", d->token_delta.to_estimated);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
