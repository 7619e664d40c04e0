// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * agtrace.bpf.c - the kernel half of agtrace-bpf.
 *
 * Syscall enter/exit and sched fork/exec/exit, filtered in the kernel to the traced process tree.
 * Two attach flavours share one body: tp_btf (entry state in a per-CPU slot handed to task
 * storage at sched_switch, registers and task fields read directly, records batched per CPU) and
 * raw_tp for kernels without tp_btf (entry state in a hash keyed by tid, registers read with
 * CO-RE, one ring-buffer record per syscall). Userspace enables one set with
 * bpf_program__set_autoload().
 *
 * Cost per traced syscall is what issue #3 is about. Measured here (bpf_stats, 2 vCPUs): a clock
 * read is ~55 ns, a task-storage lookup ~40 ns, a ring-buffer reserve+commit ~75 ns, a user
 * memory read ~140 ns whatever its size; an empty program ~50 ns. So the fast path is: one
 * inlined per-CPU lookup and one clock read at entry and at exit, the record written into the
 * CPU's batch, and batches submitted without waking the consumer unless the ring is filling up
 * (BPF_RB_NO_WAKEUP; userspace polls on a short timer).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "agtrace.h"
#include "shared.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Configuration, set by the loader between open and load. */
const volatile bool targ_follow = true;	  /* add forked children to `tracked` */
const volatile bool targ_failed = false;  /* -Z: only syscalls that returned an error */
const volatile bool targ_summary = false; /* -c: aggregate into `stats`, no syscall records */
const volatile bool targ_all_nr = true;	  /* no -e trace= set: every syscall */
const volatile __u64 targ_nrmask[AGT_NR_WORDS] = {};
const volatile __u32 targ_capspec[AGT_NR_MAX] = {};
const volatile __u32 targ_bufsize = 32; /* bytes of read/write buffers captured */
const volatile __u64 targ_wakeup_bytes = 1 << 20;
const volatile __u32 targ_batch_bytes = BATCH_BYTES_MAX; /* flush at; <= 1/16 of the ring */
const volatile __s32 targ_nr_exit = -1;
const volatile __s32 targ_nr_exit_group = -1;
const volatile __s32 targ_nr_execve = -1;
const volatile __s32 targ_nr_execveat = -1;
const volatile __s32 targ_nr_clone = -1;
const volatile __s32 targ_nr_clone3 = -1;
const volatile __s32 targ_nr_fork = -1;
const volatile __s32 targ_nr_vfork = -1;

struct entry {
	__u64 ts; /* 0: no syscall in flight that we want */
	__s32 nr;
	__u32 stash;	/* key of this syscall's entry captures in `stashes`, 0 if none */
	__u32 inflight; /* tp_btf: the entry of the current syscall was seen (wanted or not) */
	__u32 _pad;
};

/*
 * tp_btf fast path: the entry state of the syscall in flight on this CPU, and whether the task
 * making it is traced (cached per tid, valid while tracked_gen is unchanged). A task switched
 * out mid-syscall has its slot moved to task storage by the sched_switch program, so a slot only
 * speaks for the task running on its CPU, and the common syscall needs no lookup but this
 * inlined per-CPU one (a task-storage lookup costs ~40 ns here, twice per syscall).
 */
struct slot {
	struct entry e;
	__u64 task; /* the task_struct it speaks for: survives a non-leader execve's tid change */
	__u32 gen;
	__u32 traced;
};

/*
 * Bumped whenever `tracked` changes in the kernel and whenever any task is created, so cached
 * `traced` verdicts expire, including one for a task_struct address a new task reuses.
 */
__u32 tracked_gen;

/* Entry-time captures (execve filename/argv: gone from the old image at exit). */
struct stash {
	__u64 args[AGT_NARGS]; /* registers at entry: after a successful exec they are reset */
	__u16 len[AGT_CAP_MAX];
	__u8 arg[AGT_CAP_MAX];
	__u8 kind[AGT_CAP_MAX];
	__u32 full[AGT_CAP_MAX];
	__u8 data[AGT_CAP_MAX][AGT_ARGV_BYTES];
};

#define SCRATCH_SIZE 4096
_Static_assert(AGT_SYSCALL_MAX <= SCRATCH_SIZE / 2, "scratch too small");
_Static_assert(AGT_EXEC_MAX <= SCRATCH_SIZE / 2, "scratch too small");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* tp_btf: entry state of a task that left its CPU mid-syscall (see struct slot). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct entry);
} start SEC(".maps");

/* raw_tp flavour: entry state keyed by tid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct entry);
} start_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct stash);
} stashes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

/* 32-bit (ia32 int 0x80) syscalls of traced tasks: not decoded, counted so the user is told. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} compat SEC(".maps");

struct scratch {
	__u8 rec[SCRATCH_SIZE];
	struct stash stash;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AGT_NR_MAX);
	__type(key, __u32);
	__type(value, struct agt_stat);
} stats SEC(".maps");

/*
 * tp_btf: syscall records are appended to a per-CPU batch and leave for the ring buffer ~4 KiB
 * at a time: one reserve/commit (~75 ns here, with its lock and shared cache lines) per batch
 * instead of per record. A batch is flushed when full, before a process event, when any task
 * leaves the CPU (so one thread's records never overtake each other across CPUs), and by the
 * consumer every poll through flush_cpu (so a quiet CPU's records still show up in time).
 */
