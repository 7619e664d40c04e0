// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_recorder.c - the recording writer: layout, modes, compressed content (zstd, and gzip with
 * AGTRACE_REC_CODEC=gzip), flushes, drops, crashes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "evfile.h"
#include "recorder.h"

/* How an events stream ended (ev_read_all) */
enum ev_end {
	EV_END_CLEAN,
	EV_END_TRUNC, /* stops mid-frame: "unexpected end of file" */
	EV_END_CORRUPT,
};

struct fixture {
	char tmp[128];
	char base[256];
	mode_t umask;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->tmp, "/tmp/agt-rec-test-XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	snprintf(f->base, sizeof(f->base), "%s/recs", f->tmp);
	f->umask = umask(022);
	unsetenv("AGTRACE_DIR");
	unsetenv("AGTRACE_REC_QUEUE");
	unsetenv("AGTRACE_REC_FLUSH_MS");
	unsetenv("AGTRACE_REC_CODEC");
	*state = f;
	return 0;
}

/* The same tests on the gzip writer (the format before zstd). */
static int setup_gzip(void **state)
{
	int ret = setup(state);

	setenv("AGTRACE_REC_CODEC", "gzip", 1);
	return ret;
}

static bool gzip_codec(void)
{
	const char *c = getenv("AGTRACE_REC_CODEC");

	return c && !strcmp(c, "gzip");
}

/* The events file's name under the codec being tested. */
static const char *ev_name(void)
{
	return gzip_codec() ? EVFILE_GZIP : EVFILE_ZSTD;
}

/*
 * How a live file read after a flush ends: zstd ends a frame at each flush, so the file is
 * whole; gzip only sync-flushes its one member, which has no trailer yet.
 */
static enum ev_end ev_flushed_end(void)
{
	return gzip_codec() ? EV_END_TRUNC : EV_END_CLEAN;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	umask(f->umask);
	nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	unsetenv("AGTRACE_DIR");
	unsetenv("AGTRACE_REC_QUEUE");
	unsetenv("AGTRACE_REC_FLUSH_MS");
	unsetenv("AGTRACE_REC_CODEC");
	free(f);
	return 0;
}

static char *path_in(const struct recorder *r, const char *name)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s", recorder_dir(r), name);
	return buf;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!fp)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, fp);

		if (!got)
			break;
		n += got;
	}
	fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Decompresses the events file of recording dir through evfile; *end says how it ended. */
static char *ev_read_all(const char *dir, size_t *len, int *end)
{
	struct rec_err err;
	struct evfile *ef;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	ssize_t got;

	if (evfile__open(&ef, dir, &err))
		fail_msg("%s", err.msg);
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = (cap + 65536) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = evfile_read(ef, buf + n, 65536);
		if (got <= 0)
			break;
		n += got;
	}
	*end = got == 0 ? EV_END_CLEAN : evfile_truncated(ef) ? EV_END_TRUNC : EV_END_CORRUPT;
	evfile__free(ef);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static cJSON *read_metadata(const struct recorder *r, const char *dir)
{
	char path[PATH_MAX];
	char *txt;
	cJSON *j;

	snprintf(path, sizeof(path), "%s/metadata.json", r ? recorder_dir(r) : dir);
	txt = read_file(path, NULL);
	assert_non_null(txt);
	j = cJSON_Parse(txt);
	free(txt);
	assert_non_null(j);
	return j;
}

