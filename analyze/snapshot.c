// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* snapshot.c - find, parse and weigh context snapshots. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

struct snapfinder *snapfinder__new(const struct recording *rec)
{
	struct snapfinder *f = calloc(1, sizeof(*f));
	size_t n = recording__type_count(rec, REC_CONTEXT_SNAPSHOT), cnt = recording__count(rec);

	if (!f)
		return NULL;
	f->rec = rec;
	f->idx = malloc((n ? n : 1) * sizeof(*f->idx));
	if (!f->idx) {
		free(f);
		return NULL;
	}
	for (size_t i = 0; i < cnt && f->n < n; i++)
		if (recording__event(rec, i)->type == REC_CONTEXT_SNAPSHOT)
			f->idx[f->n++] = i;
	return f;
}

void snapfinder__free(struct snapfinder *f)
{
	if (!f)
		return;
	free(f->idx);
	free(f);
}

bool snapfinder__has_snapshots(const struct snapfinder *f)
{
	return f->n > 0;
}

int snapfinder__find(const struct snapfinder *f, uint64_t seq, size_t *idx)
{
	size_t lo = 0, hi = f->n;

	/* first snapshot with seq_num > seq */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (recording__event(f->rec, f->idx[mid])->seq_num <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	*idx = f->idx[lo - 1];
	return 0;
}

void ctx_msg_release(struct ctx_msg *m)
{
	if (!m)
		return;
	free(m->role);
	free(m->content);
	free(m->tool_call_id);
	cJSON_Delete(m->tool_calls);
	memset(m, 0, sizeof(*m));
}

int ctx_msg_copy(struct ctx_msg *dst, const struct ctx_msg *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->role = strdup(src->role ? src->role : "");
	dst->content = strdup(src->content ? src->content : "");
	if (src->tool_call_id)
		dst->tool_call_id = strdup(src->tool_call_id);
	if (src->tool_calls)
		dst->tool_calls = cJSON_Duplicate(src->tool_calls, true);
	if (!dst->role || !dst->content || (src->tool_call_id && !dst->tool_call_id) ||
	    (src->tool_calls && !dst->tool_calls)) {
		ctx_msg_release(dst);
		return -ENOMEM;
	}
	return 0;
}

void ctx_snapshot__free(struct ctx_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nmsgs; i++)
		ctx_msg_release(&s->msgs[i]);
	free(s->msgs);
	free(s->api);
	free(s->model);
	free(s->system_prompt);
	cJSON_Delete(s->tools);
	free(s);
}

/* A string, null/absent (NULL, ok) or anything else as its JSON text. */
static int dup_text(const cJSON *v, char **out)
{
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	*out = cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
	return *out ? 0 : -ENOMEM;
}

static int parse_msg(const cJSON *m, struct ctx_msg *out, const char **why)
{
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls"), *c;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "tool_call_id");

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(m)) {
		*why = "a message is not an object";
		return -EINVAL;
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "role"))) {
		*why = "a message has no string \"role\"";
		return -EINVAL;
	}
	if (id && !cJSON_IsNull(id) && !cJSON_IsString(id)) {
		*why = "a message's \"tool_call_id\" is not a string";
		return -EINVAL;
	}
	if (calls && !cJSON_IsNull(calls)) {
		if (!cJSON_IsArray(calls)) {
			*why = "a message's \"tool_calls\" is not an array";
			return -EINVAL;
		}
		cJSON_ArrayForEach(c, calls) if (!cJSON_IsObject(c))
		{
			*why = "a tool call is not an object";
			return -EINVAL;
		}
	}
	if (dup_text(cJSON_GetObjectItemCaseSensitive(m, "role"), &out->role) ||
	    dup_text(cJSON_GetObjectItemCaseSensitive(m, "content"), &out->content) ||
	    dup_text(cJSON_IsString(id) ? id : NULL, &out->tool_call_id))
		goto nomem;
	if (!out->content && !(out->content = strdup("")))
		goto nomem;
	if (cJSON_IsArray(calls) && cJSON_GetArraySize(calls) > 0 &&
	    !(out->tool_calls = cJSON_Duplicate(calls, true)))
		goto nomem;
	return 0;
nomem:
	ctx_msg_release(out);
	return -ENOMEM;
}

int ctx_snapshot__load(const struct recording *rec, size_t idx, struct ctx_snapshot **out,
		       struct rec_err *err)
{
	const struct rec_event *e = recording__event(rec, idx);
	const cJSON *ctx, *msgs, *m, *sp, *tools;
	struct ctx_snapshot *s = NULL;
	const char *why = NULL;
	cJSON *ev = NULL;
	long long rb;
	int ret = 0;