#define BATCH_BYTES 4096
#define BATCH_SPACE (BATCH_BYTES + SCRATCH_SIZE)
_Static_assert(BATCH_BYTES == BATCH_BYTES_MAX, "agtrace.h and the batch layout disagree");

struct batch {
	__u32 len;   /* bytes of whole records in data */
	__u32 count; /* records in data: all lost if the flush fails */
	__u32 busy;  /* a record is being built: flush_cpu (an IPI) must not flush now */
	__u32 _pad;
	__u8 data[BATCH_SPACE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct batch);
} batches SEC(".maps");

/*
 * Masks v in a way clang cannot fold away, so the verifier sees the bound on the register that
 * is passed to a helper (clang drops a plain `&` it can prove redundant).
 */
#define BOUND(v, mask) asm volatile("%[x] &= " #mask : [x] "+r"(v))

static __always_inline void count_drops(__u64 n)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&drops, &zero);

	if (d)
		*d += n;
}

static __always_inline void count_drop(void)
{
	count_drops(1);
}

/*
 * Submit without waking the consumer unless enough is pending that it must run now; it polls
 * on a short timer otherwise. A wake-up per record costs more than the rest of the tracer.
 */
static __always_inline __u64 wake_flags(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= targ_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/*
 * `busy` must really be stored, and around the record: the compiler would otherwise drop the
 * store of 1 as dead (0 is stored later) or move it. flush_cpu runs as an IPI on this CPU and
 * sees memory in program order.
 */
static __always_inline void set_busy(struct batch *b, __u32 v)
{
	asm volatile("" ::: "memory");
	*(volatile __u32 *)&b->busy = v;
	asm volatile("" ::: "memory");
}

static __always_inline void batch_flush(struct batch *b)
{
	__u32 len = b->len;

	if (!len)
		return;
	BOUND(len, 0x1fff);
	if (bpf_ringbuf_output(&events, b->data, len, wake_flags()))
		count_drops(b->count);
	b->len = 0;
	b->count = 0;
}

/* From process events and sched_switch; `busy` keeps flush_cpu out of the flush itself. */
static __always_inline void flush_this_cpu(void)
{
	__u32 zero = 0;
	struct batch *b = bpf_map_lookup_elem(&batches, &zero);

	if (!b || !b->len)
		return;
	set_busy(b, 1);
	batch_flush(b);
	set_busy(b, 0);
}

/*
 * Where a syscall record is built: in this CPU's batch (tp_btf) or in the scratch buffer
 * (raw_tp, which has no sched_switch hook to keep batches in order). *bp is the batch or NULL.
 * Every rec_begin() that returns a record is paired with rec_end().
 */
static __always_inline __u8 *rec_begin(struct batch **bp, bool btf)
{
	__u32 zero = 0;

	*bp = NULL;
	if (btf) {
		struct batch *b = bpf_map_lookup_elem(&batches, &zero);

		if (!b)
			return NULL;
		set_busy(b, 1);
		if (b->len >= targ_batch_bytes)
			batch_flush(b);
		*bp = b;
		return b->data + (b->len & (BATCH_BYTES - 1));
	} else {
		struct scratch *sc = bpf_map_lookup_elem(&scratch, &zero);

		return sc ? sc->rec : NULL;
	}
}

/* Commits the record (size: a multiple of 8, at most SCRATCH_SIZE / 2) built at rec. */
static __always_inline void rec_end(struct batch *b, __u8 *rec, __u32 size)
{
	if (b) {
		b->len += size;
		b->count++;
		if (b->len >= targ_batch_bytes)
			batch_flush(b);
		set_busy(b, 0);
		return;
	}
	BOUND(size, 0xfff);
	if (bpf_ringbuf_output(&events, rec, size, wake_flags()))
		count_drop();
}

static __always_inline bool nr_wanted(long nr)
{
	if (nr < 0 || nr >= AGT_NR_MAX)
		return false;
	if (targ_all_nr)
		return true;
	return (targ_nrmask[(nr >> 6) & (AGT_NR_WORDS - 1)] >> (nr & 63)) & 1;
}

/*
 * Syscall-record header. With tp_btf the task is a trusted BTF pointer, so ids and comm are plain
 * loads (two 8-byte loads for comm) instead of two helper calls: this runs once per syscall.
 */
static __always_inline void fill_sys_hdr(struct agt_hdr *h, __u16 size, __u64 ts, bool btf)
{
	if (btf) {
		struct task_struct *t = bpf_get_current_task_btf();
		const __u64 *c = (const __u64 *)t->comm;
		__u64 *d = (__u64 *)h->comm;

		h->type = AGT_REC_SYSCALL;
		h->size = size;
		h->tgid = t->tgid;
		h->tid = t->pid;
		h->_pad0 = 0;
		h->ts = ts;
		d[0] = c[0];
		d[1] = c[1];
		return;
	}
	fill_hdr(h, AGT_REC_SYSCALL, size, ts);
}

/* The six syscall arguments from the saved user registers (unchanged at exit but for ax/x0). */
static __always_inline void read_args(struct pt_regs *regs, __u64 *a, bool btf)
{
#if defined(__TARGET_ARCH_x86)
	if (btf) {
		a[0] = regs->di;
		a[1] = regs->si;
		a[2] = regs->dx;
		a[3] = regs->r10;
		a[4] = regs->r8;
		a[5] = regs->r9;
	} else {
		a[0] = BPF_CORE_READ(regs, di);
		a[1] = BPF_CORE_READ(regs, si);
		a[2] = BPF_CORE_READ(regs, dx);
		a[3] = BPF_CORE_READ(regs, r10);
		a[4] = BPF_CORE_READ(regs, r8);
		a[5] = BPF_CORE_READ(regs, r9);
	}
#elif defined(__TARGET_ARCH_arm64)
	/* x0 holds the return value at exit; the first argument survives in orig_x0. */
	struct user_pt_regs *u = (void *)regs;

	a[0] = BPF_CORE_READ(regs, orig_x0);
	a[1] = BPF_CORE_READ(u, regs[1]);
	a[2] = BPF_CORE_READ(u, regs[2]);
	a[3] = BPF_CORE_READ(u, regs[3]);
	a[4] = BPF_CORE_READ(u, regs[4]);
	a[5] = BPF_CORE_READ(u, regs[5]);
#else
#error "unsupported architecture"
#endif
}

/* The syscall number as the kernel saw it at entry (orig_ax / syscallno). */
static __always_inline long regs_nr(struct pt_regs *regs, bool btf)
{
#if defined(__TARGET_ARCH_x86)
	return btf ? regs->orig_ax : BPF_CORE_READ(regs, orig_ax);
#else
	return BPF_CORE_READ(regs, syscallno);
#endif
}

/*
 * A 32-bit syscall (x86 TS_COMPAT): its numbers and registers are another ABI, which the tables
 * here do not describe, so it is counted and skipped rather than decoded as a 64-bit one.
 */
static __always_inline bool is_compat(struct task_struct *t, bool btf)
{
#if defined(__TARGET_ARCH_x86)
	__u32 status = btf ? t->thread_info.status : BPF_CORE_READ(t, thread_info.status);

	return status & 0x2 /* TS_COMPAT */;
#else
	return false;
#endif
}

static __always_inline void count_compat(void)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&compat, &zero);

	if (c)
		(*c)++;
}