static double meta_num(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static const char *meta_str(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* A typical ~200-byte syscall line, numbered so content and order are checked. */
static int event_line(char *buf, size_t len, unsigned long seq)
{
	return snprintf(
	    buf, len,
	    "{\"seq\":%lu,\"ts\":%lu.%06lu,\"pid\":4242,\"tid\":4243,\"comm\":\"python3\","
	    "\"syscall\":\"openat\",\"args\":{\"dfd\":\"AT_FDCWD\",\"path\":\"/usr/lib/"
	    "python3.11/site-packages/x%lu.py\",\"flags\":\"O_RDONLY|O_CLOEXEC\"},"
	    "\"ret\":%lu,\"dur_us\":%lu}\n",
	    seq, 1700000000 + seq / 1000, (seq * 7919) % 1000000, seq % 97, 3 + seq % 50, seq % 13);
}

/* Builds count lines starting at seq into a block (malloc'd). */
static char *event_block(unsigned long seq, int count, size_t *len)
{
	char *buf = malloc((size_t)count * 256 + 1);
	size_t n = 0;

	assert_non_null(buf);
	for (int i = 0; i < count; i++)
		n += event_line(buf + n, 256, seq + i);
	*len = n;
	return buf;
}

static bool is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Parses "<pid>-<YYYYmmdd-HHMMSS>[-N]"; returns N (1 if absent) or -1 if malformed. */
static int parse_id(const char *id, pid_t pid)
{
	char want[32];
	const char *p;
	int n = snprintf(want, sizeof(want), "%d-", (int)pid);

	if (strncmp(id, want, n))
		return -1;
	p = id + n;
	for (int i = 0; i < 15; i++) {
		if (i == 8 ? p[i] != '-' : (p[i] < '0' || p[i] > '9'))
			return -1;
	}
	p += 15;
	if (!*p)
		return 1;
	if (*p != '-' || p[1] < '2' || p[1] > '9')
		return -1;
	for (const char *q = p + 1; *q; q++)
		if (*q < '0' || *q > '9')
			return -1;
	return atoi(p + 1);
}

static void assert_mode(const char *path, mode_t want, bool dir)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(!!S_ISDIR(st.st_mode), dir);
	assert_int_equal(st.st_mode & 07777, want);
}

/* Modes are exact whatever the umask: 0 would widen them, 0277 narrow them. */
static void test_recorder_modes(void **state)
{
	static const mode_t masks[] = {0, 022, 077, 0277};
	struct fixture *f = *state;
	char err[256], base[PATH_MAX], path[PATH_MAX];

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct recorder *r;

		snprintf(base, sizeof(base), "%s/m%zu/a/b", f->tmp, i);
		umask(masks[i]);
		r = recorder__open(base, 100 + i, "modes", err, sizeof(err));
		umask(022);
		assert_non_null(r);
		snprintf(path, sizeof(path), "%s/m%zu", f->tmp, i);
		assert_mode(path, 0700, true);
		snprintf(path, sizeof(path), "%s/m%zu/a", f->tmp, i);
		assert_mode(path, 0700, true);
		assert_mode(base, 0700, true);
		assert_mode(recorder_dir(r), 0700, true);
		assert_mode(path_in(r, "metadata.json"), 0600, false);
		assert_mode(path_in(r, ev_name()), 0600, false);
		assert_mode(path_in(r, "spans.jsonl"), 0600, false);
		recorder_events(r, "{}\n", 3);
		assert_int_equal(recorder__close(r, "completed"), 0);
		snprintf(path, sizeof(path), "%s/m%zu/a/b", f->tmp, i);
		/* after the final rewrite too; no temporary left behind */
		DIR *d = opendir(base);
		struct dirent *de;
		int n = 0;

		assert_non_null(d);
		while ((de = readdir(d)))
			n += de->d_name[0] != '.';
		closedir(d);
		assert_int_equal(n, 1);
	}
}

static void test_recorder_files_after_close(void **state)
{
	struct fixture *f = *state;
	char err[256], dir[1024], path[PATH_MAX];
	struct recorder *r;
	DIR *d;
	struct dirent *de;
	int n = 0;

	umask(0);
	r = recorder__open(f->base, 7, "x", err, sizeof(err));
	assert_non_null(r);
	strcpy(dir, recorder_dir(r));
	assert_int_equal(recorder__close(r, NULL), 0);
	umask(022);
	const char *const names[] = {"metadata.json", ev_name(), "spans.jsonl"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_mode(path, 0600, false);
	}
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 3);
}

static void test_recorder_id_format(void **state)
{
	struct fixture *f = *state;
	char err[256], want[PATH_MAX];
	struct recorder *r1, *r2;

	r1 = recorder__open(f->base, 31337, "id", err, sizeof(err));
	assert_non_null(r1);
	r2 = recorder__open(f->base, 1, "id", err, sizeof(err));
	assert_non_null(r2);
	assert_int_equal(parse_id(recorder_id(r1), 31337), 1);
	assert_int_equal(parse_id(recorder_id(r2), 1), 1);
	snprintf(want, sizeof(want), "%s/%s", f->base, recorder_id(r1));
	assert_string_equal(recorder_dir(r1), want);
	assert_true(is_lower_hex(recorder_trace_id(r1), 32));
	assert_true(is_lower_hex(recorder_trace_id(r2), 32));
	assert_string_not_equal(recorder_trace_id(r1), recorder_trace_id(r2));
	assert_int_equal(recorder__close(r1, NULL), 0);
	assert_int_equal(recorder__close(r2, NULL), 0);
}

/* RFC 3339 with a numeric offset: 2026-11-24T14:13:27+00:00 */
static bool is_rfc3339(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.ddd+dd:dd"; /* milliseconds */

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (size_t i = 0; pat[i]; i++) {
		if (pat[i] == 'd'   ? (s[i] < '0' || s[i] > '9')
		    : pat[i] == '+' ? (s[i] != '+' && s[i] != '-')
				    : s[i] != pat[i])
			return false;
	}
	return true;
}

