/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rec_fixture.h - recordings built by the unit tests: a temp directory with metadata.json and an
 * events.jsonl.gz written through zlib (gzopen/gzwrite, one gzip member per fx_events call with
 * append), optionally cut short. Header-only: each test binary is built on its own.
 */
#ifndef AGT_REC_FIXTURE_H
#define AGT_REC_FIXTURE_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "recording.h"
#include "snapshot.h"

/* A fresh base directory; the path is malloc'd. */
static inline char *fx_base(void)
{
	char tmpl[] = "/tmp/agt-rec-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static inline int fx_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static inline void fx_rm(char *base)
{
	if (base)
		nftw(base, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(base);
}

/* <base>/<id>, created; path into buf. */
static inline const char *fx_dir(const char *base, const char *id, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", base, id);
	mkdir(buf, 0700);
	return buf;
}

static inline void fx_write(const char *dir, const char *name, const void *data, size_t len)
{
	char p[4352];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

static inline void fx_meta(const char *dir, const char *id, const char *status,
			   const char *start, const char *end, unsigned count)
{
	char buf[2048];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "{\"record_id\":\"%s\",\"pid\":100,\"intent\":\"python3 agent.py\","
		     "\"start_time\":\"%s\",\"end_time\":%s%s%s,\"event_count\":%u,"
		     "\"status\":\"%s\",\"lost_events\":3,"
		     "\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"hostname\":\"h\","
		     "\"kernel\":\"6.1.0\",\"agtrace_version\":\"0.1.0\"}\n",
		     id, start, end ? "\"" : "", end ? end : "null", end ? "\"" : "", count,
		     status);
	fx_write(dir, "metadata.json", buf, (size_t)n);
}

/* Appends the lines (each gets a '\n') as one more gzip member. */
static inline void fx_events(const char *dir, const char *const *lines, size_t n)
{
	char p[4352];
	gzFile gz;

	snprintf(p, sizeof(p), "%s/events.jsonl.gz", dir);
	gz = gzopen(p, "ab");
	if (!gz)
		abort();
	for (size_t i = 0; i < n; i++) {
		gzwrite(gz, lines[i], (unsigned)strlen(lines[i]));
		gzwrite(gz, "\n", 1);
	}
	gzclose(gz);
}

/*
 * Appends text as a gzip member that was flushed (Z_SYNC_FLUSH) but never finished: no final
 * block, no trailer - what a writer killed between flushes leaves behind.
 */
static inline void fx_events_unfinished(const char *dir, const char *text)
{
	unsigned char out[65536];
	z_stream z = {0};
	char p[4352];
	FILE *f;

	snprintf(p, sizeof(p), "%s/events.jsonl.gz", dir);
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)text;
	z.avail_in = (unsigned)strlen(text);
	z.next_out = out;
	z.avail_out = sizeof(out);
	if (deflate(&z, Z_SYNC_FLUSH) != Z_OK || z.avail_in)
		abort();
	f = fopen(p, "ab");
	if (!f || fwrite(out, 1, sizeof(out) - z.avail_out, f) != sizeof(out) - z.avail_out)
		abort();
	fclose(f);
	deflateEnd(&z);
}

/* Cuts n bytes off the end of dir/name. */
static inline void fx_cut(const char *dir, const char *name, long n)
{
	char p[4352];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (stat(p, &st) || truncate(p, st.st_size - n))
		abort();
}

/*
 * The standard conversation (pid 100; pid 101 a child), 13 events #0..#12:
 *  #0 exec python3 agent.py --task fix   #2 snapshot A (chat, "You are helpful.", 1 message)
 *  #3 http with the original request body  #4 llm_response 120→30 answering A
 *  #5..#7 child fork/exec/exit  #8 lost 3  #9 snapshot B ("You are very helpful.", 3 messages,
 *  unanswered)  #10 write ENOENT  #11 state_change  #12 snapshot C (2 messages, one moved)
 */
#define FX_SNAP_A                                                                              \
	"{\"seq_num\":2,\"timestamp\":3000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","   \
	"\"type\":\"context_snapshot\",\"context\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\"," \
	"\"system_prompt\":\"You are helpful.\",\"messages\":[{\"role\":\"user\",\"content\":"  \
	"\"fix the bug\"}],\"tools\":[\"bash\"],\"message_count\":1,\"request_bytes\":200}}"
#define FX_SNAP_B                                                                              \
	"{\"seq_num\":9,\"timestamp\":9000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","   \
	"\"type\":\"context_snapshot\",\"context\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\"," \
	"\"system_prompt\":\"You are very helpful.\",\"messages\":[{\"role\":\"user\","        \
	"\"content\":\"fix the bug\"},{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":" \
	"[{\"id\":\"call_1\",\"name\":\"bash\",\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"}]},"  \
	"{\"role\":\"tool\",\"content\":\"a.txt\",\"tool_call_id\":\"call_1\"}],\"tools\":"     \
	"[\"bash\"],\"message_count\":3,\"request_bytes\":400}}"
#define FX_SNAP_C                                                                              \
	"{\"seq_num\":12,\"timestamp\":12500000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","  \
	"\"type\":\"context_snapshot\",\"context\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\"," \
	"\"system_prompt\":\"You are very helpful.\",\"messages\":[{\"role\":\"tool\","        \
	"\"content\":\"a.txt\",\"tool_call_id\":\"call_1\"},{\"role\":\"user\",\"content\":"    \
	"\"fix the bug\"}],\"tools\":[],\"message_count\":2,\"request_bytes\":300}}"

static const char *const fx_std_lines[] = {
    "{\"seq_num\":0,\"timestamp\":1000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","
    "\"type\":\"process\",\"process\":{\"event\":\"exec\",\"filename\":\"/usr/bin/python3\","
    "\"argv\":[\"python3\",\"agent.py\",\"--task\",\"fix\"],\"argc\":4,\"old_tid\":100}}",
    "{\"seq_num\":1,\"timestamp\":2000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","
    "\"type\":\"syscall\",\"syscall\":{\"syscall\":\"openat\",\"nr\":257,\"args\":{\"dirfd\":"
    "\"AT_FDCWD\",\"pathname\":\"/etc/hosts\",\"flags\":\"O_RDONLY|O_CLOEXEC\"},\"result\":3,"
    "\"err\":\"\",\"duration\":21000}}",
    FX_SNAP_A,
    "{\"seq_num\":3,\"timestamp\":4000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","
    "\"type\":\"http\",\"http\":{\"method\":\"POST\",\"path\":\"/v1/chat/completions\","
    "\"status\":200,\"request_body\":\"{\\\"model\\\":\\\"gpt-4o\\\",\\\"messages\\\":[],"
    "\\\"tools\\\":[{\\\"type\\\":\\\"function\\\",\\\"function\\\":{\\\"name\\\":"
    "\\\"bash\\\"}}],\\\"temperature\\\":0.2,\\\"stream\\\":true,\\\"stream_options\\\":"
    "{\\\"include_usage\\\":true}}\",\"response_body\":\"\",\"request_bytes\":200,"
    "\"response_bytes\":0}}",
    "{\"seq_num\":4,\"timestamp\":5000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","
    "\"type\":\"llm_response\",\"llm\":{\"api\":\"openai.chat\",\"model\":\"gpt-4o\","
    "\"request_tokens\":120,\"response_tokens\":30,\"total_tokens\":150,\"latency\":850000000,"
    "\"ttft\":-1,\"status\":200,\"finish_reason\":\"tool_calls\",\"stream\":false,"
    "\"content\":\"\",\"tool_calls\":[{\"id\":\"call_1\",\"name\":\"bash\",\"arguments\":"
    "\"{\\\"cmd\\\":\\\"ls\\\"}\"}],\"complete\":true}}",
    "{\"seq_num\":5,\"timestamp\":6000000,\"pid\":101,\"tid\":101,\"comm\":\"python3\","
    "\"type\":\"process\",\"process\":{\"event\":\"fork\",\"ppid\":100,\"parent_tid\":100}}",
    "{\"seq_num\":6,\"timestamp\":6500000,\"pid\":101,\"tid\":101,\"comm\":\"ls\","
    "\"type\":\"process\",\"process\":{\"event\":\"exec\",\"filename\":\"/bin/ls\","
    "\"argv\":[\"ls\",\"-la\"],\"argc\":2,\"old_tid\":101}}",
    "{\"seq_num\":7,\"timestamp\":7000000,\"pid\":101,\"tid\":101,\"comm\":\"ls\","
    "\"type\":\"process\",\"process\":{\"event\":\"exit\",\"exit_code\":0,\"signal\":null,"
    "\"core_dumped\":false}}",
    "{\"seq_num\":8,\"timestamp\":8000000,\"type\":\"lost\",\"lost\":{\"count\":3}}",
    FX_SNAP_B,
    "{\"seq_num\":10,\"timestamp\":10000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","
    "\"type\":\"syscall\",\"syscall\":{\"syscall\":\"unlink\",\"nr\":87,\"args\":{\"pathname\":"
    "\"/tmp/x\"},\"result\":-1,\"err\":\"ENOENT\",\"duration\":5000}}",
    "{\"seq_num\":11,\"timestamp\":11000000,\"pid\":100,\"tid\":100,\"comm\":\"python3\","
    "\"type\":\"state_change\",\"state\":{\"from_state\":\"thinking\",\"to_state\":\"tool\","
    "\"reason\":\"tool_calls\"}}",
    FX_SNAP_C,
};

#define FX_STD_N (sizeof(fx_std_lines) / sizeof(fx_std_lines[0]))
#define FX_STD_ID "100-20260329-101500"

/* The standard recording under base, split into two gzip members; its directory into dir. */
static inline const char *fx_std(const char *base, char *dir, size_t n)
{
	fx_dir(base, FX_STD_ID, dir, n);
	fx_meta(dir, FX_STD_ID, "completed", "2026-03-29T10:15:00Z", "2026-03-29T10:15:02.5Z",
		FX_STD_N);
	fx_events(dir, fx_std_lines, 6);
	fx_events(dir, fx_std_lines + 6, FX_STD_N - 6);
	return dir;
}

/* The standard recording opened, with its snapshot finder: a cmocka group's state. */
struct fx {
	char *base;
	struct recording *r;
	struct snapfinder *f;
};

static inline int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char dir[4096];
	struct rec_err err;

	fx->base = fx_base();
	fx_std(fx->base, dir, sizeof(dir));
	*state = fx;
	if (recording__open_dir(&fx->r, dir, &err))
		return -1;
	fx->f = snapfinder__new(fx->r);
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *fx = *state;

	snapfinder__free(fx->f);
	recording__free(fx->r);
	fx_rm(fx->base);
	free(fx);
	return 0;
}

#endif