static __always_inline __u32 cap_kind(__u32 spec, int i)
{
	return (spec >> (4 * i)) & 0xf;
}

/*
 * Reads one entry-time capture (a string or an argv array) into stash slot `slot`.
 * Strings are read with bpf_probe_read_user_str; argv elements are packed NUL-separated.
 */
static __always_inline void stash_one(struct stash *s, int slot, int arg, __u32 kind, __u64 ptr)
{
	__u32 off = 0;
	long n;

	s->arg[slot] = arg;
	s->kind[slot] = kind;
	s->len[slot] = 0;
	s->full[slot] = 0;
	if (!ptr)
		return;
	if (kind == AGT_CAP_STR_ENTRY) {
		n = bpf_probe_read_user_str(s->data[slot], AGT_CAP_BYTES, (void *)ptr);
		if (n > 0) {
			s->len[slot] = n - 1;
			s->full[slot] = n < AGT_CAP_BYTES ? n - 1 : 0;
		} else {
			/* Not resident (no faults here): show the pointer, not a false "". */
			s->kind[slot] = AGT_CAP_NONE;
		}
		return;
	}
	/* AGT_CAP_ARGV */
	for (int i = 0; i < AGT_ARGV_MAX; i++) {
		__u64 p = 0;

		if (bpf_probe_read_user(&p, sizeof(p), (void *)(ptr + i * sizeof(__u64)))) {
			if (!i)
				s->kind[slot] = AGT_CAP_NONE; /* unreadable: show the pointer */
			s->full[slot] = 0xffffffff;
			break;
		}
		if (!p) {
			s->full[slot] = i; /* argc */
			break;
		}
		if (off > AGT_ARGV_BYTES - AGT_CAP_BYTES) {
			s->full[slot] = 0xffffffff; /* more than we kept */
			break;
		}
		n = bpf_probe_read_user_str(&s->data[slot][off & (AGT_ARGV_BYTES - 1)],
					    AGT_CAP_BYTES, (void *)p);
		if (n <= 0) {
			if (!i)
				s->kind[slot] = AGT_CAP_NONE;
			s->full[slot] = 0xffffffff; /* the rest is unknown: "..." */
			break;
		}
		off += n;
		s->full[slot] = i + 1;
	}
	s->len[slot] = off;
}

