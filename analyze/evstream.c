// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * evstream.c - stream a recording's events (see evstream.h).
 *
 * The decompressed bytes go through one buffer; whole lines are handed out in place and a line
 * cut by the buffer's end is moved to its front (the buffer doubles for a line longer than it).
 * The header is read in one walk over the top-level members, stopping at the payload, so a
 * syscall event costs a few dozen bytes of scanning before its payload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evfile.h"
#include "evstream.h"
#include "jsonraw.h"

#define EVS_BUF_MIN (1u << 20)
#define EVS_BUF_MAX (1u << 30)

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static bool parse_ll(const char *p, const char *end, long long *v)
{
	unsigned long long x = 0;
	const char *start;
	bool neg = false;
	char tmp[40], *e;
	size_t n = 0;

	p = skip_ws(p, end);
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	/* the common case: a plain integer, read here without a copy */
	for (start = p; p < end && *p >= '0' && *p <= '9' && p - start < 19; p++)
		x = x * 10 + (unsigned)(*p - '0');
	if (p > start &&
	    (p == end || (*p != '.' && *p != 'e' && *p != 'E' && !(*p >= '0' && *p <= '9')))) {
		*v = neg ? -(long long)x : (long long)x;
		return true;
	}
	/* a long one, or a whole number written as a double (1e3, 2.0) */
	p = start - neg;
	while (p + n < end && n < sizeof(tmp) - 1 &&
	       ((p[n] >= '0' && p[n] <= '9') || p[n] == '-' || p[n] == '+' || p[n] == '.' ||
		p[n] == 'e' || p[n] == 'E'))
		n++;
	if (!n)
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	*v = strtoll(tmp, &e, 10);
	if (*e == '.' || *e == 'e' || *e == 'E') {
		double d = strtod(tmp, &e);

		if (*e || d != (double)(long long)d)
			return false;
		*v = (long long)d;
		return true;
	}
	return !*e && !errno;
}