static void test_recorder_metadata_initial(void **state)
{
	static const char *const keys[] = {"record_id", "pid",	       "intent", "start_time",
					   "end_time",	"event_count", "status", "lost_events",
					   "trace_id",	"hostname",    "kernel", "agtrace_version"};
	struct fixture *f = *state;
	char err[256], host[256];
	struct utsname un;
	struct recorder *r;
	cJSON *j, *it;
	int n = 0;
	size_t i = 0;

	r = recorder__open(f->base, 4242, "python3 agent.py --task \"fix\"", err, sizeof(err));
	assert_non_null(r);
	j = read_metadata(r, NULL);
	cJSON_ArrayForEach(it, j)
	{
		/* exactly these keys, in this order */
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(it->string, keys[i++]);
		n++;
	}
	assert_int_equal(n, 12);
	assert_string_equal(meta_str(j, "record_id"), recorder_id(r));
	assert_int_equal(meta_num(j, "pid"), 4242);
	assert_string_equal(meta_str(j, "intent"), "python3 agent.py --task \"fix\"");
	assert_true(is_rfc3339(meta_str(j, "start_time")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "end_time")));
	assert_int_equal(meta_num(j, "event_count"), 0);
	assert_string_equal(meta_str(j, "status"), "recording");
	assert_int_equal(meta_num(j, "lost_events"), 0);
	assert_string_equal(meta_str(j, "trace_id"), recorder_trace_id(r));
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_string_equal(meta_str(j, "hostname"), host);
	assert_int_equal(uname(&un), 0);
	assert_string_equal(meta_str(j, "kernel"), un.release);
	assert_true(strlen(meta_str(j, "agtrace_version")) > 0);
	/* the record id's stamp and start_time are the same local instant */
	const char *id = recorder_id(r), *st = meta_str(j, "start_time");
	const char *stamp = strchr(id, '-') + 1;
	char want[32];

	snprintf(want, sizeof(want), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2s", stamp, stamp + 4, stamp + 6,
		 stamp + 9, stamp + 11, stamp + 13);
	assert_memory_equal(st, want, 19);
	cJSON_Delete(j);
	assert_int_equal(recorder__close(r, NULL), 0);

	/* a NULL intent is an empty string, not a missing field */
	r = recorder__open(f->base, 4243, NULL, err, sizeof(err));
	assert_non_null(r);
	j = read_metadata(r, NULL);
	assert_string_equal(meta_str(j, "intent"), "");
	cJSON_Delete(j);
	assert_int_equal(recorder__close(r, NULL), 0);
}

/* Several thousand lines in blocks of varying sizes come back byte for byte, counted exactly. */
static void test_recorder_events_roundtrip(void **state)
{
	static const struct {
		const char *status; /* passed to close */
		const char *want;
		int lines;
	} cases[] = {
	    {NULL, "completed", 7777},
	    {"completed", "completed", 1},
	    {"stopped", "stopped", 5000},
	    {"stopped", "stopped", 0},
	};
	struct fixture *f = *state;
	char err[256], dir[1024], path[PATH_MAX];

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct recorder *r = recorder__open(f->base, 500 + c, "rt", err, sizeof(err));
		size_t total = 0, len, glen;
		char *all, *got;
		int zerr;
		cJSON *j;

		assert_non_null(r);
		all = event_block(0, cases[c].lines, &total);
		/* blocks of 1, 2, 3, ... 97 lines, cut at line boundaries */
		for (size_t off = 0, k = 1; off < total; k = k % 97 + 1) {
			size_t end = off;

			for (size_t i = 0; i < k && end < total; i++)
				end = (char *)memchr(all + end, '\n', total - end) - all + 1;
			recorder_events(r, all + off, end - off);
			off = end;
		}
		strcpy(dir, recorder_dir(r));
		assert_int_equal(recorder_dropped(r), 0);
		assert_int_equal(recorder__close(r, cases[c].status), 0);

		got = ev_read_all(dir, &glen, &zerr);
		assert_int_equal(zerr, EV_END_CLEAN);
		assert_int_equal(glen, total);
		assert_memory_equal(got, all, total);
		free(got);

		j = read_metadata(NULL, dir);
		assert_int_equal(meta_num(j, "event_count"), cases[c].lines);
		assert_int_equal(meta_num(j, "lost_events"), 0);
		assert_string_equal(meta_str(j, "status"), cases[c].want);
		assert_true(is_rfc3339(meta_str(j, "end_time")));
		assert_true(strcmp(meta_str(j, "end_time"), meta_str(j, "start_time")) >= 0);
		cJSON_Delete(j);
		snprintf(path, sizeof(path), "%s/spans.jsonl", dir);
		assert_non_null(got = read_file(path, &len));
		assert_int_equal(len, 0);
		free(got);
		free(all);
	}
}

