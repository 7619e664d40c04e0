// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * recorder.c - writes a recording directory from a writer thread (contracts in recorder.h).
 *
 * The queue is one preallocated byte ring of 8-byte aligned records {len, kind, bytes}, so the
 * producer allocates nothing per block: it copies into free space without the lock, then
 * publishes the new head under the mutex (and signals only when the writer sleeps). The writer
 * reads published records without the lock and releases them one by one by advancing tail.
 * head is written by the producer under the mutex; tail by the writer, atomically.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "evwriter.h"
#include "recorder.h"

#ifndef AGT_VERSION
#define AGT_VERSION "0.1.0"
#endif

#define REC_ALIGN      8
#define REC_HDR	       8
#define REC_MAX_SUFFIX 1000

enum rec_kind {
	RK_EVENTS = 1,
	RK_SPAN = 2,
	RK_PAD = 3, /* fills the end of the ring up to the wrap */
};

struct rec_hdr {
	uint32_t len; /* payload bytes, not counting padding */
	uint32_t kind;
};

struct recorder {
	char *dir;
	char id[64];
	char trace_id[33];
	char start_time[40];
	char *intent;
	pid_t pid;
	int dfd;
	int ev_fd;
	enum evcodec codec;
	struct evwriter *ew;
	int sp_fd;

	/* queue */
	unsigned char *ring;
	uint64_t cap;
	uint64_t head;	       /* producer; published under mu */
	_Atomic uint64_t tail; /* writer */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool waiting; /* writer sleeps on cv (under mu) */
	bool closing; /* under mu */
	pthread_t thread;
	bool thread_started;
	long flush_ms;