/* Entry-time captures for syscalls whose spec asks for them (execve, execveat). */
static __always_inline __u32 stash_entry(struct pt_regs *regs, __u32 spec, bool btf)
{
	__u32 zero = 0, key = (__u32)bpf_get_current_pid_tgid();
	struct scratch *sc = bpf_map_lookup_elem(&scratch, &zero);
	__u64 a[AGT_NARGS];
	int slot = 0;

	if (!sc)
		return 0;
	read_args(regs, a, btf);
#pragma unroll
	for (int i = 0; i < AGT_NARGS; i++)
		sc->stash.args[i] = a[i];
	sc->stash.len[0] = sc->stash.len[1] = 0;
	sc->stash.kind[0] = sc->stash.kind[1] = 0;
#pragma unroll
	for (int i = 0; i < AGT_NARGS; i++) {
		__u32 k = cap_kind(spec, i);

		if (k != AGT_CAP_STR_ENTRY && k != AGT_CAP_ARGV)
			continue;
		if (slot >= AGT_CAP_MAX)
			break;
		stash_one(&sc->stash, slot, i, k, a[i]);
		slot++;
	}
	if (!slot)
		return 0;
	if (bpf_map_update_elem(&stashes, &key, &sc->stash, BPF_ANY))
		return 0;
	return key;
}

static __always_inline bool spec_has_entry_caps(__u32 spec)
{
	for (int i = 0; i < AGT_NARGS; i++) {
		__u32 k = cap_kind(spec, i);

		if (k == AGT_CAP_STR_ENTRY || k == AGT_CAP_ARGV)
			return true;
	}
	return false;
}

/* exit/exit_group never reach sys_exit: report them at entry, result unknown. */
static __always_inline void emit_noreturn(struct pt_regs *regs, long nr, __u64 ts, bool btf)
{
	struct agt_syscall *r;
	struct batch *b;

	if (targ_summary) {
		__u32 k = nr;
		struct agt_stat *st = bpf_map_lookup_elem(&stats, &k);

		if (st)
			st->count++;
		return;
	}
	if (targ_failed)
		return;
	r = (void *)rec_begin(&b, btf);
	if (!r)
		return;
	fill_sys_hdr(&r->h, sizeof(*r), ts, btf);
	r->nr = nr;
	r->flags = AGT_SYS_NORETURN;
	r->ncap = 0;
	r->_pad = 0;
	read_args(regs, r->args, btf);
	r->ret = 0;
	r->dur = 0;
	rec_end(b, (void *)r, sizeof(*r));
}

/* Shared sys_enter body once we know the task is traced. */
static __always_inline void on_enter(struct entry *e, struct pt_regs *regs, long id, bool btf)
{
	__u32 spec;

	e->ts = 0;
	if (!nr_wanted(id))
		return;
	if (id == targ_nr_exit || id == targ_nr_exit_group) {
		emit_noreturn(regs, id, bpf_ktime_get_ns(), btf);
		return;
	}
	e->nr = id;
	e->stash = 0;
	spec = targ_summary ? 0 : targ_capspec[id & (AGT_NR_MAX - 1)];
	if (spec && spec_has_entry_caps(spec))
		e->stash = stash_entry(regs, spec, btf);
	e->ts = bpf_ktime_get_ns();
}

static __always_inline void add_stat(long nr, long ret, __u64 dur)
{
	__u32 k = nr;
	struct agt_stat *st = bpf_map_lookup_elem(&stats, &k);
	__u32 b;

	if (!st)
		return;
	st->count++;
	if (ret < 0 && ret >= -4095)
		st->errors++;
	st->total_ns += dur;
	if (dur > st->max_ns)
		st->max_ns = dur;
	b = agt_hist_bucket(dur);
	if (b < AGT_HIST_BUCKETS)
		st->hist[b]++;
}

/*
 * A capture's length, through its record field (see forget_off): the ways to compute it
 * (result, size argument, -s, structure size) then meet in one state before the read.
 */
static __always_inline __u32 forget_len(struct agt_cap *c, __u64 len)
{
	volatile __u16 *l = &c->len;

	*l = len > AGT_CAP_BYTES ? AGT_CAP_BYTES : len;
	return *l & 0x1ff; /* at most AGT_CAP_BYTES as stored; the mask is for the verifier */
}

/*
 * Appends one exit-time capture at rec[off]; returns the new offset (8-aligned). The length
 * of a buffer comes from the result (read) or the next argument (write); a sockaddr's from the
 * next argument (connect) or the socklen_t it points to (accept).
 */
static __always_inline __u32 cap_exit(__u8 *rec, __u32 off, int arg, __u32 kind,
				      struct agt_syscall *r, __u32 fixed)
{
	/*
	 * The result is read from the record, not passed in a register: what the comparisons
	 * below learn about it would otherwise stay with it into the next argument's capture,
	 * one verifier state per outcome.
	 */
	long ret = *(volatile __s64 *)&r->ret;
	__u64 *a = r->args;
	struct agt_cap *c;
	__u64 ptr = a[arg & 7], want = 0, lim;
	__u32 len = 0;
	long n;