/* A block without its final newline gets one; the line is counted. */
static void test_recorder_missing_newline(void **state)
{
	struct fixture *f = *state;
	char err[256], dir[1024];
	struct recorder *r = recorder__open(f->base, 9, "nl", err, sizeof(err));
	size_t glen;
	char *got;
	int zerr;
	cJSON *j;

	assert_non_null(r);
	recorder_events(r, "{\"a\":1}\n{\"b\":2}", 15);
	recorder_events(r, "", 0);
	recorder_events(r, "{\"c\":3}\n", 8);
	strcpy(dir, recorder_dir(r));
	assert_int_equal(recorder__close(r, NULL), 0);
	got = ev_read_all(dir, &glen, &zerr);
	assert_string_equal(got, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
	free(got);
	j = read_metadata(NULL, dir);
	assert_int_equal(meta_num(j, "event_count"), 3);
	cJSON_Delete(j);
}

/*
 * While the recorder is open, a copy of the events file taken after a flush interval holds
 * every line so far (gzip: then ends without a trailer) and metadata.json has the count.
 */
static void flush_case(struct fixture *f, const char *flush_ms, useconds_t wait_us, int rounds)
{
	char err[256], copy[PATH_MAX];
	struct recorder *r;
	size_t total = 0, len, glen;
	char *all, *got, *raw;
	unsigned long seq = 0;
	int zerr;
	cJSON *j;

	if (flush_ms)
		setenv("AGTRACE_REC_FLUSH_MS", flush_ms, 1);
	r = recorder__open(f->base, 77, "flush", err, sizeof(err));
	assert_non_null(r);
	all = malloc((size_t)rounds * 1000 * 256);
	assert_non_null(all);
	for (int round = 0; round < rounds; round++) {
		for (int b = 0; b < 10; b++) {
			char *blk = event_block(seq, 100, &len);

			recorder_events(r, blk, len);
			memcpy(all + total, blk, len);
			total += len;
			seq += 100;
			free(blk);
		}
		usleep(wait_us);
		raw = read_file(path_in(r, ev_name()), &len);
		assert_non_null(raw);
		snprintf(copy, sizeof(copy), "%s/copy", f->tmp);
		mkdir(copy, 0700);
		snprintf(copy, sizeof(copy), "%s/copy/%s", f->tmp, ev_name());
		FILE *fp = fopen(copy, "wb");

		assert_non_null(fp);
		assert_int_equal(fwrite(raw, 1, len, fp), len);
		fclose(fp);
		free(raw);
		snprintf(copy, sizeof(copy), "%s/copy", f->tmp);
		got = ev_read_all(copy, &glen, &zerr);
		assert_int_equal(zerr, ev_flushed_end());
		assert_int_equal(glen, total);
		assert_memory_equal(got, all, total);
		free(got);
		/* the metadata follows the events flush after an fsync: give a busy disk 2 s */
		j = read_metadata(r, NULL);
		for (int w = 0; w < 200 && meta_num(j, "event_count") != seq; w++) {
			cJSON_Delete(j);
			usleep(10000);
			j = read_metadata(r, NULL);
		}
		assert_int_equal(meta_num(j, "event_count"), seq);
		assert_string_equal(meta_str(j, "status"), "recording");
		assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "end_time")));
		cJSON_Delete(j);
	}
	assert_int_equal(recorder__close(r, "stopped"), 0);
	free(all);
}

static void test_recorder_periodic_flush(void **state)
{
	flush_case(*state, "100", 600000, 3);
}

/* The default interval is one second: 1.3 s later everything is readable. */
static void test_recorder_periodic_flush_default(void **state)
{
	flush_case(*state, NULL, 1300000, 1);
}

/*
 * A tiny queue: a block bigger than the queue is always dropped (counted exactly); under a
 * burst every line is either written, in order and whole-block, or counted as dropped.
 */
