// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tracer.c - the libbpf lifecycle (open -> rodata -> load -> attach -> ring buffer) and the
 * consumer loop. The only user/ file besides main.c that sees libbpf or the skeleton.
 *
 * The kernel side submits without wake-ups (see wake_flags() in the BPF program), so the loop
 * polls with a short timeout and always drains the ring after it, whether or not it was woken.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "agtrace.skel.h"
#include "capspec.h"
#include "llm_events.h"
#include "pidset.h"
#include "printer.h"
#include "errno_names.h"
#include "proctree.h"
#include "record.h"
#include "recorder.h"
#include "redact.h"
#include "sbuf.h"
#include "span_live.h"
#include "strfmt.h"
#include "summary.h"
#include "syscall_table.h"
#include "tls_conn.h"
#include "tls_coverage.h"
#include "tls_probe.h"
#include "tracer.h"

#define POLL_MS	    50
#define TLS_SCAN_NS 1000000000ull /* how often traced processes' mappings are rescanned */

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = sig;
}

struct consumer {
	struct printer pr;
	struct pidset
	    targets; /* -p: the pids and their descendants at attach (then in `tracked`) */
	bool print;  /* false with -c: only process bookkeeping */
	bool stats;  /* AGTRACE_STATS: per-syscall counts and exit->line latency */
	unsigned long long records;
	unsigned long long syscalls;
	unsigned long long by_nr[AGT_NR_MAX];
	unsigned long long lat_hist[64]; /* log2 µs of exit -> formatted, for AGTRACE_STATS */
	/*
	 * Exit records wait one drain: the process's other threads may still have records in other
	 * CPUs' batches, flushed by the next drain, and "+++ exited" must come after them.
	 */
	struct held_exit {
		struct agt_exit rec;
		unsigned long long drain;
	} * held;
	size_t nheld, capheld;
	unsigned long long drains;
	/* the last executable mmap's rescan: one per process per drain (ld.so maps a dozen) */
	__u32 mapped[32]; /* processes that mapped a file executable this drain (rescanned after) */
	unsigned nmapped;
	struct rusage ru0;     /* at the start of consuming */
	struct tls_probe *tls; /* NULL with --no-tls or where it cannot load */
	struct tls_conns *conns;
	struct tls_coverage *cov; /* with TLS capture: who talks TLS the probes cannot see */
	struct llm_events llm;
	unsigned long long tls_lost_bytes;
	/* -r / `record`: the same events as JSON lines into a recording, and its spans */
	struct recorder *rec;
	struct printer rpr;
	/* spans and state_change events (recordings and --json): the analyzers' own builder */
	struct span_live sl;
	char trace_id[33];
	unsigned long long spans_cut; /* span lines too long to write */
	char *carry;		      /* the start of a line cut by a flush of rpr's buffer */
	size_t ncarry, capcarry;
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Keeps an exit record for the next drain; false if it cannot (print it now instead). */
static bool hold_exit(struct consumer *c, const struct agt_exit *r)
{
	if (c->nheld == c->capheld) {
		size_t ncap = c->capheld ? c->capheld * 2 : 16;
		void *t = realloc(c->held, ncap * sizeof(*c->held));

		if (!t)
			return false;
		c->held = t;
		c->capheld = ncap;
	}
	c->held[c->nheld].rec = *r;
	c->held[c->nheld].drain = c->drains;
	c->nheld++;
	return true;
}

/* Prints and forgets the exits held from before drain number `before` (all: ~0ull). */
static void release_exits(struct consumer *c, unsigned long long before)
{
	size_t keep = 0;

	for (size_t i = 0; i < c->nheld; i++) {
		if (c->held[i].drain < before) {
			const struct agt_exit *x = &c->held[i].rec;

			if (c->conns)
				tls_conns_exit(c->conns, x->h.tgid, x->h.ts);
			tls_coverage_exit(c->cov, &x->h);
			if (c->rec)
				printer_record(&c->rpr, x, sizeof(*x));
			if (c->sl.b)
				span_live_exit(&c->sl, x);
			if (c->print)
				printer_record(&c->pr, &c->held[i].rec, sizeof(c->held[i].rec));
		} else {
			c->held[keep++] = c->held[i];
		}
	}
	c->nheld = keep;
}

static void mark_mapped(struct consumer *c, __u32 tgid)
{
	for (unsigned i = 0; i < c->nmapped; i++)
		if (c->mapped[i] == tgid)
			return;
	if (c->nmapped < sizeof(c->mapped) / sizeof(c->mapped[0]))
		c->mapped[c->nmapped++] = tgid; /* beyond: the once-a-second rescan */
}

/* The processes that mapped files executable during the drain: attach to what they loaded. */
static void rescan_mapped(struct consumer *c)
{
	for (unsigned i = 0; c->tls && i < c->nmapped; i++) {
		struct tls_pid_cov cov;

		tls_probe_scan_pid(c->tls, (pid_t)c->mapped[i], &cov);
		tls_coverage_image(c->cov, c->mapped[i], &cov, 0);
	}
	c->nmapped = 0;
}

static void handle_one(struct consumer *c, const void *data, size_t size)
{
	const struct agt_hdr *h = data;

	c->records++;
	switch (h->type) {
	case AGT_REC_EXEC:
		/* the new image may be node, or link OpenSSL: attach before it gets to TLS */
		if (c->tls) {
			struct tls_pid_cov cov;

			const char *fn, *argv;

			tls_probe_scan_pid(c->tls, h->tgid, &cov);
			/* gone already (records wait up to a poll interval): the exec'd path */
			if (!cov.exe[0] && !rec_exec_parts(data, size, &fn, &argv)) {
				const struct agt_exec *x = data;

				snprintf(cov.exe, sizeof(cov.exe), "%.*s", (int)x->filename_len, fn);
			}
			tls_coverage_image(c->cov, h->tgid, &cov, h->ts ? h->ts : 1);
		}
		break;
	case AGT_REC_EXIT:
		if (size >= sizeof(struct agt_exit) && hold_exit(c, data))
			return;
		break;
	case AGT_REC_SYSCALL:
		if (size >= sizeof(struct agt_syscall)) {
			const struct agt_syscall *r = data;
			unsigned long long lat = 0, now;
			int b = 0;

			c->syscalls++;
			if (r->nr >= 0 && r->nr < AGT_NR_MAX)
				c->by_nr[r->nr]++;
			tls_coverage_syscall(c->cov, r, size);
			/*
			 * A library mapped executable (dlopen: Copilot's runtime.node carries its
			 * TLS): looked at when this drain ends rather than at the next
			 * once-a-second rescan; not here, where reading /proc would hold up the
			 * records behind it (and widen the gap to the TLS ring, read before).
			 */
			if (c->tls && r->nr == __NR_mmap && (r->args[2] & PROT_EXEC) &&
			    !(r->args[3] & MAP_ANONYMOUS) && r->ret >= 0)
				mark_mapped(c, r->h.tgid);
			if (!c->stats)
				break;
			now = now_ns();
			if (now > r->h.ts + r->dur)
				lat = (now - r->h.ts - r->dur) / 1000;
			while (lat >> b && b < 63)
				b++;
			c->lat_hist[b]++;
		}
		break;
	}
	if (c->rec)
		printer_record(&c->rpr, data, size);
	if (c->sl.b)
		span_live_record(&c->sl, data, size);
	if (c->print)
		printer_record(&c->pr, data, size);
}

/*
 * One ring-buffer entry: a single record (process events, raw_tp) or a batch of syscall records
 * back to back, each 8-byte aligned and sized by its header (tp_btf).
 */
static int handle_record(void *ctx, void *data, size_t size)
{
	struct consumer *c = ctx;
	const void *rec;
	size_t off = 0, len;
	int ret;

	while ((ret = rec_chunk_next(data, size, &off, &rec, &len)) > 0)
		handle_one(c, rec, len);
	if (ret < 0)
		c->pr.bad++;
	return 0;
}

/* One record of the TLS ring (bpf/tls.bpf.c). */
static int handle_tls(void *ctx, void *data, size_t size)
{
	struct consumer *c = ctx;
	const struct agt_hdr *h = data;

	if (size >= sizeof(*h))
		tls_coverage_plaintext(c->cov, h->tgid, h->ts);
	tls_conns_record(c->conns, data, size);
	return 0;
}

/*
 * Calls fn for each tgid in the kernel's `tracked` map until fn returns false; returns whether it
 * went through them all. fn may delete the key it was given.
 */
static bool for_each_tracked(struct agtrace_bpf *skel, bool (*fn)(void *, int, __u32), void *ctx)
{
	int fd = bpf_map__fd(skel->maps.tracked);
	__u32 key, next;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (!fn(ctx, fd, key))
			return false;
	}
	return true;
}