	/* counters */
	_Atomic uint64_t dropped;	/* event lines, full queue */
	_Atomic uint64_t spans_dropped; /* span lines, full queue */
	_Atomic uint64_t kernel_lost;	/* recorder_add_lost */
	uint64_t err_lost;		/* writer: event lines lost to a write error */
	uint64_t event_count;		/* writer: event lines written */
	uint64_t lost_flushed;		/* lost_events in the last metadata written */
	int err;			/* writer: first error, positive errno */
	bool ev_failed;			/* writer: the compressed stream is unusable */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t count_lines(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	uint64_t n = 0;

	while (p < end && (p = memchr(p, '\n', end - p))) {
		n++;
		p++;
	}
	return n;
}

static uint64_t align_up(uint64_t v)
{
	return (v + REC_ALIGN - 1) & ~(uint64_t)(REC_ALIGN - 1);
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * RFC 3339 with milliseconds (a recording's duration is end - start) and the local offset as
 * +HH:MM (strftime's %z has no colon).
 */
static void rfc3339_ms(const struct timespec *now, char *buf, size_t len)
{
	struct tm tm;
	char z[8];
	size_t n;

	localtime_r(&now->tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(buf + n, len - n, ".%03ld", now->tv_nsec / 1000000);
	if (strftime(z, sizeof(z), "%z", &tm) == 5)
		snprintf(buf + n, len - n, "%.3s:%.2s", z, z + 3);
	else
		snprintf(buf + n, len - n, "Z");
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return def;
	return v;
}

/* mkdir -p; components created here get exactly 0700. 0 or -errno. */
static int mkdir_parents(const char *path)
{
	char *p, *s;
	int ret = 0;

	p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0700) == 0) {
			if (chmod(p, 0700) < 0) {
				ret = -errno;
				break;
			}
		} else if (errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

/* Creates name in the recording directory, exactly 0600. fd or -errno. */
static int create_file(int dfd, const char *name, int flags)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);

	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static uint64_t lost_events(struct recorder *r)
{
	return atomic_load(&r->kernel_lost) + atomic_load(&r->dropped) + r->err_lost;
}

/*
 * Rewrites metadata.json through a 0600 temporary file, fsync and rename, so a reader sees
 * the old or the new version, never a torn one. Called by the writer thread, or by open and
 * close while it does not run. 0 or -errno.
 */
static int write_metadata(struct recorder *r, const char *status, const char *end_time)
{
	static const char tmp[] = "metadata.json.tmp";
	struct utsname un;
	char host[256];
	cJSON *j;
	char *txt = NULL;
	int fd = -1, ret = -ENOMEM;
	uint64_t lost = lost_events(r);

	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (uname(&un) < 0)
		un.release[0] = '\0';

	j = cJSON_CreateObject();
	if (!j)
		goto cleanup;
	if (!cJSON_AddStringToObject(j, "record_id", r->id) ||
	    !cJSON_AddNumberToObject(j, "pid", r->pid) ||
	    !cJSON_AddStringToObject(j, "intent", r->intent) ||
	    !cJSON_AddStringToObject(j, "start_time", r->start_time) ||
	    !(end_time ? cJSON_AddStringToObject(j, "end_time", end_time)
		       : cJSON_AddNullToObject(j, "end_time")) ||
	    !cJSON_AddNumberToObject(j, "event_count", (double)r->event_count) ||
	    !cJSON_AddStringToObject(j, "status", status) ||
	    !cJSON_AddNumberToObject(j, "lost_events", (double)lost) ||
	    !cJSON_AddStringToObject(j, "trace_id", r->trace_id) ||
	    !cJSON_AddStringToObject(j, "hostname", host) ||
	    !cJSON_AddStringToObject(j, "kernel", un.release) ||
	    !cJSON_AddStringToObject(j, "agtrace_version", AGT_VERSION))
		goto cleanup;
	txt = cJSON_PrintUnformatted(j);
	if (!txt)
		goto cleanup;

	fd = create_file(r->dfd, tmp, O_TRUNC);
	if (fd < 0) {
		ret = fd;
		goto cleanup;
	}
	ret = evwriter_write_all(fd, txt, strlen(txt));
	if (!ret)
		ret = evwriter_write_all(fd, "\n", 1);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	fd = -1;
	if (!ret && renameat(r->dfd, tmp, r->dfd, "metadata.json") < 0)
		ret = -errno;
	if (ret)
		unlinkat(r->dfd, tmp, 0);
	else
		r->lost_flushed = lost;
cleanup:
	free(txt);
	cJSON_Delete(j);
	return ret;
}

static void note_err(struct recorder *r, int neg_errno)
{
	if (neg_errno && !r->err)
		r->err = -neg_errno;
}

static void write_events(struct recorder *r, const unsigned char *p, uint32_t len)
{
	uint64_t lines = count_lines(p, len);

	if (!r->ev_failed) {
		int ret = evwriter_write(r->ew, p, len);

		if (!ret) {
			r->event_count += lines;
			return;
		}
		note_err(r, ret);
		r->ev_failed = true;
	}
	r->err_lost += lines;
}

static void write_span(struct recorder *r, const unsigned char *p, uint32_t len)
{
	int ret;

	if (r->sp_fd < 0)
		return;
	ret = evwriter_write_all(r->sp_fd, p, len);
	if (ret) {
		note_err(r, ret);
		/* stop appending: a torn line could be followed by whole ones */
		close(r->sp_fd);
		r->sp_fd = -1;
	}
}

/* Makes everything written so far readable on disk and records the counts. */
static void flush_now(struct recorder *r)
{
	if (!r->ev_failed) {
		int ret = evwriter_flush(r->ew);

		if (ret) {
			note_err(r, ret);
			r->ev_failed = true;
		}
	}
	note_err(r, write_metadata(r, "recording", NULL));
}

static void *writer_main(void *arg)
{
	struct recorder *r = arg;
	uint64_t last_flush = monotonic_ms();
	bool dirty = false;

	for (;;) {
		uint64_t head, tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		bool closing;

		pthread_mutex_lock(&r->mu);
		while (r->head == tail && !r->closing) {
			uint64_t now = monotonic_ms();
			struct timespec ts;
			uint64_t due;

			if (atomic_load(&r->kernel_lost) + atomic_load(&r->dropped) + r->err_lost !=
			    r->lost_flushed)
				dirty = true;
			if (dirty && now >= last_flush + r->flush_ms)
				break;
			due = (dirty ? last_flush : now) + r->flush_ms;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (due - now) / 1000;
			ts.tv_nsec += ((due - now) % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			r->waiting = true;
			pthread_cond_timedwait(&r->cv, &r->mu, &ts);
			r->waiting = false;
		}
		head = r->head;
		closing = r->closing;
		pthread_mutex_unlock(&r->mu);

		while (tail != head) {
			const struct rec_hdr *h = (const void *)(r->ring + tail % r->cap);
			const unsigned char *p = (const unsigned char *)(h + 1);

			if (h->kind == RK_EVENTS)
				write_events(r, p, h->len);
			else if (h->kind == RK_SPAN)
				write_span(r, p, h->len);
			tail += REC_HDR + align_up(h->len);
			atomic_store_explicit(&r->tail, tail, memory_order_release);
			dirty = true;
			if (monotonic_ms() >= last_flush + r->flush_ms) {
				flush_now(r);
				last_flush = monotonic_ms();
				dirty = false;
			}
		}
		if (closing && tail == head)
			break;
		if (dirty && monotonic_ms() >= last_flush + r->flush_ms) {
			flush_now(r);
			last_flush = monotonic_ms();
			dirty = false;
		}
	}
	return NULL;
}

/*
 * Reserves room for a record of len payload bytes (plus one if add_nl) and fills it; returns
 * false if it does not fit. Producer only: the bytes between head and tail + cap are free.
 */
static bool queue_push(struct recorder *r, uint32_t kind, const char *buf, size_t len, bool add_nl)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint64_t head = r->head; /* only this thread writes it */
	uint64_t plen = len + add_nl;
	uint64_t need, pad, off;
	struct rec_hdr *h;
	bool signal;

	if (plen > UINT32_MAX)
		return false;
	need = REC_HDR + align_up(plen);
	off = head % r->cap;
	pad = r->cap - off < need ? r->cap - off : 0;
	if (need + pad > r->cap - (head - tail))
		return false;
	if (pad) {
		h = (void *)(r->ring + off);
		h->len = pad - REC_HDR;
		h->kind = RK_PAD;
		off = 0;
	}
	h = (void *)(r->ring + off);
	h->len = plen;
	h->kind = kind;
	memcpy(h + 1, buf, len);
	if (add_nl)
		((char *)(h + 1))[len] = '\n';

	pthread_mutex_lock(&r->mu);
	r->head = head + pad + need;
	signal = r->waiting;
	pthread_mutex_unlock(&r->mu);
	if (signal)
		pthread_cond_signal(&r->cv);
	return true;
}

void recorder_events(struct recorder *r, const char *buf, size_t len)
{
	bool add_nl;

	if (!r || !len)
		return;
	add_nl = buf[len - 1] != '\n';
	if (!queue_push(r, RK_EVENTS, buf, len, add_nl))
		atomic_fetch_add(&r->dropped,
				 count_lines((const unsigned char *)buf, len) + add_nl);
}

void recorder_span(struct recorder *r, const char *line, size_t len)
{
	bool add_nl;

	if (!r || !len)
		return;
	add_nl = line[len - 1] != '\n';
	if (!queue_push(r, RK_SPAN, line, len, add_nl))
		atomic_fetch_add(&r->spans_dropped,
				 count_lines((const unsigned char *)line, len) + add_nl);
}

void recorder_add_lost(struct recorder *r, uint64_t n)
{
	if (r)
		atomic_fetch_add(&r->kernel_lost, n);
}

uint64_t recorder_dropped(const struct recorder *r)
{
	return r ? atomic_load(&((struct recorder *)r)->dropped) : 0;
}

uint64_t recorder_spans_dropped(const struct recorder *r)
{
	return r ? atomic_load(&((struct recorder *)r)->spans_dropped) : 0;
}

const char *recorder_dir(const struct recorder *r)
{
	return r->dir;
}

const char *recorder_id(const struct recorder *r)
{
	return r->id;
}

const char *recorder_trace_id(const struct recorder *r)
{
	return r->trace_id;
}

static int make_trace_id(char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += n;
	}
	for (size_t i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[32] = '\0';
	return 0;
}

/* Frees everything open set up; the thread must not be running. */
static void recorder_free(struct recorder *r)
{
	if (!r)
		return;
	evwriter__close(r->ew);
	if (r->sp_fd >= 0)
		close(r->sp_fd);
	if (r->ev_fd >= 0)
		close(r->ev_fd);
	if (r->dfd >= 0)
		close(r->dfd);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r->ring);
	free(r->intent);
	free(r->dir);
	free(r);
}

/* Undoes a half-made recording directory so a failed open leaves nothing behind. */
static void remove_recording(struct recorder *r, const char *base)
{
	static const char *const names[] = {"metadata.json", "metadata.json.tmp",
					    "events.jsonl.zst", "events.jsonl.gz", "spans.jsonl"};
	int bfd;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(r->dfd, names[i], 0);
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd >= 0) {
		unlinkat(bfd, r->id, AT_REMOVEDIR);
		close(bfd);
	}
}

struct recorder *recorder__open(const char *base, pid_t pid, const char *intent, char *err,
				size_t errlen)
{
	struct recorder *r;
	pthread_condattr_t ca;
	sigset_t all, old;
	char stamp[32];
	struct tm tm;
	time_t now;
	struct timespec now_ts;
	int bfd = -1, ret;
	bool made_dir = false;

	if (!base) {
		base = getenv("AGTRACE_DIR");
		if (!base || !*base)
			base = "./agtrace-recordings";
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		set_err(err, errlen, "cannot allocate recorder: %s", strerror(ENOMEM));
		return NULL;
	}
	r->dfd = r->ev_fd = r->sp_fd = -1;
	r->pid = pid;
	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	r->codec = evcodec_from_env();
	r->flush_ms = env_u64("AGTRACE_REC_FLUSH_MS", RECORDER_FLUSH_MS_DEFAULT);
	r->cap = align_up(env_u64("AGTRACE_REC_QUEUE", RECORDER_QUEUE_DEFAULT));
	if (r->cap < 64)
		r->cap = 64;
	r->intent = strdup(intent ? intent : "");
	r->ring = malloc(r->cap);
	if (!r->intent || !r->ring) {
		set_err(err, errlen, "cannot allocate recorder queue: %s", strerror(ENOMEM));
		goto fail;
	}
	ret = make_trace_id(r->trace_id);
	if (ret) {
		set_err(err, errlen, "cannot generate trace id: %s", strerror(-ret));
		goto fail;
	}

	ret = mkdir_parents(base);
	if (ret) {
		set_err(err, errlen, "cannot create %s: %s", base, strerror(-ret));
		goto fail;
	}
	bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0) {
		set_err(err, errlen, "cannot open %s: %s", base, strerror(errno));
		goto fail;
	}

	clock_gettime(CLOCK_REALTIME, &now_ts);
	now = now_ts.tv_sec;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	rfc3339_ms(&now_ts, r->start_time, sizeof(r->start_time));
	for (int n = 1; n <= REC_MAX_SUFFIX; n++) {
		if (n == 1)
			snprintf(r->id, sizeof(r->id), "%d-%s", (int)pid, stamp);
		else
			snprintf(r->id, sizeof(r->id), "%d-%s-%d", (int)pid, stamp, n);
		if (mkdirat(bfd, r->id, 0700) == 0) {
			made_dir = true;
			break;
		}
		if (errno != EEXIST) {
			set_err(err, errlen, "cannot create %s/%s: %s", base, r->id,
				strerror(errno));
			goto fail;
		}
	}
	if (!made_dir) {
		set_err(err, errlen, "cannot create %s/%s: %s", base, r->id, strerror(EEXIST));
		goto fail;
	}
	if (asprintf(&r->dir, "%s/%s", base, r->id) < 0) {
		r->dir = NULL;
		set_err(err, errlen, "cannot allocate path: %s", strerror(ENOMEM));
		goto fail;
	}
	r->dfd = openat(bfd, r->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dfd < 0 || fchmod(r->dfd, 0700) < 0) {
		set_err(err, errlen, "cannot open %s: %s", r->dir, strerror(errno));
		goto fail;
	}

	r->ev_fd = create_file(r->dfd, evcodec_file(r->codec), O_EXCL);
	if (r->ev_fd < 0) {
		set_err(err, errlen, "cannot create %s/%s: %s", r->dir, evcodec_file(r->codec),
			strerror(-r->ev_fd));
		goto fail;
	}
	r->sp_fd = create_file(r->dfd, "spans.jsonl", O_EXCL | O_APPEND);
	if (r->sp_fd < 0) {
		set_err(err, errlen, "cannot create %s/spans.jsonl: %s", r->dir,
			strerror(-r->sp_fd));
		goto fail;
	}
	/* writes the stream's header: a recording killed before any event is still valid */
	ret = evwriter__open(&r->ew, r->ev_fd, r->codec);
	if (ret) {
		set_err(err, errlen, "cannot write %s/%s: %s", r->dir, evcodec_file(r->codec),
			strerror(-ret));
		goto fail;
	}
	ret = write_metadata(r, "recording", NULL);
	if (!ret && fsync(r->dfd) < 0)
		ret = -errno;
	if (ret) {
		set_err(err, errlen, "cannot write %s/metadata.json: %s", r->dir, strerror(-ret));
		goto fail;
	}

	/* the tracer's signal handlers must run on its own thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&r->thread, NULL, writer_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		set_err(err, errlen, "cannot start recording writer: %s", strerror(ret));
		goto fail;
	}
	r->thread_started = true;
	close(bfd);
	return r;

fail:
	if (made_dir)
		remove_recording(r, base);
	if (bfd >= 0)
		close(bfd);
	recorder_free(r);
	return NULL;
}

int recorder__close(struct recorder *r, const char *status)
{
	char end_time[40];
	struct timespec end_ts;
	int ret;

	if (!r)
		return 0;
	if (r->thread_started) {
		pthread_mutex_lock(&r->mu);
		r->closing = true;
		pthread_mutex_unlock(&r->mu);
		pthread_cond_signal(&r->cv);
		pthread_join(r->thread, NULL);
	}

	ret = evwriter__close(r->ew);
	r->ew = NULL;
	if (!r->ev_failed)
		note_err(r, ret);
	if (fsync(r->ev_fd) < 0)
		note_err(r, -errno);
	if (r->sp_fd >= 0 && fsync(r->sp_fd) < 0)
		note_err(r, -errno);
	clock_gettime(CLOCK_REALTIME, &end_ts);
	rfc3339_ms(&end_ts, end_time, sizeof(end_time));
	note_err(r, write_metadata(r, status ? status : "completed", end_time));
	if (fsync(r->dfd) < 0)
		note_err(r, -errno);
	ret = -r->err;
	recorder_free(r);
	return ret;
}