static void test_recorder_queue_overflow(void **state)
{
	struct fixture *f = *state;
	char err[256], dir[1024];
	struct recorder *r;
	size_t len, glen;
	char *blk, *got;
	uint64_t dropped, offered = 0;
	int zerr;
	cJSON *j;

	setenv("AGTRACE_REC_QUEUE", "4096", 1);
	r = recorder__open(f->base, 88, "overflow", err, sizeof(err));
	assert_non_null(r);
	blk = event_block(0, 30, &len); /* ~6 KB > 4 KB */
	assert_true(len > 4096);
	recorder_events(r, blk, len);
	free(blk);
	assert_int_equal(recorder_dropped(r), 30);
	offered += 30;

	for (unsigned long seq = 30; seq < 30 + 2000 * 5; seq += 5) {
		blk = event_block(seq, 5, &len);
		recorder_events(r, blk, len);
		free(blk);
		offered += 5;
	}
	recorder_add_lost(r, 7);
	recorder_add_lost(r, 5);
	dropped = recorder_dropped(r);
	assert_true(dropped >= 30);
	assert_true(dropped % 5 == 0);
	/* a span too big for the queue is counted apart from events */
	blk = event_block(0, 30, &len);
	recorder_span(r, blk, len);
	free(blk);
	assert_int_equal(recorder_spans_dropped(r), 30);
	assert_int_equal(recorder_dropped(r), dropped);
	strcpy(dir, recorder_dir(r));
	assert_int_equal(recorder__close(r, NULL), 0);

	j = read_metadata(NULL, dir);
	assert_int_equal(meta_num(j, "event_count") + dropped, offered);
	assert_int_equal(meta_num(j, "lost_events"), dropped + 12);
	got = ev_read_all(dir, &glen, &zerr);
	assert_int_equal(zerr, EV_END_CLEAN);
	/* each line written is intact and the sequence only moves forward by whole blocks */
	uint64_t lines = 0;
	long prev = -1;
	char want[256];

	for (char *p = got; p < got + glen; lines++) {
		char *nl = memchr(p, '\n', got + glen - p);
		long seq;

		assert_non_null(nl);
		seq = strtol(p + strlen("{\"seq\":"), NULL, 10);
		assert_true(seq > prev);
		assert_true(prev < 0 ? seq % 5 == 0 : (seq == prev + 1 || seq % 5 == 0));
		event_line(want, sizeof(want), seq);
		assert_int_equal(nl + 1 - p, strlen(want));
		assert_memory_equal(p, want, strlen(want));
		prev = seq;
		p = nl + 1;
	}
	assert_int_equal(lines, meta_num(j, "event_count"));
	cJSON_Delete(j);
	free(got);
}

/*
 * A queue of 1 KiB with blocks of 1-3 lines at a pace the writer mostly keeps up with: the ring
 * wraps thousands of times; whatever was not dropped
 * comes back intact and in order.
 */
static void test_recorder_queue_wrap(void **state)
{
	struct fixture *f = *state;
	char err[256], dir[1024], want[256];
	struct recorder *r;
	uint64_t offered = 0, dropped, lines = 0;
	size_t len, glen;
	char *blk, *got;
	long prev = -1;
	int zerr;
	cJSON *j;

	setenv("AGTRACE_REC_QUEUE", "1024", 1);
	r = recorder__open(f->base, 89, "wrap", err, sizeof(err));
	assert_non_null(r);
	for (unsigned long seq = 0, k = 1; seq < 6000; seq += k, k = k % 3 + 1) {
		blk = event_block(seq, k, &len);
		recorder_events(r, blk, len);
		free(blk);
		offered += k;
		usleep(50);
	}
	dropped = recorder_dropped(r);
	strcpy(dir, recorder_dir(r));
	assert_int_equal(recorder__close(r, NULL), 0);
	j = read_metadata(NULL, dir);
	assert_int_equal(meta_num(j, "event_count") + dropped, offered);
	assert_int_equal(meta_num(j, "lost_events"), dropped);
	got = ev_read_all(dir, &glen, &zerr);
	assert_int_equal(zerr, EV_END_CLEAN);
	for (char *p = got; p < got + glen; lines++) {
		char *nl = memchr(p, '\n', got + glen - p);
		long seq;

		assert_non_null(nl);
		seq = strtol(p + strlen("{\"seq\":"), NULL, 10);
		assert_true(seq > prev);
		event_line(want, sizeof(want), seq);
		assert_int_equal(nl + 1 - p, strlen(want));
		assert_memory_equal(p, want, strlen(want));
		prev = seq;
		p = nl + 1;
	}
	assert_int_equal(lines, meta_num(j, "event_count"));
	assert_true(lines > 100); /* > 20 KiB through a 1 KiB ring: it wrapped */
	cJSON_Delete(j);
	free(got);
}