/*
 * A traced process may dlopen a libssl from anywhere (a venv, a bundled wheel): look at every
 * traced process's executable mappings once a second. Files already seen cost one stat each.
 */
static bool rescan_one(void *ctx, int fd, __u32 tgid)
{
	struct consumer *c = ctx;
	struct tls_pid_cov cov;

	(void)fd;
	tls_probe_scan_pid(c->tls, (pid_t)tgid, &cov);
	tls_coverage_image(c->cov, tgid, &cov, 0);
	return true;
}

static void tls_rescan(struct agtrace_bpf *skel, struct consumer *c)
{
	for_each_tracked(skel, rescan_one, c);
}

/* AGTRACE_TIMING=1: where start-up time goes, one stderr line per phase (ms since main). */
static void startup_mark(const char *phase)
{
	static unsigned long long t0;
	static int on = -1;
	struct timespec ts;

	if (on < 0)
		on = getenv("AGTRACE_TIMING") != NULL;
	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!t0)
		t0 = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	fprintf(stderr, "agtrace-bpf: startup %7.1f ms %s\n",
		(ts.tv_sec * 1000000000ull + ts.tv_nsec - t0) / 1e6, phase);
}

/*
 * Loading the TLS object and attaching its uprobes to the system's libssl and node (an ELF scan
 * of a 100 MB binary) takes about as long as the syscall programs' verification, and neither
 * needs the other: they run side by side, the TLS part on a thread of its own, and are joined
 * before the command is let go, so no SSL call can come before its probes.
 */
struct tls_job {
	pthread_t thread;
	bool started; /* tls_job_start ran (once, whatever the flavour retries) */
	bool running;
	bool quiet;
	int map_fd; /* the `tracked` map, ours: the skeleton may be replaced by a raw_tp retry */
	int tracked_fd;
	uint64_t max_bytes;
	const char *cmd; /* the command to start, if any: its binary may carry TLS itself */
	struct tls_probe *tls;
	char err[256];
};

static void *tls_job_run(void *arg)
{
	struct tls_job *j = arg;

	j->tls = tls_probe__new(j->tracked_fd, j->max_bytes, j->quiet, j->err, sizeof(j->err));
	startup_mark("tls: object loaded");
	if (j->tls)
		tls_probe_attach_system(j->tls);
	if (j->tls && j->cmd)
		tls_probe_attach_command(j->tls, j->cmd);
	startup_mark("tls: libssl and node probes attached");
	return NULL;
}

/*
 * Starts the TLS setup; the syscall object's `tracked` map is created here, ahead of its load,
 * because the TLS programs share it. On any failure the setup runs later, in tls_job_finish().
 */
static void tls_job_start(struct tls_job *j, struct agtrace_bpf *skel, const struct opts *o)
{
	struct bpf_map *m = skel->maps.tracked;
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = bpf_map__map_flags(m));
	int fd;

	memset(j, 0, sizeof(*j));
	j->started = true;
	j->map_fd = j->tracked_fd = -1;
	j->max_bytes = o->tls_max_bytes;
	j->quiet = o->quiet;
	j->cmd = o->cmd ? o->cmd[0] : NULL;
	if (o->no_tls || getenv("AGTRACE_TLS_SERIAL"))
		return;
	fd = bpf_map_create(bpf_map__type(m), "tracked", bpf_map__key_size(m),
			    bpf_map__value_size(m), bpf_map__max_entries(m), &mo);
	if (fd < 0)
		return;
	if (bpf_map__reuse_fd(m, fd)) { /* libbpf keeps a duplicate of fd */
		close(fd);
		return;
	}
	j->map_fd = j->tracked_fd = fd;
	j->running = !pthread_create(&j->thread, NULL, tls_job_run, j);
}