	if (off > SCRATCH_SIZE / 2)
		return off;
	c = (void *)(rec + off);
	c->arg = arg;
	c->kind = kind;
	c->len = 0;
	c->full = 0;
	off += sizeof(*c);
	if (!ptr)
		return off;
	switch (kind) {
	case AGT_CAP_STR:
		n = bpf_probe_read_user_str(rec + (off & (SCRATCH_SIZE / 2 - 1)), AGT_CAP_BYTES,
					    (void *)ptr);
		if (n > 0) {
			len = n - 1;
			c->full = n < AGT_CAP_BYTES ? len : 0;
		} else {
			c->kind = AGT_CAP_NONE; /* unreadable: userspace prints the address */
		}
		break;
	case AGT_CAP_BUF_RET:
	case AGT_CAP_BUF_ARG:
	case AGT_CAP_FIXED:
		/*
		 * An input buffer is the caller's whatever the result; an output buffer holds what
		 * the call returned, but never more than its size argument (recvfrom with
		 * MSG_TRUNC returns the datagram's length): nothing past the buffer is read. A
		 * structure (stat, rlimit, sigset...) is read whole whatever -s says.
		 */
		if (kind == AGT_CAP_FIXED) {
			want = fixed;
			lim = AGT_CAP_BYTES;
		} else {
			want = a[(arg + 1) & 7];
			if (kind == AGT_CAP_BUF_RET)
				want = ret <= 0 ? 0 : (__u64)ret < want ? (__u64)ret : want;
			lim = targ_bufsize;
		}
		c->full = want > 0xffffffff ? 0xffffffff : want;
		len = forget_len(c, want < lim ? want : lim);
		BOUND(len, 0x1ff);
		if (len &&
		    bpf_probe_read_user(rec + (off & (SCRATCH_SIZE / 2 - 1)), len, (void *)ptr)) {
			len = 0;
			c->kind = AGT_CAP_NONE;
		}
		break;
	case AGT_CAP_SOCKADDR:
	case AGT_CAP_SOCKADDR_P:
		if (kind == AGT_CAP_SOCKADDR) {
			want = a[(arg + 1) & 7];
		} else {
			__u32 sl = 0;

			if (ret < 0 || !a[(arg + 1) & 7] ||
			    bpf_probe_read_user(&sl, sizeof(sl), (void *)a[(arg + 1) & 7]))
				break;
			want = sl;
		}
		c->full = want > 0xffffffff ? 0xffffffff : want;
		len = want < 128 ? want : 128;
		BOUND(len, 0xff);
		if (len &&
		    bpf_probe_read_user(rec + (off & (SCRATCH_SIZE / 2 - 1)), len, (void *)ptr)) {
			len = 0;
			c->kind = AGT_CAP_NONE;
		}
		break;
	}
	c->len = len;
	return off + ((len + 7) & ~7u);
}

/*
 * The record offset after a capture, through the record's size field: the verifier does not
 * follow values through map memory, so every capture path (string, buffer, sockaddr, each with
 * its own exact offset) continues with one state, "somewhere in the first half of scratch",
 * and the next argument is verified once instead of once per path before it (start-up: the
 * exit program's verification fell from ~230k to ~Nk instructions).
 */
static __always_inline __u32 forget_off(struct agt_syscall *r, __u32 off)
{
	volatile __u16 *size = &r->h.size;

	*size = off;
	/* a mask, not a min(): a comparison would split the state in two again */
	return *size & (SCRATCH_SIZE - 1);
}

/* The same for the number of captures so far (0, 1 or 2: three states otherwise). */
static __always_inline __u32 forget_ncap(struct agt_syscall *r, __u32 ncap)
{
	volatile __u8 *n = &r->ncap;

	*n = ncap;
	return *n & 3;
}

/* Appends the stash slot captured at entry (execve filename/argv). */
static __always_inline __u32 cap_stash(__u8 *rec, __u32 off, struct stash *s, int slot)
{
	struct agt_cap *c;
	__u32 len = s->len[slot & 1];

	if (off > SCRATCH_SIZE / 2)
		return off;
	c = (void *)(rec + off);
	c->arg = s->arg[slot & 1];
	c->kind = s->kind[slot & 1];
	c->full = s->full[slot & 1];
	off += sizeof(*c);
	if (len > AGT_ARGV_BYTES)
		len = AGT_ARGV_BYTES;
	BOUND(len, 0x7ff);
	if (len &&
	    bpf_probe_read_kernel(rec + (off & (SCRATCH_SIZE / 2 - 1)), len, s->data[slot & 1]))
		len = 0;
	c->len = len;
	return off + ((len + 7) & ~7u);
}