	*out = NULL;
	if (!e || e->type != REC_CONTEXT_SNAPSHOT)
		return rec_errf(err, -EINVAL, "event index %zu is not a context_snapshot", idx);
	ev = recording__parse(rec, idx);
	s = calloc(1, sizeof(*s));
	if (!ev || !s) {
		ret = -ENOMEM;
		goto cleanup;
	}
	s->seq_num = e->seq_num;
	s->timestamp = e->timestamp;
	s->pid = e->pid;
	s->index = idx;
	s->request_bytes = -1;
	ctx = rec_payload(ev, REC_CONTEXT_SNAPSHOT);
	msgs = cJSON_GetObjectItemCaseSensitive(ctx, "messages");
	sp = cJSON_GetObjectItemCaseSensitive(ctx, "system_prompt");
	tools = cJSON_GetObjectItemCaseSensitive(ctx, "tools");
	if (!cJSON_IsObject(ctx)) {
		why = "no \"context\" object";
	} else if (!cJSON_IsArray(msgs)) {
		why = "\"context.messages\" is not an array";
	} else if (sp && !cJSON_IsNull(sp) && !cJSON_IsString(sp)) {
		why = "\"context.system_prompt\" is not a string";
	}
	if (why) {
		ret = -EINVAL;
		goto cleanup;
	}
	if (dup_text(cJSON_GetObjectItemCaseSensitive(ctx, "api"), &s->api) ||
	    dup_text(cJSON_GetObjectItemCaseSensitive(ctx, "model"), &s->model) ||
	    dup_text(sp, &s->system_prompt) ||
	    (cJSON_IsArray(tools) && !(s->tools = cJSON_Duplicate(tools, true)))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (rec_json_ll(ctx, "request_bytes", &rb))
		s->request_bytes = rb;
	s->msgs = calloc((size_t)cJSON_GetArraySize(msgs) + 1, sizeof(*s->msgs));
	if (!s->msgs) {
		ret = -ENOMEM;
		goto cleanup;
	}
	cJSON_ArrayForEach(m, msgs)
	{
		ret = parse_msg(m, &s->msgs[s->nmsgs], &why);
		if (ret)
			goto cleanup;
		s->nmsgs++;
	}
cleanup:
	cJSON_Delete(ev);
	if (ret) {
		ctx_snapshot__free(s);
		if (ret == -ENOMEM)
			return rec_errf(err, ret, "%s:%u: out of memory",
					recording__events_path(rec), e->lineno);
		return rec_errf(err, ret, "%s:%u: context_snapshot #%llu: %s",
				recording__events_path(rec), e->lineno,
				(unsigned long long)e->seq_num, why);
	}
	*out = s;
	return 0;
}

ssize_t snapshot_answer(const struct recording *rec, size_t snap, enum rec_type type)
{
	const struct rec_event *s = recording__event(rec, snap), *e;

	if (!s)
		return -ENOENT;
	for (size_t i = snap + 1; (e = recording__event(rec, i)); i++) {
		if (e->pid != s->pid)
			continue;
		if (e->type == type)
			return (ssize_t)i;
		if (e->type == REC_CONTEXT_SNAPSHOT)
			break;
	}
	return -ENOENT;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

long long ctx_estimate_tokens(const char *system_prompt, const struct ctx_msg *msgs, size_t n)
{
	size_t chars = utf8_chars(system_prompt);
	const cJSON *c;

	for (size_t i = 0; i < n; i++) {
		chars += utf8_chars(msgs[i].content);
		cJSON_ArrayForEach(c, msgs[i].tool_calls)
		{
			chars += utf8_chars(rec_json_str(c, "name"));
			chars += utf8_chars(rec_json_str(c, "arguments"));
		}
	}
	return (long long)((chars + 3) / 4);
}

long long snapshot_tokens(const struct recording *rec, const struct ctx_snapshot *s,
			  bool *estimated)
{
	ssize_t a = snapshot_answer(rec, s->index, REC_LLM_RESPONSE);
	long long tokens = -1;

	if (a >= 0) {
		cJSON *ev = recording__parse(rec, (size_t)a);

		if (!rec_json_ll(rec_payload(ev, REC_LLM_RESPONSE), "request_tokens", &tokens))
			tokens = -1;
		cJSON_Delete(ev);
	}
	if (tokens > 0) {
		*estimated = false;
		return tokens;
	}
	*estimated = true;
	return ctx_estimate_tokens(s->system_prompt, s->msgs, s->nmsgs);
}