/* Waits for the TLS setup (or runs it now, if it never started). */
static void tls_job_finish(struct tls_job *j, struct agtrace_bpf *skel)
{
	if (j->running) {
		pthread_join(j->thread, NULL);
		j->running = false;
		return;
	}
	j->tracked_fd = bpf_map__fd(skel->maps.tracked);
	tls_job_run(j);
}

/* TLS capture is best effort: without it the syscall trace still runs, and says so. */
/* A coverage event (tls_coverage.c) into the JSON outputs. */
static void cov_out(void *ctx, const struct agt_hdr *h, const char *obj, size_t len)
{
	struct consumer *c = ctx;

	if (c->print && c->pr.json)
		printer_event_json(&c->pr, h, "coverage", "coverage", obj, len);
	if (c->rec)
		printer_event_json(&c->rpr, h, "coverage", "coverage", obj, len);
}

/* The coverage report's second look at a process's mappings. */
static void cov_rescan(void *ctx, uint32_t tgid, struct tls_pid_cov *cov)
{
	struct consumer *c = ctx;

	tls_probe_scan_pid(c->tls, (pid_t)tgid, cov);
}

/* A library a process mapped, as the probes already know it (the libssl attached up front). */
static enum tls_file_state cov_classify(void *ctx, const char *path, const char **stack,
					const char **why)
{
	struct consumer *c = ctx;

	return tls_probe_file_known(c->tls, path, stack, why);
}

static void tls_setup(struct agtrace_bpf *skel, struct consumer *c, const struct opts *o,
		      struct tls_job *j)
{
	if (o->no_tls)
		return;
	tls_job_finish(j, skel);
	c->tls = j->tls;
	j->tls = NULL;
	if (!c->tls) {
		fprintf(stderr, "agtrace-bpf: TLS capture off: %s\n", j->err);
		return;
	}
	c->llm.pr = &c->pr;
	c->llm.http = o->http;
	c->conns = tls_conns__new(llm_events_on_http, &c->llm, o->tls_max_bytes);
	if (!c->conns) {
		fprintf(stderr, "agtrace-bpf: TLS capture off: out of memory\n");
		tls_probe__free(c->tls);
		c->tls = NULL;
		return;
	}
	/* not silenced by -q: a blind spot is a warning, not chatter */
	c->cov = tls_coverage__new(cov_out, cov_rescan, cov_classify, c, false);
	for (int i = 0; i < o->npids; i++) {
		struct tls_pid_cov cov;

		tls_probe_scan_pid(c->tls, o->pids[i], &cov);
		tls_coverage_image(c->cov, (uint32_t)o->pids[i], &cov, 1);
	}
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("AGTRACE_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/*
 * What the tp_btf flavour needs and this kernel lacks, or NULL: the kernel's BTF and task
 * storage (5.11+; creating the map is the test). Whether the programs then load and attach is
 * found out by doing it (tracer_run). No parse of the 5 MB of vmlinux BTF here: it cost ~50 ms
 * of start-up, libbpf parses it for the load anyway, and a kernel without BTF for raw
 * tracepoints fails that load and falls back with the reason.
 */
static const char *btf_missing(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return "no kernel BTF";
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) != 1)
		return "no task storage maps";
	return NULL;
}

/* The one line a fallback to raw_tp prints: what it costs. */
static void note_raw_tp(const struct opts *o, const char *why)
{
	if (!o->quiet)
		fprintf(stderr,
			"agtrace-bpf: tp_btf programs unavailable (%s): raw_tp instead (no record "
			"batching: slower; a non-leader thread's execve loses its entry state)\n",
			why);
}

/*
 * AGTRACE_FLOOR=1: empty programs; "clock", "uread" (comma-separated) add those primitives, so
 * `make bench` can measure what they cost on the same workloads (see floor_exit).
 */
static void configure_floor(struct agtrace_bpf *skel, const char *spec)
{
	if (!spec)
		return;
	skel->rodata->targ_floor = (strstr(spec, "clock") ? AGT_FLOOR_CLOCK : 0) |
				   (strstr(spec, "uread") ? AGT_FLOOR_UREAD : 0);
	skel->rodata->targ_nr_read = sc_by_name("read");
	skel->rodata->targ_nr_write = sc_by_name("write");
}

/*
 * btf: the tp_btf set, else raw_tp. floor (AGTRACE_FLOOR=1, for `make bench`): only the empty
 * programs, to measure what attaching anything to every syscall costs.
 */
static void select_flavour(struct agtrace_bpf *skel, bool btf, bool floor)
{
	struct bpf_program *btf_progs[] = {skel->progs.sys_enter_btf, skel->progs.sys_exit_btf,
					   skel->progs.fork_btf, skel->progs.exec_btf,
					   skel->progs.exit_btf};
	struct bpf_program *raw_progs[] = {skel->progs.sys_enter_raw, skel->progs.sys_exit_raw,
					   skel->progs.fork_raw, skel->progs.exec_raw,
					   skel->progs.exit_raw};

	for (size_t i = 0; i < sizeof(btf_progs) / sizeof(btf_progs[0]); i++) {
		bpf_program__set_autoload(btf_progs[i], btf && !floor);
		bpf_program__set_autoload(raw_progs[i], !btf && !floor);
	}
	bpf_program__set_autoload(skel->progs.switch_btf, btf && !floor);
	bpf_program__set_autoload(skel->progs.flush_cpu, btf && !floor);
	bpf_program__set_autoattach(skel->progs.flush_cpu, false); /* run on demand, per CPU */
	bpf_program__set_autoload(skel->progs.floor_enter, floor);
	bpf_program__set_autoload(skel->progs.floor_exit, floor);
	bpf_map__set_autocreate(btf ? skel->maps.start_hash : skel->maps.start, false);
}