/* A syscall with user memory to capture: built in per-CPU scratch, copied out with its size. */
static __always_inline void emit_slow(struct pt_regs *regs, struct entry *e, long ret, __u64 now,
				      __u32 spec, __u16 flags, bool btf)
{
	__u32 off, ncap = 0, key = e->stash;
	struct stash *st = NULL;
	struct agt_syscall *r;
	struct batch *b;
	__u8 *rec = rec_begin(&b, btf);

	if (!rec)
		return;
	r = (void *)rec;
	fill_sys_hdr(&r->h, 0, e->ts, btf);
	r->nr = e->nr;
	r->flags = flags;
	r->_pad = 0;
	read_args(regs, r->args, btf);
	r->ret = ret;
	r->dur = now - e->ts;
	off = sizeof(*r);
	if (key)
		st = bpf_map_lookup_elem(&stashes, &key);
	if (st) {
#pragma unroll
		for (int i = 0; i < AGT_NARGS; i++)
			r->args[i] = st->args[i];
		/* Entry-time captures first; their order in the record does not matter. */
		if (st->kind[0]) {
			off = cap_stash(rec, off, st, 0);
			ncap++;
		}
		if (st->kind[1]) {
			off = cap_stash(rec, off, st, 1);
			ncap++;
		}
		bpf_map_delete_elem(&stashes, &key);
		goto out; /* a syscall with entry captures (execve) has no exit ones */
	}
#pragma unroll
	for (int i = 0; i < AGT_NARGS; i++) {
		__u32 k = cap_kind(spec, i);

		if (!k || k == AGT_CAP_STR_ENTRY || k == AGT_CAP_ARGV || ncap >= AGT_CAP_MAX)
			continue;
		off = cap_exit(rec, off, i, k, r, AGT_CAP_FIXED_SIZE(spec));
		ncap++;
		off = forget_off(r, off);
		ncap = forget_ncap(r, ncap);
	}
out:
	r->ncap = ncap;
	if (off > SCRATCH_SIZE / 2)
		off = SCRATCH_SIZE / 2;
	r->h.size = off;
	rec_end(b, rec, off);
}

/* A syscall record without captured memory. */
static __always_inline void fill_fixed(struct agt_syscall *r, struct entry *e, struct pt_regs *regs,
				       long ret, __u64 now, __u16 flags, bool btf)
{
	fill_sys_hdr(&r->h, sizeof(*r), e->ts, btf);
	r->nr = e->nr;
	r->flags = flags;
	r->ncap = 0;
	r->_pad = 0;
	read_args(regs, r->args, btf);
	r->ret = ret;
	r->dur = now - e->ts;
}

/* Shared sys_exit body; `e` is the entry state (NULL when the entry was not seen). */
static __always_inline void on_exit(struct entry *e, struct pt_regs *regs, long ret, bool btf)
{
	struct entry tmp = {};
	__u16 flags = 0;
	struct agt_syscall *r;
	__u32 spec;
	__u64 now;

	/* Excluded (-e) and successful (-Z) syscalls leave before the clock read (~55 ns here). */
	if (e && !e->ts)
		return;
	if (targ_failed && !(ret < 0 && ret >= -4095))
		goto done;
	now = bpf_ktime_get_ns();
	if (!e) {
		/* Attached while this syscall was in flight: report it without a duration. */
		tmp.nr = regs_nr(regs, btf);
		if (!nr_wanted(tmp.nr))
			return;
		/* A new task's first return from the clone that made it: the parent reports it. */
		if (ret == 0 && (tmp.nr == targ_nr_clone || tmp.nr == targ_nr_clone3 ||
				 tmp.nr == targ_nr_fork || tmp.nr == targ_nr_vfork))
			return;
		tmp.ts = now;
		e = &tmp;
		flags = AGT_SYS_NOENTRY;
	}
	if (targ_summary) {
		add_stat(e->nr, ret, now - e->ts);
		goto done;
	}
	spec = targ_capspec[e->nr & (AGT_NR_MAX - 1)];
	if (spec) {
		emit_slow(regs, e, ret, now, spec, flags, btf);
		goto done;
	}
	if (btf) {
		struct batch *b;

		r = (void *)rec_begin(&b, btf);
		if (!r)
			goto done;
		fill_fixed(r, e, regs, ret, now, flags, btf);
		rec_end(b, (void *)r, sizeof(*r));
		goto done;
	}
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_drop();
		goto done;
	}
	fill_fixed(r, e, regs, ret, now, flags, btf);
	bpf_ringbuf_submit(r, wake_flags());
done:
	if (e)
		e->ts = 0;
}

/*
 * Is this task's process traced? AGT_TRACK_PENDING is a command started by the tracer that has
 * not exec'd yet: only its execve turns tracing on, so the launcher's own pre-exec syscalls
 * are not reported and the first line is the execve, as with strace.
 */
static __always_inline bool traced_for(long id)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 *v = bpf_map_lookup_elem(&tracked, &tgid);

	if (!v)
		return false;
	if (*v == AGT_TRACK_PENDING) {
		if (id < 0 || (id != targ_nr_execve && id != targ_nr_execveat))
			return false;
		*v = AGT_TRACK_ACTIVE;
	}
	return true;
}

static __always_inline bool traced_now(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 *v = bpf_map_lookup_elem(&tracked, &tgid);

	return v && *v == AGT_TRACK_ACTIVE;
}

/*
 * -e trace=: a syscall outside the set leaves both programs before anything else, so it costs
 * what an empty program costs. The exit side knows the number from orig_ax (-1 after
 * rt_sigreturn: not a number, so that exit takes the full path). execve stays in: it is what
 * turns tracing on for a command the tracer started.
 */