static void test_recorder_spans(void **state)
{
	static const char *const in[] = {
	    "{\"span\":1,\"kind\":\"llm\"}\n",
	    "{\"span\":2,\"kind\":\"tool\"}", /* no newline: one is added */
	    "{\"span\":3,\"name\":\"caf\xc3\xa9\"}\n",
	};
	struct fixture *f = *state;
	char err[256], dir[1024], path[PATH_MAX];
	struct recorder *r = recorder__open(f->base, 99, "spans", err, sizeof(err));
	size_t len, glen;
	char *got;
	int zerr;
	cJSON *j;

	assert_non_null(r);
	for (size_t i = 0; i < 3; i++) {
		recorder_span(r, in[i], strlen(in[i]));
		recorder_events(r, "{\"e\":1}\n", 8);
	}
	recorder_span(r, "", 0);
	strcpy(dir, recorder_dir(r));
	assert_int_equal(recorder__close(r, NULL), 0);
	snprintf(path, sizeof(path), "%s/spans.jsonl", dir);
	got = read_file(path, &len);
	assert_string_equal(got, "{\"span\":1,\"kind\":\"llm\"}\n{\"span\":2,\"kind\":\"tool\"}\n"
				 "{\"span\":3,\"name\":\"caf\xc3\xa9\"}\n");
	free(got);
	got = ev_read_all(dir, &glen, &zerr);
	assert_string_equal(got, "{\"e\":1}\n{\"e\":1}\n{\"e\":1}\n");
	free(got);
	j = read_metadata(NULL, dir);
	assert_int_equal(meta_num(j, "event_count"), 3); /* spans are not events */
	cJSON_Delete(j);
}

/* Same pid in the same second: -2, -3. Retried if the clock ticks between the opens. */
static void test_recorder_collision(void **state)
{
	struct fixture *f = *state;
	char err[256], want[128];
	int attempt;

	for (attempt = 0; attempt < 5; attempt++) {
		pid_t pid = 555 + attempt; /* a fresh name each attempt */
		struct recorder *r1 = recorder__open(f->base, pid, "a", err, sizeof(err));
		struct recorder *r2 = recorder__open(f->base, pid, "b", err, sizeof(err));
		struct recorder *r3 = recorder__open(f->base, pid, "c", err, sizeof(err));
		bool same;

		assert_non_null(r1);
		assert_non_null(r2);
		assert_non_null(r3);
		assert_int_equal(parse_id(recorder_id(r1), pid), 1);
		same = strlen(recorder_id(r3)) > strlen(recorder_id(r1)) &&
		       !strncmp(recorder_id(r1), recorder_id(r3), strlen(recorder_id(r1)));
		if (same) {
			snprintf(want, sizeof(want), "%s-2", recorder_id(r1));
			assert_string_equal(recorder_id(r2), want);
			snprintf(want, sizeof(want), "%s-3", recorder_id(r1));
			assert_string_equal(recorder_id(r3), want);
			assert_int_equal(parse_id(recorder_id(r3), pid), 3);
			cJSON *j = read_metadata(r3, NULL);

			assert_string_equal(meta_str(j, "record_id"), want);
			cJSON_Delete(j);
		}
		assert_int_equal(recorder__close(r1, NULL), 0);
		assert_int_equal(recorder__close(r2, NULL), 0);
		assert_int_equal(recorder__close(r3, NULL), 0);
		if (same)
			break;
	}
	assert_true(attempt < 5);
}

static void test_recorder_env_dir(void **state)
{
	struct fixture *f = *state;
	char err[256], want[PATH_MAX], cwd[PATH_MAX];
	struct recorder *r;

	snprintf(want, sizeof(want), "%s/from-env/deeper", f->tmp);
	setenv("AGTRACE_DIR", want, 1);
	r = recorder__open(NULL, 1234, "env", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(strncmp(recorder_dir(r), want, strlen(want)), 0);
	assert_int_equal(recorder_dir(r)[strlen(want)], '/');
	assert_string_equal(recorder_dir(r) + strlen(want) + 1, recorder_id(r));
	assert_mode(want, 0700, true);
	assert_int_equal(recorder__close(r, NULL), 0);

	/* an explicit base wins over the environment */
	r = recorder__open(f->base, 1234, "env", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(strncmp(recorder_dir(r), f->base, strlen(f->base)), 0);
	assert_int_equal(recorder__close(r, NULL), 0);

	/* neither (or empty): ./agtrace-recordings */
	setenv("AGTRACE_DIR", "", 1);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->tmp), 0);
	r = recorder__open(NULL, 1234, "env", err, sizeof(err));
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(r);
	snprintf(want, sizeof(want), "./agtrace-recordings/%s", recorder_id(r));
	assert_string_equal(recorder_dir(r), want);
	snprintf(want, sizeof(want), "%s/agtrace-recordings/%s/metadata.json", f->tmp,
		 recorder_id(r));
	assert_mode(want, 0600, false);
	assert_int_equal(recorder__close(r, NULL), 0);
}