static void configure(struct agtrace_bpf *skel, const struct opts *o)
{
	struct agtrace_bpf__rodata *ro = skel->rodata;
	__u32 spec[AGT_NR_MAX];

	ro->targ_follow = o->follow;
	ro->targ_failed = o->failed_only;
	ro->targ_summary = o->summary;
	ro->targ_all_nr = o->trace_all;
	memcpy((void *)ro->targ_nrmask, o->nrmask, sizeof(o->nrmask));
	/* -s 0: no buffer data, so read/write take the fixed-size fast path. */
	capspec_fill(spec, AGT_NR_MAX, o->strsize != 0);
	memcpy((void *)ro->targ_capspec, spec, sizeof(spec));
	ro->targ_bufsize =
	    o->strsize < 0 || o->strsize > AGT_CAP_BYTES ? AGT_CAP_BYTES : o->strsize;
	ro->targ_wakeup_bytes = o->bufsize / 4;
	/* A batch must fit the ring many times over, even with --buffer-size 4K. */
	ro->targ_batch_bytes =
	    o->bufsize / 16 < BATCH_BYTES_MAX ? o->bufsize / 16 : BATCH_BYTES_MAX;
	ro->targ_nr_exit = sc_by_name("exit");
	ro->targ_nr_exit_group = sc_by_name("exit_group");
	ro->targ_nr_execve = sc_by_name("execve");
	ro->targ_nr_execveat = sc_by_name("execveat");
	ro->targ_nr_clone = sc_by_name("clone");
	ro->targ_nr_clone3 = sc_by_name("clone3");
	ro->targ_nr_fork = sc_by_name("fork");
	ro->targ_nr_vfork = sc_by_name("vfork");
	bpf_map__set_max_entries(skel->maps.events, o->bufsize);
}

/* Sum over CPUs of a one-element per-CPU array of counters. */
static unsigned long long read_percpu_sum(int fd, int ncpu)
{
	unsigned long long total = 0;
	__u64 *vals = calloc(ncpu, sizeof(__u64));
	__u32 zero = 0;

	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(fd, &zero, vals))
		for (int i = 0; i < ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

static unsigned long long read_drops(struct agtrace_bpf *skel, int ncpu)
{
	return read_percpu_sum(bpf_map__fd(skel->maps.drops), ncpu);
}

static int print_summary(struct agtrace_bpf *skel, struct outbuf *ob, bool json, int ncpu)
{
	struct agt_stat *all = calloc(AGT_NR_MAX, sizeof(*all));
	struct agt_stat *percpu = calloc(ncpu, sizeof(*percpu));
	int fd = bpf_map__fd(skel->maps.stats), ret = 0;

	if (!all || !percpu) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (__u32 nr = 0; nr < AGT_NR_MAX; nr++) {
		if (bpf_map_lookup_elem(fd, &nr, percpu))
			continue;
		for (int c = 0; c < ncpu; c++)
			summary_merge(&all[nr], &percpu[c]);
	}
	summary_print(ob, all, AGT_NR_MAX, json);
cleanup:
	free(percpu);
	free(all);
	return ret;
}

/*
 * Flushes every CPU's batch of records (see flush_cpu in the BPF program). A CPU caught building
 * a record (retval 1) is retried `tries` times, a millisecond apart: at the final drain nothing
 * may stay behind.
 */
static void flush_batches(struct agtrace_bpf *skel, int ncpu, int tries)
{
	int fd = bpf_program__fd(skel->progs.flush_cpu);

	if (fd < 0)
		return;
	for (int cpu = 0; cpu < ncpu; cpu++) {
		for (int t = 0; t < tries; t++) {
			LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU,
				    .cpu = cpu);

			/* an offline CPU fails and has nothing to flush */
			if (bpf_prog_test_run_opts(fd, &opts) || opts.retval == 0)
				break;
			usleep(1000);
		}
	}
}

/*
 * The exit program goes in before the entry program: a syscall in flight at attach is then
 * always reported as resumed (`<?>`), and none is seen entering without its exit program there
 * (on a slow machine the programs attach milliseconds apart). The skeleton's attach keeps a link
 * set here.
 */
static int attach_exit_first(struct agtrace_bpf *skel, bool btf)
{
	struct bpf_program *p = btf ? skel->progs.sys_exit_btf : skel->progs.sys_exit_raw;
	struct bpf_link **l = btf ? &skel->links.sys_exit_btf : &skel->links.sys_exit_raw;

	if (!bpf_program__autoload(p))
		return 0; /* AGTRACE_FLOOR */
	*l = bpf_program__attach(p);
	return *l ? 0 : -errno;
}

/*
 * The tp_btf flavour's batches leave only through flush_cpu run on each CPU: prove that runs
 * (BPF_PROG_TEST_RUN on a chosen CPU) before relying on it.
 */
static bool flush_works(struct agtrace_bpf *skel)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 0);
	int fd = bpf_program__fd(skel->progs.flush_cpu);

	return fd < 0 ||
	       !bpf_prog_test_run_opts(fd, &opts); /* fd < 0: not loaded, nothing to flush */
}

/*
 * One round of consuming: flush the batches, take everything queued, print the exits held from
 * the previous round, report new loss, write out. `final` also releases every held exit.
 */
static void drain(struct agtrace_bpf *skel, struct ring_buffer *rb, struct consumer *c,
		  const struct opts *o, int ncpu, unsigned long long *lost, bool final)
{
	unsigned long long drops;

	if (!o->summary)
		flush_batches(skel, ncpu, final ? 5 : 1);
	ring_buffer__consume(rb);
	rescan_mapped(c);
	release_exits(c, final ? ~0ull : c->drains);
	c->drains++;
	/* events held back for ordering wait no longer than one drain */
	if (c->sl.b)
		span_live_release(&c->sl, ~0ull);
	printer_release(&c->pr, ~0ull);
	if (c->rec)
		printer_release(&c->rpr, ~0ull);
	drops = read_drops(skel, ncpu) +
		(c->tls ? read_percpu_sum(tls_probe_drops_fd(c->tls), ncpu) : 0);
	if (drops > *lost) {
		if (c->rec) {
			printer_lost(&c->rpr, drops - *lost, now_ns());
			recorder_add_lost(c->rec, drops - *lost);
		}
		printer_lost(&c->pr, drops - *lost, now_ns());
		*lost = drops;
	}
	ob_flush(c->pr.ob);
	if (c->rec)
		ob_flush(c->rpr.ob);
}