static __always_inline bool excluded_fast(long nr)
{
	if (targ_all_nr || nr < 0 || nr >= AGT_NR_MAX)
		return false;
	if (nr == targ_nr_execve || nr == targ_nr_execveat)
		return false;
	return !nr_wanted(nr);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	struct task_struct *t;
	__u32 zero = 0, gen;
	struct slot *s;

	if (excluded_fast(id))
		return 0;
	t = bpf_get_current_task_btf();
	gen = tracked_gen;
	s = bpf_map_lookup_elem(&slots, &zero);
	if (!s)
		return 0;
	if (s->task != (__u64)t || s->gen != gen) {
		__u32 tgid = t->tgid;
		__u32 *v = bpf_map_lookup_elem(&tracked, &tgid);
		bool traced = v != NULL;

		s->e.inflight = 0;
		s->e.ts = 0;
		if (v && *v == AGT_TRACK_PENDING) {
			/* Not cached: only the command's own execve turns tracing on. */
			s->task = 0;
			if (!traced_for(id))
				return 0;
		}
		s->task = (__u64)t;
		s->gen = gen;
		s->traced = traced;
		/*
		 * The task storage that switch_btf moves the slot into is created here, in process
		 * context, never in sched_switch: there the runqueue lock is held, and before 6.5
		 * creating it is a GFP_ATOMIC kmalloc, which may wake kswapd and so take that same
		 * lock (a deadlock). Once per task and CPU change of the slot, not per syscall.
		 */
		if (traced)
			bpf_task_storage_get(&start, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	}
	if (!s->traced)
		return 0;
	s->e.inflight = 1;
	if (is_compat(t, true)) {
		s->e.ts = 0; /* exit: seen, not wanted */
		count_compat();
		return 0;
	}
	on_enter(&s->e, regs, id, true);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	struct task_struct *t;
	__u32 zero = 0;
	struct slot *s;
	struct entry *e;

	if (excluded_fast(regs->orig_ax))
		return 0;
	t = bpf_get_current_task_btf();
	s = bpf_map_lookup_elem(&slots, &zero);
	if (!s)
		return 0;
	if (s->task == (__u64)t) {
		if (!s->traced)
			return 0;
		if (s->e.inflight) {
			s->e.inflight = 0;
			on_exit(&s->e, regs, ret, true);
			return 0;
		}
	}
	/* Switched out mid-syscall (the slot moved to task storage), or entry never seen. */
	e = bpf_task_storage_get(&start, t, 0, 0);
	if (e && e->inflight) {
		e->inflight = 0;
		on_exit(e, regs, ret, true);
		return 0;
	}
	if (traced_now() && !is_compat(t, true))
		on_exit(NULL, regs, ret, true);
	return 0;
}

/* Saves the slot of a task leaving the CPU mid-syscall into its task storage. */
SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 zero = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &zero);
	struct entry *e;

	flush_this_cpu();
	if (!s || !s->e.inflight || s->task != (__u64)prev)
		return 0;
	s->e.inflight = 0;
	if (prev->flags & 0x4 /* PF_EXITING: exit_group, nothing will return */)
		return 0;
	/* no F_CREATE: no allocation under the runqueue lock (sys_enter_btf made it) */
	e = bpf_task_storage_get(&start, prev, 0, 0);
	if (!e)
		return 0; /* it could not be made: the exit shows as resumed, `<?>` */
	e->ts = s->e.ts;
	e->nr = s->e.nr;
	e->stash = s->e.stash;
	e->inflight = 1;
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct entry *e, zero = {};

	if (excluded_fast(id))
		return 0;
	e = bpf_map_lookup_elem(&start_hash, &tid);
	if (!e) {
		if (!traced_for(id))
			return 0;
		bpf_map_update_elem(&start_hash, &tid, &zero, BPF_NOEXIST);
		e = bpf_map_lookup_elem(&start_hash, &tid);
		if (!e)
			return 0;
	}
	if (is_compat((struct task_struct *)bpf_get_current_task(), false)) {
		e->ts = 0;
		count_compat();
		return 0;
	}
	on_enter(e, regs, id, false);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct entry *e;

	if (excluded_fast(regs_nr(regs, false)))
		return 0;
	e = bpf_map_lookup_elem(&start_hash, &tid);
	if (!e) {
		if (traced_now() && !is_compat((struct task_struct *)bpf_get_current_task(), false))
			on_exit(NULL, regs, ret, false);
		return 0;
	}
	on_exit(e, regs, ret, false);
	return 0;
}

/*
 * Run by the consumer on each CPU every poll (BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU, an
 * IPI): flushes a batch that nothing else would flush soon, e.g. of a thread now computing
 * without syscalls. `busy` means it interrupted a program building a record here: next time.
 */
SEC("raw_tp")
int flush_cpu(void *ctx)
{
	__u32 zero = 0;
	struct batch *b = bpf_map_lookup_elem(&batches, &zero);

	if (!b)
		return 0;
	if (*(volatile __u32 *)&b->busy)
		return 1; /* the consumer retries at its final drain */
	batch_flush(b);
	return 0;
}

static __always_inline void on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u32 *v = bpf_map_lookup_elem(&tracked, &ptgid), one = AGT_TRACK_ACTIVE;
	struct agt_fork *r;

	__sync_fetch_and_add(&tracked_gen, 1); /* any new task: see tracked_gen */
	/* Threads share the tgid and are traced already; only new processes are news. */
	if (!v || *v != AGT_TRACK_ACTIVE || ptgid == ctgid || !targ_follow)
		return;
	bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY);
	flush_this_cpu(); /* the parent's clone record goes out before the child's first */
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_drop();
		return;
	}
	fill_hdr(&r->h, AGT_REC_FORK, sizeof(*r), bpf_ktime_get_ns());
	r->h.tgid = ctgid;
	r->h.tid = BPF_CORE_READ(child, pid);
	r->ppid = ptgid;
	r->ptid = BPF_CORE_READ(parent, pid);
	bpf_ringbuf_submit(r, wake_flags());
}