static void test_recorder_open_errors(void **state)
{
	struct fixture *f = *state;
	char err[256], path[PATH_MAX];
	struct recorder *r;
	int fd;

	/* base is a regular file */
	snprintf(path, sizeof(path), "%s/file", f->tmp);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	err[0] = '\0';
	r = recorder__open(path, 1, "x", err, sizeof(err));
	assert_null(r);
	assert_non_null(strstr(err, path));
	assert_null(strchr(err, '\n'));
	assert_true(strlen(err) > strlen(path));

	/* a component under it */
	snprintf(path, sizeof(path), "%s/file/sub", f->tmp);
	r = recorder__open(path, 1, "x", err, sizeof(err));
	assert_null(r);
	assert_non_null(strstr(err, "cannot create"));

	/* base not writable (skip as root, who may write anyway) */
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "%s/ro", f->tmp);
		assert_int_equal(mkdir(path, 0500), 0);
		r = recorder__open(path, 1, "x", err, sizeof(err));
		assert_null(r);
		assert_non_null(strstr(err, "Permission denied"));
	}
	assert_int_equal(recorder__close(NULL, NULL), 0);
}

/*
 * A tracer killed with SIGKILL after a flush: every line is readable, then the stream ends
 * without a trailer; metadata.json still says "recording" with the count.
 */
static void test_recorder_killed(void **state)
{
	struct fixture *f = *state;
	char dir[1024] = "", err[256];
	const int blocks = 40, per = 50;
	int pfd[2], st, zerr;
	size_t total = 0, glen, n = 0;
	char *all, *got;
	pid_t child;
	cJSON *j;

	all = event_block(0, blocks * per, &total);
	setenv("AGTRACE_REC_FLUSH_MS", "100", 1);
	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct recorder *r = recorder__open(f->base, getpid(), "killed", err, sizeof(err));
		size_t off = 0;

		close(pfd[0]);
		if (!r)
			_exit(1);
		for (int b = 0; b < blocks; b++) {
			size_t end = off;

			for (int i = 0; i < per; i++)
				end = (char *)memchr(all + end, '\n', total - end) - all + 1;
			recorder_events(r, all + off, end - off);
			off = end;
		}
		usleep(400000);
		if (write(pfd[1], recorder_dir(r), strlen(recorder_dir(r))) < 0)
			_exit(1);
		close(pfd[1]);
		for (;;)
			pause();
	}
	close(pfd[1]);
	for (ssize_t got_n; (got_n = read(pfd[0], dir + n, sizeof(dir) - 1 - n)) > 0;)
		n += got_n;
	close(pfd[0]);
	dir[n] = '\0';
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_true(n > 0);

	got = ev_read_all(dir, &glen, &zerr);
	assert_int_equal(zerr, ev_flushed_end());
	assert_int_equal(glen, total);
	assert_memory_equal(got, all, total);
	free(got);
	j = read_metadata(NULL, dir);
	assert_string_equal(meta_str(j, "status"), "recording");
	assert_int_equal(meta_num(j, "event_count"), blocks * per);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "end_time")));
	cJSON_Delete(j);
	free(all);
}

/* Killed before any event: the file is already a valid (empty) stream, or gzip prefix. */
static void test_recorder_killed_empty(void **state)
{
	struct fixture *f = *state;
	char err[256], dir[1024];
	struct recorder *r = recorder__open(f->base, 3, "empty", err, sizeof(err));
	size_t glen;
	char *got;
	int zerr;

	assert_non_null(r);
	strcpy(dir, recorder_dir(r));
	got = ev_read_all(dir, &glen, &zerr);
	assert_int_equal(glen, 0);
	assert_int_equal(zerr, ev_flushed_end());
	free(got);
	assert_int_equal(recorder__close(r, NULL), 0);
	got = ev_read_all(dir, &glen, &zerr);
	assert_int_equal(glen, 0);
	assert_int_equal(zerr, EV_END_CLEAN);
	free(got);
}

/*
 * A write error (a file size limit standing in for ENOSPC): the producer keeps going, lines
 * after the error are counted as lost, close reports the first error.
 */