static void put_utf8(char **o, char *oend, unsigned cp)
{
	unsigned char tmp[4];
	int n;

	if (cp < 0x100 && cp >= 0x80) { /* \u0080..\u00ff: the tracer's escaped raw byte */
		tmp[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x80) {
		tmp[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = 0xc0 | (cp >> 6);
		tmp[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else {
		tmp[0] = 0xe0 | (cp >> 12);
		tmp[1] = 0x80 | ((cp >> 6) & 0x3f);
		tmp[2] = 0x80 | (cp & 0x3f);
		n = 3;
	}
	if (*o + n <= oend) {
		memcpy(*o, tmp, n);
		*o += n;
	}
}

bool jstr_value(const char *p, const char *end, char *buf, size_t n)
{
	char *o = buf, *oend = buf + (n ? n - 1 : 0);

	p = skip_ws(p, end);
	if (!n || p >= end || *p != '"')
		return false;
	for (p++; p < end && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			if (++p >= end)
				break;
			switch (*p) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u': {
				unsigned cp = 0;

				if (end - p < 5)
					goto out;
				for (int i = 1; i <= 4; i++) {
					char h = p[i];

					cp = cp * 16 + (h >= '0' && h <= '9'   ? h - '0'
							: h >= 'a' && h <= 'f' ? h - 'a' + 10
							: h >= 'A' && h <= 'F' ? h - 'A' + 10
									       : 0);
				}
				p += 4;
				put_utf8(&o, oend, cp);
				continue;
			}
			default:
				c = *p;
			}
		}
		if (o < oend)
			*o++ = c;
	}
out:
	*o = '\0';
	return true;
}

bool jvalue_ll(const char *p, const char *end, long long *v)
{
	return parse_ll(p, end, v);
}

bool jnum_member(const char *p, const char *end, const char *key, long long *v)
{
	const char *m = jraw_member(p, end, key);

	return m && parse_ll(m, end, v);
}

bool jstr_member(const char *p, const char *end, const char *key, char *buf, size_t n)
{
	const char *m = jraw_member(p, end, key);

	return m && jstr_value(m, end, buf, n);
}

static bool key_is(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && !memcmp(k, name, klen);
}

/*
 * The header of one line. 0, or -EINVAL with err set. seq_num must be above *last (or the
 * first: have_last false).
 */
static int parse_line(struct evs_event *ev, const char *path, uint64_t *last, bool *have_last,
		      struct rec_err *err)
{
	const char *p = ev->e.line, *end = ev->end, *payload_key = NULL;
	size_t payload_klen = 0;
	char type[32] = "";
	bool have_seq = false, have_type = false;
	long long v;

	ev->e.pid = -1;
	ev->tid = -1;
	ev->comm[0] = '\0';
	ev->payload = NULL;
	ev->e.timestamp = 0;
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return rec_errf(err, -EINVAL, "%s:%u: not a JSON object", path, ev->e.lineno);
	p++;
	for (;;) {
		const char *k, *val, *next;
		size_t klen;

		p = skip_ws(p, end);
		if (p < end && *p == '}')
			break;
		if (p >= end || *p != '"')
			goto bad;
		k = ++p;
		while (p < end && *p != '"')
			p += *p == '\\' ? 2 : 1;
		if (p >= end)
			goto bad;
		klen = (size_t)(p - k);
		p = skip_ws(p + 1, end);
		if (p >= end || *p != ':')
			goto bad;
		val = skip_ws(p + 1, end);
		if (key_is(k, klen, "seq_num")) {
			if (!parse_ll(val, end, &v) || v < 0)
				return rec_errf(err, -EINVAL,
						"%s:%u: \"seq_num\" is not a non-negative integer",
						path, ev->e.lineno);
			ev->e.seq_num = (uint64_t)v;
			have_seq = true;
		} else if (key_is(k, klen, "timestamp")) {
			if (!parse_ll(val, end, &v) || v < 0)
				return rec_errf(err, -EINVAL,
						"%s:%u: \"timestamp\" is not a non-negative number",
						path, ev->e.lineno);
			ev->e.timestamp = (uint64_t)v;
		} else if (key_is(k, klen, "pid")) {
			if (parse_ll(val, end, &v) && v > 0 && v <= 0x7fffffff)
				ev->e.pid = (int32_t)v;
		} else if (key_is(k, klen, "tid")) {
			if (parse_ll(val, end, &v) && v > 0 && v <= 0x7fffffff)
				ev->tid = (int)v;
		} else if (key_is(k, klen, "comm")) {
			jstr_value(val, end, ev->comm, sizeof(ev->comm));
		} else if (key_is(k, klen, "type")) {
			if (!jstr_value(val, end, type, sizeof(type)))
				return rec_errf(err, -EINVAL, "%s:%u: non-string \"type\"", path,
						ev->e.lineno);
			have_type = true;
		} else if (!payload_key) {
			payload_key = k;
			payload_klen = klen;
			ev->payload = val;
		}
		/* the header comes first: stop at a payload once the type is known */
		if (have_seq && have_type && ev->payload)
			break;
		if (!(next = jraw_skip(val, end)))
			goto bad;
		p = skip_ws(next, end);
		if (p < end && *p == ',')
			p++;
	}
	if (!have_seq)
		return rec_errf(err, -EINVAL, "%s:%u: missing \"seq_num\"", path, ev->e.lineno);
	if (!have_type)
		return rec_errf(err, -EINVAL, "%s:%u: missing \"type\"", path, ev->e.lineno);
	if (*have_last && ev->e.seq_num <= *last)
		return rec_errf(err, -EINVAL, "%s:%u: seq_num %llu does not follow %llu", path,
				ev->e.lineno, (unsigned long long)ev->e.seq_num,
				(unsigned long long)*last);
	*last = ev->e.seq_num;
	*have_last = true;
	ev->e.type = rec_type_of(type);
	/* the payload is the member named after the type ("syscall", "llm", "context"...) */
	if (ev->payload) {
		const char *want = rec_payload_name(ev->e.type);

		if (!want || !key_is(payload_key, payload_klen, want))
			ev->payload = want ? jraw_member(ev->e.line, end, want) : NULL;
	}
	if (ev->e.pid < 0)
		ev->tid = -1;
	else if (ev->tid < 0)
		ev->tid = ev->e.pid;
	return 0;
bad:
	return rec_errf(err, -EINVAL, "%s:%u: not valid JSON", path, ev->e.lineno);
}

int evstream_run(const char *dir, evs_fn fn, void *ctx, struct evs_result *res, struct rec_err *err)
{
	struct evfile *f = NULL;
	size_t cap = EVS_BUF_MIN, fill = 0, start = 0;
	char *buf = NULL;
	uint64_t last = 0;
	bool have_last = false;
	unsigned lineno = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if ((ret = evfile__open(&f, dir, err)))
		return ret;
	if (!(buf = malloc(cap))) {
		ret = rec_errf(err, -ENOMEM, "out of memory");
		goto cleanup;
	}
	for (;;) {
		ssize_t n;
		char *nl;

		if (start && start == fill) {
			start = fill = 0;
		} else if (cap - fill < 4096) {
			if (start) { /* move the cut line to the front */
				memmove(buf, buf + start, fill - start);
				fill -= start;
				start = 0;
			} else if (cap < EVS_BUF_MAX) {
				char *nb = realloc(buf, cap * 2);

				if (!nb) {
					ret = rec_errf(err, -ENOMEM, "out of memory");
					goto cleanup;
				}
				buf = nb;
				cap *= 2;
			} else {
				ret = rec_errf(err, -EINVAL, "%s:%u: line longer than 1 GiB",
					       evfile_path(f), lineno + 1);
				goto cleanup;
			}
		}
		n = evfile_read(f, buf + fill, cap - fill - 1);
		if (n <= 0) {
			if (n < 0)
				snprintf(res->warning, sizeof(res->warning), "%s",
					 evfile_warning(f));
			break;
		}
		fill += (size_t)n;
		while ((nl = memchr(buf + start, '\n', fill - start))) {
			struct evs_event ev;

			*nl = '\0';
			lineno++;
			res->lines++;
			ev.e.line = buf + start;
			ev.e.len = (uint32_t)(nl - (buf + start));
			ev.e.lineno = lineno;
			ev.end = nl;
			start = (size_t)(nl - buf) + 1;
			if (!ev.e.len)
				continue;
			if ((ret = parse_line(&ev, evfile_path(f), &last, &have_last, err)))
				goto cleanup;
			res->events++;
			if ((ret = fn(ctx, &ev)))
				goto cleanup;
		}
	}
	if (fill > start) { /* an unterminated last line: the cut tail of a killed tracer */
		if (!res->warning[0])
			snprintf(res->warning, sizeof(res->warning),
				 "%s: the last line is cut short (ignored)", evfile_path(f));
	}
	ret = 0;
cleanup:
	free(buf);
	evfile__free(f);
	return ret;
}
