// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * recording.c - open a recording: resolve REC, read metadata.json, stream the events file
 * (evfile: zstd or gzip) into arena blocks and index every line.
 *
 * Lines are read straight into the tail of the current block and NUL-terminated in place; only
 * the partial line at a block's end is copied into the next block, so the decompressed stream is
 * copied about once. Blocks start small (a fuzzer or a tiny recording allocates little) and
 * double up to 32 MiB.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evfile.h"
#include "recording.h"

#define BLOCK_MIN	  (64u << 10)
#define BLOCK_MAX	  (32u << 20)
#define READ_MIN	  (16u << 10) /* a block with less room left than this is closed */
#define LINE_MAX_LEN	  0xffffffffu
#define MAX_WARNINGS	  8
#define INDEX_PRESIZE_MAX (64u << 20) /* trust metadata's event_count this far */

struct arena_block {
	struct arena_block *next;
	size_t cap;
	char data[];
};

struct recording {
	char *dir;
	struct rec_meta meta;
	struct rec_event *ev;
	size_t n, cap;
	size_t type_count[REC__NTYPES];
	struct arena_block *blocks;
	char *events_path;
	char *warn[MAX_WARNINGS];
	size_t nwarn;
};

static const char *const type_names[REC__NTYPES] = {
    [REC_SYSCALL] = "syscall",
    [REC_PROCESS] = "process",
    [REC_LLM_RESPONSE] = "llm_response",
    [REC_CONTEXT_SNAPSHOT] = "context_snapshot",
    [REC_STATE_CHANGE] = "state_change",
    [REC_LOST] = "lost",
    [REC_HTTP] = "http",
    [REC_COVERAGE] = "coverage",
    [REC_OTHER] = "other",
};

/* The payload member of each type (DESIGN.md §3). */
static const char *const payload_names[REC__NTYPES] = {
    [REC_SYSCALL] = "syscall",	  [REC_PROCESS] = "process",
    [REC_LLM_RESPONSE] = "llm",	  [REC_CONTEXT_SNAPSHOT] = "context",
    [REC_STATE_CHANGE] = "state", [REC_LOST] = "lost",
    [REC_HTTP] = "http",	  [REC_COVERAGE] = "coverage",
    [REC_OTHER] = NULL,
};

const char *rec_type_name(enum rec_type t)
{
	return t < REC__NTYPES ? type_names[t] : "other";
}

enum rec_type rec_type_of(const char *s)
{
	for (int t = 0; s && t < REC_OTHER; t++)
		if (!strcmp(s, type_names[t]))
			return (enum rec_type)t;
	return REC_OTHER;
}

const char *rec_payload_name(enum rec_type t)
{
	return t < REC__NTYPES ? payload_names[t] : NULL;
}

const cJSON *rec_payload(const cJSON *ev, enum rec_type t)
{
	const char *name = rec_payload_name(t);

	return name ? cJSON_GetObjectItemCaseSensitive(ev, name) : NULL;
}

bool rec_json_ll(const cJSON *o, const char *key, long long *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
	double d;

	if (!cJSON_IsNumber(x))
		return false;
	d = x->valuedouble;
	if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0) || (double)(long long)d != d)
		return false;
	*v = (long long)d;
	return true;
}

const char *rec_json_str(const cJSON *o, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

int rec_resolve(const char *rec, const char *base, char *dir, size_t dirsz, struct rec_err *err)
{
	char path[4096], found[1024] = "", other[1024] = "";
	size_t plen, matches = 0;
	struct dirent *de;
	DIR *d;

	if (!rec || !*rec)
		return rec_errf(err, -EINVAL, "no recording given");
	if (is_dir(rec)) {
		if (snprintf(dir, dirsz, "%s", rec) >= (int)dirsz)
			return rec_errf(err, -ENAMETOOLONG, "%s: path too long", rec);
		return 0;
	}
	if (strchr(rec, '/'))
		return rec_errf(err, -ENOENT, "%s: no such recording directory", rec);
	base = rec_base_dir(base);
	if (snprintf(path, sizeof(path), "%s/%s", base, rec) >= (int)sizeof(path))
		return rec_errf(err, -ENAMETOOLONG, "%s/%s: path too long", base, rec);
	if (!is_dir(path)) {
		/* a unique prefix of a record id ("4242" for "4242-20260329-101500") */
		plen = strlen(rec);
		d = opendir(base);
		if (!d)
			return rec_errf(err, -ENOENT, "no recording \"%s\" (%s: %s)", rec, base,
					strerror(errno));
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, rec, plen) || de->d_name[0] == '.')
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", base, de->d_name) >=
				(int)sizeof(path) ||
			    !is_dir(path))
				continue;
			if (!matches++)
				snprintf(found, sizeof(found), "%s", de->d_name);
			else if (matches == 2)
				snprintf(other, sizeof(other), "%s", de->d_name);
		}
		closedir(d);
		if (!matches)
			return rec_errf(err, -ENOENT, "no recording \"%s\" under %s", rec, base);
		if (matches > 1)
			return rec_errf(err, -EEXIST,
					"record id \"%s\" is ambiguous under %s (%s, %s%s)", rec,
					base, found, other, matches > 2 ? ", ..." : "");
		snprintf(path, sizeof(path), "%s/%s", base, found);
	}
	if (snprintf(dir, dirsz, "%s", path) >= (int)dirsz)
		return rec_errf(err, -ENAMETOOLONG, "%s: path too long", path);
	return 0;
}