static __always_inline void on_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0, off, alen = 0;
	struct scratch *sc;
	struct agt_exec *r;
	unsigned long as, ae;
	const char *fn;
	long n;

	if (!traced_now())
		return;
	flush_this_cpu();
	sc = bpf_map_lookup_elem(&scratch, &zero);
	if (!sc)
		return;
	r = (void *)sc->rec;
	fill_hdr(&r->h, AGT_REC_EXEC, 0, bpf_ktime_get_ns());
	r->old_tid = old_pid;
	r->argc = BPF_CORE_READ(bprm, argc);
	r->_pad = 0;
	off = sizeof(*r);
	fn = BPF_CORE_READ(bprm, filename);
	n = bpf_probe_read_kernel_str(sc->rec + off, AGT_CAP_BYTES, fn);
	r->filename_len = n > 0 ? n - 1 : 0;
	off += r->filename_len;
	/* argv as the new image sees it: NUL-separated between mm->arg_start and arg_end. */
	as = BPF_CORE_READ(p, mm, arg_start);
	ae = BPF_CORE_READ(p, mm, arg_end);
	if (ae > as) {
		alen = ae - as;
		if (alen > AGT_ARGV_BYTES)
			alen = AGT_ARGV_BYTES;
		BOUND(alen, 0x7ff);
		if (off > SCRATCH_SIZE / 2 ||
		    bpf_probe_read_user(sc->rec + (off & (SCRATCH_SIZE / 2 - 1)), alen, (void *)as))
			alen = 0;
	}
	r->argv_len = alen;
	off += alen;
	if (off > SCRATCH_SIZE / 2)
		off = SCRATCH_SIZE / 2;
	r->h.size = off;
	BOUND(off, 0xfff);
	if (bpf_ringbuf_output(&events, sc->rec, off, wake_flags()))
		count_drop();
}

static __always_inline void on_exit_task(struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	__u32 *v = bpf_map_lookup_elem(&tracked, &tgid);
	struct agt_exit *r;
	int code;

	if (!v)
		return;
	/* Only the last thread of the group ends the process. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return;
	/* Two last threads can both see live == 0: the one whose delete succeeds reports. */
	if (bpf_map_delete_elem(&tracked, &tgid))
		return;
	__sync_fetch_and_add(&tracked_gen, 1);
	flush_this_cpu();
	code = BPF_CORE_READ(p, exit_code);
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_drop();
		return;
	}
	fill_hdr(&r->h, AGT_REC_EXIT, sizeof(*r), bpf_ktime_get_ns());
	r->h.tgid = tgid;
	r->h.tid = BPF_CORE_READ(p, pid);
	r->signal = code & 0x7f;
	r->exit_code = r->signal ? -1 : (code >> 8) & 0xff;
	r->core_dumped = (code & 0x80) != 0;
	__builtin_memset(r->_pad, 0, sizeof(r->_pad));
	/*
	 * No forced wake-up even here: a tool-running agent ends a process per tool call, and a
	 * cross-CPU wake-up each time costs more than the rest of its tracing; the consumer's 50 ms
	 * poll sees the exit soon enough.
	 */
	bpf_ringbuf_submit(r, wake_flags());
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child)
{
	on_fork(parent, child);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	on_exec(p, old_pid, bprm);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *p)
{
	on_exit_task(p);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(fork_raw, struct task_struct *parent, struct task_struct *child)
{
	on_fork(parent, child);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	on_exec(p, old_pid, bprm);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(exit_raw, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);

	/* Every thread's entry goes with it, or the hash would fill with the dead. */
	bpf_map_delete_elem(&start_hash, &tid);
	on_exit_task(p);
	return 0;
}

/*
 * The overhead floor for `make bench`: the cost of running any tp_btf program on every syscall
 * entry and exit. Loaded instead of everything else when AGTRACE_FLOOR is set. targ_floor adds
 * the primitives no tracer can skip, so the bench can show what the hardware allows: a clock
 * read in each program (a duration needs two), and at the exit of read/write a 32-byte read of
 * the buffer (a data head).
 */
const volatile __u32 targ_floor = 0;
const volatile __s32 targ_nr_read = -1;
const volatile __s32 targ_nr_write = -1;

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	if (targ_floor & AGT_FLOOR_CLOCK)
		bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	__u64 a[AGT_NARGS];
	long nr;

	if (targ_floor & AGT_FLOOR_CLOCK)
		bpf_ktime_get_ns();
	if (!(targ_floor & AGT_FLOOR_UREAD) || ret < 32)
		return 0;
	nr = regs_nr(regs, true);
	if (nr == targ_nr_read || nr == targ_nr_write) {
		__u8 head[32];

		read_args(regs, a, true);
		bpf_probe_read_user(head, sizeof(head), (void *)a[1]);
	}
	return 0;
}