/*
 * No traced process left? A pid added by -p that has vanished meanwhile (exited before we
 * attached) is removed here, since no exit will ever be seen for it.
 */
static bool gone_or_stop(void *ctx, int fd, __u32 tgid)
{
	(void)ctx;
	if (proc_exists((pid_t)tgid))
		return false;
	bpf_map_delete_elem(fd, &tgid);
	return true;
}

static bool tracked_empty(struct agtrace_bpf *skel)
{
	return for_each_tracked(skel, gone_or_stop, NULL);
}

static void print_stats(const struct consumer *c, unsigned long long lost, double secs)
{
	unsigned long long n = 0, seen = 0;
	int p50 = 0, p99 = 0;
	struct rusage ru;

	for (int i = 0; i < 64; i++)
		n += c->lat_hist[i];
	for (int i = 0; i < 64; i++) {
		seen += c->lat_hist[i];
		if (!p50 && seen * 2 >= n)
			p50 = i;
		if (!p99 && seen * 100 >= n * 99) {
			p99 = i;
			break;
		}
	}
	/* CPU spent consuming, not loading: the verifier's share is paid before t_start. */
	getrusage(RUSAGE_SELF, &ru);
	timersub(&ru.ru_utime, &c->ru0.ru_utime, &ru.ru_utime);
	timersub(&ru.ru_stime, &c->ru0.ru_stime, &ru.ru_stime);
	fprintf(stderr,
		"{\"agtrace_stats\":{\"records\":%llu,\"syscalls\":%llu,\"lost\":%llu,\"bad\":%llu,"
		"\"seconds\":%.3f,\"latency_p50_us_le\":%llu,\"latency_p99_us_le\":%llu,"
		"\"maxrss_kb\":%ld,\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"counts\":{",
		c->records, c->syscalls, lost, c->pr.bad, secs, 1ull << p50, 1ull << p99,
		ru.ru_maxrss, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	for (int nr = 0, first = 1; nr < AGT_NR_MAX; nr++) {
		if (!c->by_nr[nr])
			continue;
		fprintf(stderr, "%s\"%s\":%llu", first ? "" : ",", sc_name(nr) ? sc_name(nr) : "?",
			c->by_nr[nr]);
		first = 0;
	}
	fprintf(stderr, "}}}\n");
}

static int open_output(const struct opts *o)
{
	int fd;

	if (!o->outfile || !strcmp(o->outfile, "-"))
		return STDOUT_FILENO;
	fd = open(o->outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fprintf(stderr, "agtrace-bpf: cannot open %s: %s\n", o->outfile, strerror(errno));
	else
		fchmod(fd,
		       0600); /* an existing file keeps its mode on O_CREAT: traces hold paths */
	return fd;
}

static bool use_color(const struct opts *o, int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (o->json || o->color == COLOR_NEVER)
		return false;
	if (o->color == COLOR_ALWAYS)
		return true;
	return !(nc && *nc) && isatty(fd);
}

static bool carry_add(struct consumer *c, const char *p, size_t n)
{
	if (c->ncarry + n > c->capcarry) {
		size_t ncap = (c->ncarry + n) * 2;
		char *t = realloc(c->carry, ncap);

		if (!t)
			return false;
		c->carry = t;
		c->capcarry = ncap;
	}
	memcpy(c->carry + c->ncarry, p, n);
	c->ncarry += n;
	return true;
}

/*
 * The recording printer's output buffer flushes here. The recorder takes whole lines (a dropped
 * block must not leave half a line behind), and a long event (a prompt) can span flushes: the
 * part after the last newline waits for the next flush.
 */
static void rec_sink(void *ctx, const char *buf, size_t len)
{
	struct consumer *c = ctx;
	const char *nl = memrchr(buf, '\n', len);
	size_t head = nl ? (size_t)(nl + 1 - buf) : 0;

	if (head && c->ncarry) {
		if (carry_add(c, buf, head))
			recorder_events(c->rec, c->carry, c->ncarry);
		else
			recorder_add_lost(c->rec, 1);
		c->ncarry = 0;
	} else if (head) {
		recorder_events(c->rec, buf, head);
	}
	if (head < len && !carry_add(c, buf + head, len - head))
		c->ncarry = 0; /* the line is lost; the next newline resynchronises */
}

/* Redacts a NUL-terminated line in buf[cap] that may have been cut at cap - 1. */
static void redact_line(char *buf, size_t cap)
{
	size_t n = strlen(buf);

	n = n >= cap - 1 ? redact_secrets_cut(buf, n, cap) : redact_secrets(buf, n);
	buf[n < cap ? n : cap - 1] = '\0';
}

/* Default intent: the command line of what is traced. */
static void default_intent(const struct opts *o, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	if (o->cmd) {
		for (char **a = o->cmd; *a && len + 1 < n; a++)
			len += snprintf(buf + len, n - len, "%s%s", len ? " " : "", *a);
	} else if (o->npids) {
		char path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", o->pids[0]);
		f = fopen(path, "re");
		if (f) {
			len = fread(buf, 1, n - 1, f);
			fclose(f);
			for (size_t i = 0; i < len; i++)
				if (!buf[i])
					buf[i] = ' ';
			while (len && buf[len - 1] == ' ')
				len--;
			buf[len] = '\0';
		}
	}
}

/* A finished span: a line of the recording's spans.jsonl. */
static void span_out(void *ctx, const struct sb_span *sp)
{
	struct consumer *c = ctx;
	char buf[16384];
	size_t n;

	if (!c->rec)
		return;
	n = sb_span_json(buf, sizeof(buf), c->trace_id, sp);
	if (n < sizeof(buf))
		recorder_span(c->rec, buf, n);
	else
		c->spans_cut++;
}

/* An agent process changed state: a state_change event in the JSON outputs. */
static void state_out(void *ctx, int pid, const char *name, uint64_t ts, enum sb_state from,
		      enum sb_state to, const char *reason)
{
	struct consumer *c = ctx;
	struct agt_hdr h = {0};
	char body[512];
	struct sbuf sb = SBUF_INIT(body, sizeof(body));
	const char *cmd = name ? name : "", *slash;
	size_t n = strcspn(cmd, " ");

	/* comm: the program's base name, as the kernel would have it */
	for (slash = cmd; (slash = memchr(cmd, '/', n));
	     n -= (size_t)(slash + 1 - cmd), cmd = slash + 1)
		;
	memcpy(h.comm, cmd, n < sizeof(h.comm) ? n : sizeof(h.comm));
	h.tgid = h.tid = (__u32)pid;
	h.ts = c->sl.t0 + ts;
	sb_puts(&sb, "{\"from_state\":\"");
	sb_puts(&sb, sb_state_name(from));
	sb_puts(&sb, "\",\"to_state\":\"");
	sb_puts(&sb, sb_state_name(to));
	sb_puts(&sb, "\",\"reason\":\"");
	sb_add(&sb, json_escape(sb_pos(&sb), sb_left(&sb), reason, strlen(reason)));
	sb_puts(&sb, "\"}");
	if (sb.len >= sizeof(body))
		return;
	if (c->print && c->pr.json)
		printer_event_json(&c->pr, &h, "state_change", "state", body, sb.len);
	if (c->rec)
		printer_event_json(&c->rpr, &h, "state_change", "state", body, sb.len);
}

/* The span builder, for a recording or a --json trace (state_change events). */
static int spans_setup(struct consumer *c, unsigned long long t0)
{
	struct sb_callbacks cb = {.span = span_out, .state = state_out, .ctx = c};
	unsigned char rnd[16] = {0};

	if (c->rec) {
		snprintf(c->trace_id, sizeof(c->trace_id), "%s", recorder_trace_id(c->rec));
	} else {
		if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			memcpy(rnd, &t0, sizeof(t0));
		for (int i = 0; i < 16; i++)
			snprintf(c->trace_id + 2 * i, 3, "%02x", rnd[i]);
	}
	c->sl.t0 = t0;
	c->sl.b = spanbuild__new(c->trace_id, &cb);
	if (!c->sl.b) {
		fprintf(stderr, "agtrace-bpf: out of memory\n");
		return -1;
	}
	c->llm.sl = &c->sl;
	return 0;
}

/* Ends the spans still open (cut: the trace stopped before they ended). */
static void spans_finish(struct consumer *c, bool cut)
{
	if (!c->sl.b)
		return;
	span_live_release(&c->sl, ~0ull);
	spanbuild__free(c->sl.b, span_live_ts(&c->sl, now_ns()), cut);
	c->sl.b = NULL;
	c->llm.sl = NULL;
	if (c->spans_cut)
		fprintf(stderr, "agtrace-bpf: %llu spans too long to record\n", c->spans_cut);
}

static int rec_setup(struct consumer *c, const struct opts *o, pid_t root, unsigned long long t0)
{
	char intent[1024], err[512];

	snprintf(intent, sizeof(intent), "%s", o->intent ? o->intent : "");
	if (!o->intent)
		default_intent(o, intent, sizeof(intent));
	redact_line(intent, sizeof(intent)); /* a key on the command line */
	c->rec = recorder__open(o->output_dir, root, intent, err, sizeof(err));
	if (!c->rec) {
		fprintf(stderr, "agtrace-bpf: cannot record: %s\n", err);
		return -1;
	}
	c->rpr.ob = outbuf__new(-1, 1 << 20);
	if (!c->rpr.ob) {
		fprintf(stderr, "agtrace-bpf: out of memory\n");
		return -1;
	}
	c->rpr.ob->sink = rec_sink;
	c->rpr.ob->sink_ctx = c;
	c->rpr.json = true;
	c->rpr.defer = c->pr.defer;
	c->rpr.strsize = o->strsize;
	c->rpr.t0 = t0;
	c->llm.rec = &c->rpr;
	return 0;
}

/*
 * Ends the recording: "completed" when the traced processes are gone, else "stopped". Returns
 * -errno if the recording could not be written whole (the disk filled up, say).
 */
static int rec_finish(struct consumer *c, bool stopped, bool quiet)
{
	const char *status = stopped ? "stopped" : "completed";
	char dir[4096];
	uint64_t dropped;
	int err;

	spans_finish(c, stopped);
	printer_release(&c->rpr, ~0ull);
	outbuf__free(c->rpr.ob);
	c->rpr.ob = NULL;
	free(c->rpr.pend);
	c->rpr.pend = NULL;
	if (c->ncarry) /* a line never finished: cannot happen, every event ends in '\n' */
		recorder_add_lost(c->rec, 1);
	snprintf(dir, sizeof(dir), "%s", recorder_dir(c->rec));
	dropped = recorder_dropped(c->rec); /* final: nothing is queued after the flush above */
	err = recorder__close(c->rec, status);
	c->rec = NULL;
	if (dropped)
		fprintf(stderr,
			"agtrace-bpf: %llu events not recorded: the recording writer fell behind "
			"(counted in lost_events)\n",
			(unsigned long long)dropped);
	if (err)
		fprintf(stderr,
			"agtrace-bpf: recording %s failed: %s (what was written is readable)\n",
			dir, strerror(-err));
	else if (!quiet)
		fprintf(stderr, "agtrace-bpf: recording %s: %s\n", status, dir);
	return err;
}

/*
 * With -p, the tools an agent already runs were tracked at attach (c->targets) but will never be
 * seen forking: give each a span under its parent's, parents first (a pass per generation).
 */
static void spans_existing_descendants(struct consumer *c, unsigned long long t0)
{
	bool added = true;

	while (added) {
		added = false;
		for (unsigned i = 0; i < c->targets.cap; i++) {
			pid_t pid = c->targets.slot[i], ppid;
			char cmd[256];

			if (pid <= 0 || sb_has(c->sl.b, pid))
				continue;
			ppid = proc_ppid(pid);
			if (ppid <= 0 || !sb_has(c->sl.b, ppid))
				continue;
			default_intent(&(struct opts){.npids = 1, .pids = {pid}}, cmd, sizeof(cmd));
			redact_line(cmd, sizeof(cmd));
			sb_fork(c->sl.b, span_live_ts(&c->sl, t0), pid, ppid, cmd[0] ? cmd : "?");
			added = true;
		}
	}
}

static int track(struct agtrace_bpf *skel, pid_t pid, __u32 state)
{
	__u32 key = pid;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.tracked), &key, &state, BPF_ANY);
}