static __attribute__((format(printf, 2, 3))) void add_warning(struct recording *r, const char *fmt,
							      ...)
{
	va_list ap;
	char *s;

	if (r->nwarn >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		r->warn[r->nwarn++] = s;
	va_end(ap);
}

static struct arena_block *block_new(struct recording *r, size_t cap)
{
	struct arena_block *b = malloc(sizeof(*b) + cap);

	if (!b)
		return NULL;
	b->cap = cap;
	b->next = r->blocks;
	r->blocks = b;
	return b;
}

static int index_grow(struct recording *r)
{
	size_t ncap = r->cap ? r->cap * 2 : 1024;
	struct rec_event *nev = realloc(r->ev, ncap * sizeof(*nev));

	if (!nev)
		return -ENOMEM;
	r->ev = nev;
	r->cap = ncap;
	return 0;
}

enum line_result {
	LINE_OK,
	LINE_BLANK,
	LINE_UNPARSED, /* not JSON: an error, or the truncated tail when it is the last line */
	LINE_BAD,      /* err is set */
	LINE_NOMEM,
};

/* Indexes one NUL-terminated line of len bytes. */
static enum line_result index_line(struct recording *r, const char *path, const char *line,
				   size_t len, size_t lineno, struct rec_err *err)
{
	const cJSON *seq, *ts, *pid, *type;
	enum line_result res = LINE_OK;
	struct rec_event *e;
	size_t i;
	cJSON *o;

	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
		;
	if (i == len)
		return LINE_BLANK;
	if (memchr(line, '\0', len)) {
		rec_errf(err, -EINVAL, "%s:%zu: NUL byte in line", path, lineno);
		return LINE_BAD;
	}
	if (len > LINE_MAX_LEN) {
		rec_errf(err, -EINVAL, "%s:%zu: line longer than 4 GiB", path, lineno);
		return LINE_BAD;
	}
	o = cJSON_ParseWithLength(line, len);
	if (!o)
		return LINE_UNPARSED;
	if (!cJSON_IsObject(o)) {
		rec_errf(err, -EINVAL, "%s:%zu: not a JSON object", path, lineno);
		res = LINE_BAD;
		goto cleanup;
	}
	if (r->n == r->cap && index_grow(r)) {
		res = LINE_NOMEM;
		goto cleanup;
	}
	e = &r->ev[r->n];
	memset(e, 0, sizeof(*e));
	seq = cJSON_GetObjectItemCaseSensitive(o, "seq_num");
	ts = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
	pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
	type = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (!seq) {
		rec_errf(err, -EINVAL, "%s:%zu: missing \"seq_num\"", path, lineno);
		res = LINE_BAD;
	} else if (!cJSON_IsNumber(seq) || !(seq->valuedouble >= 0) ||
		   seq->valuedouble >= 18446744073709551616.0 ||
		   (double)(uint64_t)seq->valuedouble != seq->valuedouble) {
		rec_errf(err, -EINVAL, "%s:%zu: \"seq_num\" is not a non-negative integer", path,
			 lineno);
		res = LINE_BAD;
	} else if (!cJSON_IsString(type)) {
		rec_errf(err, -EINVAL, "%s:%zu: %s \"type\"", path, lineno,
			 type ? "non-string" : "missing");
		res = LINE_BAD;
	} else if (ts && (!cJSON_IsNumber(ts) || !(ts->valuedouble >= 0) ||
			  ts->valuedouble >= 18446744073709551616.0)) {
		rec_errf(err, -EINVAL, "%s:%zu: \"timestamp\" is not a non-negative number", path,
			 lineno);
		res = LINE_BAD;
	} else if (pid && !cJSON_IsNull(pid) &&
		   (!cJSON_IsNumber(pid) || !(pid->valuedouble >= 0) ||
		    pid->valuedouble > 2147483647.0)) {
		rec_errf(err, -EINVAL, "%s:%zu: \"pid\" is not a process id", path, lineno);
		res = LINE_BAD;
	}
	if (res != LINE_OK)
		goto cleanup;
	e->seq_num = (uint64_t)seq->valuedouble;
	e->timestamp = ts ? (uint64_t)ts->valuedouble : 0;
	e->pid = cJSON_IsNumber(pid) ? (int32_t)pid->valuedouble : -1;
	e->type = (uint8_t)rec_type_of(type->valuestring);
	e->line = line;
	e->len = (uint32_t)len;
	e->lineno = lineno > 0xffffffffu ? 0xffffffffu : (uint32_t)lineno;
	if (r->n && e->seq_num <= r->ev[r->n - 1].seq_num) {
		rec_errf(err, -EINVAL, "%s:%zu: seq_num %llu does not follow %llu", path, lineno,
			 (unsigned long long)e->seq_num,
			 (unsigned long long)r->ev[r->n - 1].seq_num);
		res = LINE_BAD;
		goto cleanup;
	}
	r->type_count[e->type]++;
	r->n++;
cleanup:
	cJSON_Delete(o);
	return res;
}

/*
 * Streams the events file into the arena. Returns 0 (warnings added for a damaged tail) or
 * -errno with err set. evfile refuses a file that is not events at all; a stream that merely
 * ends early is the truncated tail of a killed tracer, corrupt data later is warned about.
 */
static int load_events(struct recording *r, struct rec_err *err)
{
	size_t bcap = BLOCK_MIN, start = 0, fill = 0, scan = 0, lineno = 0, part;
	struct arena_block *b;
	bool damaged = false, truncated = false;
	struct evfile *ef;
	const char *path;
	ssize_t n;
	int ret;

	if ((ret = evfile__open(&ef, r->dir, err)))
		return ret;
	path = evfile_path(ef);
	if (!(r->events_path = strdup(path))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (r->meta.event_count && r->meta.event_count < INDEX_PRESIZE_MAX) {
		r->ev = malloc((r->meta.event_count + 1) * sizeof(*r->ev));
		if (r->ev)
			r->cap = r->meta.event_count + 1;
	}
	if (!(b = block_new(r, bcap))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (;;) {
		char *nl;

		if (b->cap - fill < READ_MIN) {
			part = fill - start;
			if (bcap < BLOCK_MAX)
				bcap *= 2;
			while (bcap < part * 2 + READ_MIN)
				bcap *= 2;
			if (start == 0) {
				/* nothing of this block is indexed yet: one long line, grow it */
				struct arena_block *nb = realloc(b, sizeof(*b) + bcap);

				if (!nb) {
					ret = -ENOMEM;
					goto cleanup;
				}
				nb->cap = bcap;
				r->blocks = b = nb;
				continue;
			}
			if (!(b = block_new(r, bcap))) {
				ret = -ENOMEM;
				goto cleanup;
			}
			memcpy(b->data, r->blocks->next->data + start, part);
			start = 0;
			fill = scan = part;
		}
		/* one byte stays free for the NUL of an unterminated last line */
		part = b->cap - fill - 1;
		n = evfile_read(ef, b->data + fill, part);
		if (n <= 0) {
			damaged = n < 0;
			truncated = damaged && evfile_truncated(ef);
			break;
		}
		fill += (size_t)n;
		while ((nl = memchr(b->data + scan, '\n', fill - scan))) {
			size_t end = (size_t)(nl - b->data);

			*nl = '\0';
			lineno++;
			switch (index_line(r, path, b->data + start, end - start, lineno, err)) {
			case LINE_OK:
			case LINE_BLANK:
				break;
			case LINE_UNPARSED:
				ret =
				    rec_errf(err, -EINVAL, "%s:%zu: not valid JSON", path, lineno);
				goto cleanup;
			case LINE_BAD:
				ret = -EINVAL;
				goto cleanup;
			case LINE_NOMEM:
				ret = -ENOMEM;
				goto cleanup;
			}
			start = scan = end + 1;
		}
		scan = fill;
	}
	if (fill > start) {
		/* an unterminated last line: kept if the stream ended cleanly and it parses */
		b->data[fill] = '\0';
		if (!damaged) {
			switch (
			    index_line(r, path, b->data + start, fill - start, lineno + 1, err)) {
			case LINE_OK:
			case LINE_BLANK:
				break;
			case LINE_UNPARSED:
				damaged = truncated = true;
				break;
			case LINE_BAD:
				ret = -EINVAL;
				goto cleanup;
			case LINE_NOMEM:
				ret = -ENOMEM;
				goto cleanup;
			}
		}
	}
	if (truncated)
		add_warning(r, "%s: truncated after %zu events (tracer killed?)", path, r->n);
	else if (damaged)
		add_warning(r, "%s: corrupt data after %zu events (%s); ignoring the rest", path,
			    r->n, evfile_warning(ef));
cleanup:
	if (ret == -ENOMEM)
		rec_errf(err, ret, "%s: out of memory", path);
	evfile__free(ef);
	return ret;
}

void recording__free(struct recording *r)
{
	struct arena_block *b, *next;

	if (!r)
		return;
	for (b = r->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	for (size_t i = 0; i < r->nwarn; i++)
		free(r->warn[i]);
	free(r->ev);
	free(r->events_path);
	rec_meta_release(&r->meta);
	free(r->dir);
	free(r);
}

int recording__open_dir(struct recording **out, const char *dir, struct rec_err *err)
{
	struct recording *r = calloc(1, sizeof(*r));
	int ret;

	*out = NULL;
	if (!r || !(r->dir = strdup(dir))) {
		ret = rec_errf(err, -ENOMEM, "%s: out of memory", dir);
		goto cleanup;
	}
	if ((ret = rec_meta_read(dir, &r->meta, err)))
		goto cleanup;
	if (r->meta.incomplete)
		add_warning(r,
			    "recording %s is incomplete (status recording); reading what was "
			    "flushed",
			    r->meta.record_id);
	if ((ret = load_events(r, err)))
		goto cleanup;
	if (!r->meta.incomplete && r->nwarn == 0 && r->meta.event_count != r->n)
		add_warning(r, "%s/metadata.json: event_count is %llu, %s holds %zu", dir,
			    (unsigned long long)r->meta.event_count,
			    strrchr(r->events_path, '/') + 1, r->n);
	if (r->cap > r->n + r->n / 4 + 16) {
		struct rec_event *ev = realloc(r->ev, (r->n ? r->n : 1) * sizeof(*ev));

		if (ev) {
			r->ev = ev;
			r->cap = r->n ? r->n : 1;
		}
	}
	*out = r;
	r = NULL;
cleanup:
	recording__free(r);
	return ret;
}

int recording__open(struct recording **out, const char *rec, const char *base, struct rec_err *err)
{
	char dir[4096];
	int ret;

	*out = NULL;
	ret = rec_resolve(rec, base, dir, sizeof(dir), err);
	if (ret)
		return ret;
	return recording__open_dir(out, dir, err);
}

const struct rec_meta *recording__meta(const struct recording *r)
{
	return &r->meta;
}

const char *recording__dir(const struct recording *r)
{
	return r->dir;
}

const char *recording__events_path(const struct recording *r)
{
	return r->events_path;
}

size_t recording__count(const struct recording *r)
{
	return r->n;
}

size_t recording__type_count(const struct recording *r, enum rec_type t)
{
	return t < REC__NTYPES ? r->type_count[t] : 0;
}

const struct rec_event *recording__event(const struct recording *r, size_t idx)
{
	return idx < r->n ? &r->ev[idx] : NULL;
}

size_t recording__upper_bound(const struct recording *r, uint64_t seq)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->ev[mid].seq_num <= seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ssize_t recording__find(const struct recording *r, uint64_t seq)
{
	size_t ub = recording__upper_bound(r, seq);

	if (ub && r->ev[ub - 1].seq_num == seq)
		return (ssize_t)(ub - 1);
	return -ENOENT;
}

cJSON *recording__parse(const struct recording *r, size_t idx)
{
	if (idx >= r->n)
		return NULL;
	return cJSON_ParseWithLength(r->ev[idx].line, r->ev[idx].len);
}

const char *recording__warning(const struct recording *r, size_t i)
{
	return i < r->nwarn ? r->warn[i] : NULL;
}