static void test_recorder_write_error(void **state)
{
	struct fixture *f = *state;
	struct {
		int ret;
		uint64_t written, lost, offered;
		char dir[1024];
	} res;
	int pfd[2], st;
	pid_t child;

	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct rlimit rl = {64 * 1024, 64 * 1024};
		char err[256], line[300];
		struct recorder *r;
		unsigned long long x = 88172645463325252ull;

		close(pfd[0]);
		memset(&res, 0, sizeof(res));
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(1);
		r = recorder__open(f->base, 66, "enospc", err, sizeof(err));
		if (!r)
			_exit(2);
		snprintf(res.dir, sizeof(res.dir), "%s", recorder_dir(r));
		/* incompressible lines: xorshift hex */
		for (int i = 0; i < 20000; i++) {
			int n = 0;

			for (int k = 0; k < 12; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				n += snprintf(line + n, sizeof(line) - n, "%016llx", x);
			}
			line[n++] = '\n';
			recorder_events(r, line, n);
			res.offered++;
		}
		res.ret = recorder__close(r, NULL);
		if (write(pfd[1], &res, sizeof(res)) != sizeof(res))
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &res, sizeof(res)), sizeof(res));
	close(pfd[0]);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(res.ret, -EFBIG);

	cJSON *j = read_metadata(NULL, res.dir);
	uint64_t written = meta_num(j, "event_count"), lost = meta_num(j, "lost_events");

	assert_true(written > 0 && written < res.offered);
	assert_int_equal(written + lost, res.offered);
	assert_string_equal(meta_str(j, "status"), "completed");
	cJSON_Delete(j);
}

/*
 * Not a test: AGTRACE_REC_BENCH=1 writes 1M typical ~220-byte lines (twice: as generated, and
 * with 32 random hex digits per line, closer to real entropy) through a queue big enough to
 * hold them all, and prints the producer's enqueue rate, the end-to-end rate (open to close,
 * i.e. the writer's) and the bytes per event on disk.
 */
static void bench_one(struct fixture *f, bool noisy)
{
	const unsigned long n = 1000000, per = 64;
	unsigned long long x = 88172645463325252ull;
	char err[256], path[PATH_MAX];
	struct recorder *r;
	struct timespec t0, t1, t2;
	struct stat st;
	size_t len, raw = 0;
	double fmt_s = 0, s_enq, s_all;
	char *blk;

	r = recorder__open(f->base, noisy ? 2 : 1, "bench", err, sizeof(err));
	assert_non_null(r);
	blk = malloc(per * 300);
	assert_non_null(blk);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long seq = 0; seq < n; seq += per) {
		struct timespec a, b;

		clock_gettime(CLOCK_MONOTONIC, &a);
		len = 0;
		for (unsigned long i = 0; i < per; i++) {
			len += event_line(blk + len, 256, seq + i);
			if (noisy) {
				len--; /* before the newline */
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				len += sprintf(blk + len, ",\"h\":\"%016llx", x);
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				len += sprintf(blk + len, "%016llx\"\n", x);
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		fmt_s += (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
		recorder_events(r, blk, len);
		raw += len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(recorder_dropped(r), 0);
	snprintf(path, sizeof(path), "%s/%s", recorder_dir(r), ev_name());
	assert_int_equal(recorder__close(r, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	s_enq = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 - fmt_s;
	s_all = (t2.tv_sec - t0.tv_sec) + (t2.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(stat(path, &st), 0);
	printf("recorder bench (%s, %s): %lu lines, %.1f B/line raw; enqueue %.0f lines/s; "
	       "open..close %.3f s = %.0f events/s (%.1f MB/s raw); %.1f bytes/event on disk\n",
	       ev_name(), noisy ? "+32 random hex" : "generated", n, (double)raw / n, n / s_enq,
	       s_all, n / s_all, raw / s_all / 1e6, (double)st.st_size / n);
	free(blk);
}

static void test_recorder_throughput(void **state)
{
	if (!getenv("AGTRACE_REC_BENCH"))
		skip();
	setenv("AGTRACE_REC_QUEUE", "536870912", 1);
	bench_one(*state, false);
	bench_one(*state, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_recorder_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_files_after_close, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_id_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_metadata_initial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_events_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_missing_newline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_periodic_flush, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_periodic_flush_default, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_queue_overflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_queue_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_spans, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_collision, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_env_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_open_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_killed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_killed_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_write_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_throughput, setup, teardown),
	    /* the gzip writer, still there for comparison (AGTRACE_REC_CODEC=gzip) */
	    cmocka_unit_test_setup_teardown(test_recorder_modes, setup_gzip, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_events_roundtrip, setup_gzip, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_periodic_flush, setup_gzip, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_killed, setup_gzip, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_killed_empty, setup_gzip, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_write_error, setup_gzip, teardown),
	    cmocka_unit_test_setup_teardown(test_recorder_throughput, setup_gzip, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