int tracer_run(const struct opts *o, struct launch *l)
{
	struct agtrace_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct consumer *c = NULL;
	struct outbuf *ob = NULL;
	unsigned long long lost = 0, compat, t_start, deadline = 0, next_scan = 0;
	int ncpu = libbpf_num_possible_cpus(), outfd = -1, ret = 1, err, status;
	bool root_reaped = false, use_btf, cut = false, rec_failed = false;
	int exit_code = 0;
	struct tls_job tls_job = {.map_fd = -1};
	const char *why_not_btf;

	startup_mark("start");
	libbpf_set_print(libbpf_quiet);
	c = calloc(1, sizeof(*c));
	if (!c || ncpu <= 0) {
		fprintf(stderr, "agtrace-bpf: out of memory\n");
		goto cleanup;
	}
	/*
	 * tp_btf where it can be loaded and attached, else raw_tp: decided by doing both, since a
	 * kernel may accept a program it then cannot attach.
	 */
	use_btf = !o->force_raw_tp;
	if (use_btf && (why_not_btf = btf_missing())) {
		note_raw_tp(o, why_not_btf);
		use_btf = false;
	}
	for (;;) {
		const char *fail = NULL;
		char why[128];

		skel = agtrace_bpf__open();
		if (!skel) {
			fprintf(stderr, "agtrace-bpf: cannot open BPF object: %s\n",
				strerror(errno));
			goto cleanup;
		}
		select_flavour(skel, use_btf, getenv("AGTRACE_FLOOR") != NULL);
		configure(skel, o);
		configure_floor(skel, getenv("AGTRACE_FLOOR"));
		startup_mark("opened");
		/* the TLS setup runs beside the load; a raw_tp retry shares its `tracked` map */
		if (!tls_job.started)
			tls_job_start(&tls_job, skel, o);
		else if (tls_job.map_fd >= 0 && bpf_map__reuse_fd(skel->maps.tracked, tls_job.map_fd))
			fprintf(stderr, "agtrace-bpf: cannot share the tracked map: %s\n",
				strerror(errno));
		err = agtrace_bpf__load(skel);
		startup_mark("syscall programs loaded (verifier)");
		if (err && err == -EPERM) {
			fprintf(stderr, "agtrace-bpf: cannot load BPF programs: %s%s\n",
				strerror(-err), " (need root or CAP_BPF+CAP_PERFMON)");
			goto cleanup;
		}
		if (err)
			fail = "load";

		/* the time origin precedes tracking: with -p, records flow from the first track()
		 * on */
		t_start = now_ns();
		if (!err && l) {
			if (track(skel, l->pid, AGT_TRACK_PENDING))
				goto map_error;
		} else if (!err) {
			for (int i = 0; i < o->npids; i++)
				pidset_add(&c->targets, o->pids[i]);
			if (o->follow)
				proctree_add_descendants(&c->targets, "/proc");
			for (unsigned i = 0; i < c->targets.cap; i++)
				if (c->targets.slot[i] > 0 &&
				    track(skel, c->targets.slot[i], AGT_TRACK_ACTIVE))
					goto map_error;
		}
		if (!err) {
			err = attach_exit_first(skel, use_btf);
			err = err ?: agtrace_bpf__attach(skel);
			fail = err ? "attach" : NULL;
		}
		if (!err && use_btf && !flush_works(skel)) {
			err = -EOPNOTSUPP;
			fail = "per-CPU flush";
		}
		if (!err)
			break;
		if (!use_btf) {
			fprintf(stderr, "agtrace-bpf: cannot %s BPF programs: %s\n", fail,
				strerror(-err));
			goto cleanup;
		}
		snprintf(why, sizeof(why), "%s: %s", fail, strerror(-err));
		note_raw_tp(o, why);
		agtrace_bpf__destroy(skel);
		skel = NULL;
		use_btf = false;
	}
	startup_mark("syscall programs attached");
	tls_setup(skel, c, o, &tls_job);
	startup_mark("tls joined");

	outfd = open_output(o);
	if (outfd < 0)
		goto cleanup;
	ob = outbuf__new(outfd, 1 << 20);
	if (!ob) {
		fprintf(stderr, "agtrace-bpf: out of memory\n");
		goto cleanup;
	}
	c->print = !o->summary && !o->no_live;
	c->llm.print = c->print;
	c->stats = getenv("AGTRACE_STATS") != NULL;
	c->pr.ob = ob;
	c->pr.json = o->json;
	c->pr.color = use_color(o, outfd);
	c->pr.strsize = o->strsize;
	/*
	 * The TLS ring first: ring_buffer__consume() takes the rings in the order added, so the LLM
	 * events of a drain are known (and held back, printer.defer) before the syscalls around
	 * them are printed.
	 */
	if (c->tls) {
		rb = ring_buffer__new(tls_probe_ring_fd(c->tls), handle_tls, c, NULL);
		if (rb && ring_buffer__add(rb, bpf_map__fd(skel->maps.events), handle_record, c))
			goto rb_error;
		c->pr.defer = true;
	} else {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_record, c, NULL);
	}
	if (!rb) {
	rb_error:
		fprintf(stderr, "agtrace-bpf: cannot create ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (l)
		t_start = now_ns(); /* the command starts at the gate: time 0 is its execve */
	c->pr.t0 = t_start;
	if (o->record && rec_setup(c, o, l ? l->pid : o->pids[0], t_start))
		goto cleanup;
	if ((o->record || (c->print && o->json)) && spans_setup(c, t_start))
		goto cleanup;
	if (c->sl.b) {
		if (l)
			sb_fork(c->sl.b, 0, l->pid, 0, o->cmd[0]);
		for (int i = 0; i < o->npids; i++) {
			char cmd[256];

			default_intent(&(struct opts){.npids = 1, .pids = {o->pids[i]}}, cmd,
				       sizeof(cmd));
			redact_line(cmd, sizeof(cmd));
			sb_fork(c->sl.b, 0, o->pids[i], 0, cmd[0] ? cmd : "?");
		}
		spans_existing_descendants(c, t_start);
	}
	getrusage(RUSAGE_SELF, &c->ru0);
	if (o->duration > 0)
		deadline = t_start + (unsigned long long)(o->duration * 1e9);
	if (!o->quiet) {
		char how[96];

		snprintf(how, sizeof(how), "%s, TLS %s", use_btf ? "tp_btf" : "raw_tp",
			 c->tls ? tls_probe_mode(c->tls) : "off");
		if (l)
			fprintf(stderr, "agtrace-bpf: tracing %s (pid %d) with %s\n", o->cmd[0],
				l->pid, how);
		else
			for (int i = 0; i < o->npids; i++)
				fprintf(stderr, "agtrace-bpf: Process %d attached (%s)\n",
					o->pids[i], how);
	}
	startup_mark("command released");
	if (l && launch_release(l)) {
		fprintf(stderr, "agtrace-bpf: cannot start %s: %s\n", o->cmd[0], strerror(errno));
		goto cleanup;
	}

	while (!exiting) {
		unsigned long long now;

		err = ring_buffer__poll(rb, POLL_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "agtrace-bpf: ring buffer poll: %s\n", strerror(-err));
			goto cleanup;
		}
		/*
		 * Reap and sweep before draining: whatever a process did before it was reaped
		 * (a fork, say) is then in this drain, and no child can be missed.
		 */
		if (l && !root_reaped && waitpid(l->pid, &status, WNOHANG) == l->pid) {
			root_reaped = true;
			exit_code = launch_exit_code(status);
		}
		now = now_ns();
		if (c->tls && now >= next_scan) {
			tls_rescan(skel, c);
			next_scan = now + TLS_SCAN_NS;
		}
		drain(skel, rb, c, o, ncpu, &lost, false);
		/*
		 * Done when the kernel's own set of traced processes is empty: it gains children at
		 * fork and loses a process at its exit, whether or not those records reached us.
		 */
		if (tracked_empty(skel) && c->nheld == 0 && (!l || root_reaped))
			break;
		if (deadline && now >= deadline) {
			cut = true;
			break;
		}
	}
	/* Everything the kernel queued before we stopped is still ours to print. */
	drain(skel, rb, c, o, ncpu, &lost, true);
	/* connections still open (the trace was cut): what they carried so far */
	if (c->conns)
		c->tls_lost_bytes = tls_conns_stats(c->conns)->lost_bytes;
	tls_conns__free(c->conns);
	c->conns = NULL;
	spans_finish(c, exiting || cut);
	printer_release(&c->pr, ~0ull);
	if (c->rec)
		printer_release(&c->rpr, ~0ull);
	if (c->rec && rec_finish(c, exiting || cut, o->quiet))
		rec_failed = true;
	if (o->summary)
		print_summary(skel, ob, o->json, ncpu);
	ob_flush(ob);
	if (ob->err && ob->err != EPIPE)
		fprintf(stderr, "agtrace-bpf: write error: %s\n", strerror(ob->err));
	if (lost)
		fprintf(stderr,
			"agtrace-bpf: %llu records lost (ring buffer full; try --buffer-size)\n",
			lost);
	if (c->pr.bad)
		fprintf(stderr, "agtrace-bpf: %llu malformed records skipped\n", c->pr.bad);
	if (c->tls_lost_bytes)
		fprintf(stderr,
			"agtrace-bpf: %llu bytes of TLS plaintext not captured (beyond "
			"--tls-max-bytes or ring full)\n",
			c->tls_lost_bytes);
	compat = read_percpu_sum(bpf_map__fd(skel->maps.compat), ncpu);
	if (compat)
		fprintf(stderr,
			"agtrace-bpf: %llu 32-bit (int 0x80) syscalls skipped: that ABI is not "
			"decoded\n",
			compat);
	if (getenv("AGTRACE_STATS"))
		print_stats(c, lost, (now_ns() - t_start) / 1e9);
	if (!o->quiet && !l)
		for (int i = 0; i < o->npids; i++)
			fprintf(stderr, "agtrace-bpf: Process %d detached\n", o->pids[i]);
	if (l && !root_reaped && exiting) {
		/* Interrupted: the command keeps running untraced, as after strace detaches. */
		exit_code = 128 + exiting;
	}
	ret = rec_failed ? 1 : exit_code;
	goto cleanup;

map_error:
	fprintf(stderr, "agtrace-bpf: cannot add process to the tracked map: %s\n",
		strerror(errno));
cleanup:
	if (tls_job.running) { /* an early error: the thread still uses the skeleton's map */
		pthread_join(tls_job.thread, NULL);
		tls_probe__free(tls_job.tls);
	}
	ring_buffer__free(rb);
	outbuf__free(ob);
	if (outfd > STDOUT_FILENO)
		close(outfd);
	if (c) {
		tls_conns__free(c->conns);
		tls_coverage__free(c->cov);
		llm_events_release(&c->llm);
		if (c->rec)
			rec_finish(c, true, true);
		spans_finish(c, true);
		span_live_free_pending(&c->sl);
		free(c->carry);
		free(c->pr.pend);
	}
	/*
	 * The syscall programs go first, the TLS probes after: their detach may fork a child that
	 * makes a burst of syscalls, and it must not run while removing the last sys_enter probe
	 * live-patches the kernel's syscall entry (on 5.10 under emulation, both CPUs then spun
	 * there for 20 s: a soft lockup).
	 */
	agtrace_bpf__destroy(skel);
	if (c)
		tls_probe__free(c->tls);
	if (tls_job.map_fd >= 0) /* after the TLS probes, which share it */
		close(tls_job.map_fd);
	if (c) {
		pidset_release(&c->targets);
		free(c->held);
	}
	free(c);
	return ret;
}
