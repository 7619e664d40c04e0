// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tls.bpf.c - TLS plaintext of the traced processes, from uprobes on OpenSSL (DESIGN.md §4).
 *
 * SSL_write/SSL_read and their _ex forms: the arguments are saved at entry (per thread) and the
 * data is copied at return, so only bytes the call actually moved are captured; for _ex the count
 * is behind the size_t * saved at entry. SSL_new/SSL_free mark where a connection begins and ends,
 * because SSL* addresses are reused. Userspace attaches these programs to every libssl and to
 * binaries carrying OpenSSL themselves (node), for all processes (a pid filter on the attach would
 * miss children), and the programs keep only the traced tree: the `tracked` map is the tracer's
 * own (bpf_map__reuse_fd), so this object loads separately and can fail alone on old kernels.
 *
 * A call's data leaves in records of at most AGT_TLS_CHUNK bytes written by a bpf_loop callback:
 * an open-coded loop over a 4 MiB write exceeds the verifier's instruction budget. Records are
 * reserved in four size classes because bpf_ringbuf_reserve needs a constant size and a per-CPU
 * staging buffer is not safe where uprobe programs can be preempted.
 *
 * Kernels before 5.17 have no bpf_loop, and before 5.15 no attach cookies: there the `_c`
 * programs take over (one program per function, so no cookie), and a call is copied by a chain
 * of tail calls, each program copying up to CHAIN_CHUNKS chunks (unrolled: the verifier sees
 * straight-line code) with the progress kept in the call's own tls_calls entry (per thread, so
 * preemption cannot mix two calls). A chain is at most 33 programs long (MAX_TAIL_CALL_CNT), so
 * one call copies at most targ_chain_max bytes there; the rest is marked truncated and counted.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "agtrace.h"
#include "shared.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u64 targ_tls_max = 4 << 20;	  /* bytes captured per call (--tls-max-bytes) */
/* the tail-call chain (`_c` programs): what one call can have copied, set by userspace */
const volatile __u64 targ_chain_max = 0;

#define CHAIN_CHUNKS 16 /* chunks one program of the chain copies */

#include "tls_ring.bpf.h"

struct tls_call {
	__u64 ssl;
	__u64 buf;
	__u64 countp; /* _ex: size_t * the byte count is written to; else 0 */
	__u32 op;
	__u32 _pad;
	/* the tail-call chain's progress, from the return on */
	__u64 ts;
	__u64 call_len;
	__u64 cap;
	__u64 off;
};

/* Calls in flight, by pid_tgid: entry to return of one SSL_read/SSL_write. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tls_call);
} tls_calls SEC(".maps");

/* The `_c` chain: slot 0 is tls_chain_c, set by userspace after the load. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tls_chain SEC(".maps");

/* Hits of the canary probe userspace attaches to its own function to prove uprobes fire. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tls_canary SEC(".maps");

static __always_inline int call_enter(__u64 ssl, __u64 buf, __u64 countp, __u32 op)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call c = {.ssl = ssl, .buf = buf, .countp = countp, .op = op};

	if (!traced(id >> 32))
		return 0;
	if (bpf_map_update_elem(&tls_calls, &id, &c, BPF_ANY))
		count_drop();
	return 0;
}

struct chunk_ctx {
	struct tls_call c;
	__u64 id;
	__u64 ts;
	__u64 call_len;
	__u64 cap; /* bytes of the call to capture */
};

/*
 * Reserves a record of class `size` and copies `len` (<= size - header) bytes into it. Each class
 * is its own inlined copy so the verifier sees a constant reservation and a bounded copy.
 */
#define EMIT_CLASS(size)                                                                           \
	static __always_inline int emit_##size(struct chunk_ctx *x, __u64 off, __u64 len,          \
					       __u8 flags)                                         \
	{                                                                                          \
		struct agt_tls_data *d;                                                            \
		__u64 n = len; /* 64-bit: a 32-bit compare would bound a copy, not n */            \
                                                                                                   \
		d = bpf_ringbuf_reserve(&tls_events, size, 0);                                     \
		if (!d)                                                                            \
			return -1;                                                                 \
		/* hide what the caller's branch proved, so the clamp the verifier needs stays */  \
		asm volatile("" : "+r"(n));                                                        \
		if (n > size - sizeof(*d))                                                         \
			n = size - sizeof(*d);                                                     \
		fill_hdr(&d->h, AGT_REC_TLS_DATA, sizeof(*d) + n, x->ts);                          \
		d->ssl = x->c.ssl;                                                                 \
		d->call_len = x->call_len;                                                         \
		d->off = off;                                                                      \
		d->len = n;                                                                        \
		d->op = x->c.op;                                                                   \
		d->flags = flags;                                                                  \
		if (bpf_probe_read_user(d + 1, n, (void *)(x->c.buf + off))) {                     \
			bpf_ringbuf_discard(d, BPF_RB_NO_WAKEUP);                                  \
			return -1;                                                                 \
		}                                                                                  \
		bpf_ringbuf_submit(d, wake_flags());                                               \
		return 0;                                                                          \
	}

#define CLASS_S	 512
#define CLASS_M	 2048
#define CLASS_L	 8192
#define CLASS_XL (sizeof(struct agt_tls_data) + AGT_TLS_CHUNK)

EMIT_CLASS(512)
EMIT_CLASS(2048)
EMIT_CLASS(8192)
EMIT_CLASS(16448)
_Static_assert(CLASS_XL == 16448, "EMIT_CLASS(16448) must match the largest record");

/* The chunk of x's call at `off`, in the smallest size class it fits. */
static __always_inline void emit_at(struct chunk_ctx *x, __u64 off)
{
	__u64 len;
	__u8 flags = 0;
	int err;

	len = x->cap - off > AGT_TLS_CHUNK ? AGT_TLS_CHUNK : x->cap - off;
	if (!off)
		flags |= AGT_TLS_FIRST;
	if (off + len >= x->cap) {
		flags |= AGT_TLS_LAST;
		if (x->cap < x->call_len)
			flags |= AGT_TLS_TRUNC;
	}
	if (len <= CLASS_S - sizeof(struct agt_tls_data))
		err = emit_512(x, off, len, flags);
	else if (len <= CLASS_M - sizeof(struct agt_tls_data))
		err = emit_2048(x, off, len, flags);
	else if (len <= CLASS_L - sizeof(struct agt_tls_data))
		err = emit_8192(x, off, len, flags);
	else
		err = emit_16448(x, off, len, flags);
	if (err)
		count_drop(); /* the consumer sees the gap in the offsets and counts the bytes */
}

static long emit_chunk(__u32 i, void *arg)
{
	struct chunk_ctx *x = arg;
	__u64 off = (__u64)i * AGT_TLS_CHUNK;

	if (off >= x->cap)
		return 1;
	emit_at(x, off);
	return 0;
}

/*
 * The byte count of the call that returned `ret`, from its saved entry state; 0 when it moved
 * nothing (or failed).
 */
static __always_inline __u64 call_bytes(const struct tls_call *c, long ret)
{
	__u64 n;

	if (c->countp) { /* _ex: 1 on success, the count behind the pointer */
		if (ret != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)c->countp))
			return 0;
		return n;
	}
	return ret > 0 ? ret : 0;
}

/* Copies out the data of the call `c` (its entry state) that returned `ret`. */
static __always_inline int call_emit(const struct tls_call *c, long ret)
{
	struct chunk_ctx x = {};
	__u64 n;

	x.c = *c;
	n = call_bytes(&x.c, ret);
	if (!n)
		return 0;
	x.ts = bpf_ktime_get_ns();
	x.call_len = n;
	x.cap = n < targ_tls_max ? n : targ_tls_max;
	bpf_loop((x.cap + AGT_TLS_CHUNK - 1) / AGT_TLS_CHUNK, emit_chunk, &x, 0);
	return 0;
}

static __always_inline int call_return(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call *c, copy;

	c = bpf_map_lookup_elem(&tls_calls, &id);
	if (!c)
		return 0;
	copy = *c;
	bpf_map_delete_elem(&tls_calls, &id);
	return call_emit(&copy, ret);
}

static __always_inline int conn_event(__u64 ssl, __u32 event)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct agt_tls_conn *r;

	if (!ssl || !traced(id >> 32))
		return 0;
	r = bpf_ringbuf_reserve(&tls_events, sizeof(*r), 0);
	if (!r) {
		count_drop();
		return 0;
	}
	fill_hdr(&r->h, AGT_REC_TLS_CONN, sizeof(*r), bpf_ktime_get_ns());
	r->ssl = ssl;
	r->event = event;
	r->_pad = 0;
	bpf_ringbuf_submit(r, wake_flags());
	return 0;
}

#include "tls_go.bpf.h"

static __always_inline int canary_hit(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&tls_canary, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

#include "tls_aead.bpf.h" /* rustls on AWS-LC: the record layer's AEAD */

/*
 * One entry and one return program for all six functions: the attach cookie says which function
 * fired. With uprobe_multi links that makes two links per binary, and removing a link costs one
 * grace period whatever its number of probes.
 */
SEC("uprobe")
int tls_enter(struct pt_regs *ctx)
{
	__u64 fn = bpf_get_attach_cookie(ctx);

	switch (fn) {
	case AGT_TLS_FN_WRITE:
		return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), 0, AGT_TLS_WRITE);
	case AGT_TLS_FN_READ:
		return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), 0, AGT_TLS_READ);
	case AGT_TLS_FN_WRITE_EX: /* (ssl, buf, num, size_t *written) */
		return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM4(ctx),
				  AGT_TLS_WRITE);
	case AGT_TLS_FN_READ_EX:
		return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM4(ctx),
				  AGT_TLS_READ);
	case AGT_TLS_FN_WRITE_EX5:
		return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM5(ctx),
				  AGT_TLS_WRITE);
	case AGT_TLS_FN_FREE:
		return conn_event(PT_REGS_PARM1(ctx), AGT_TLS_FREE);
	case AGT_TLS_FN_CANARY:
		return canary_hit();
	case AGT_TLS_FN_GO_WRITE:
		return go_write(ctx);
	case AGT_TLS_FN_GO_READ:
		return go_read_enter(ctx);
	case AGT_TLS_FN_GO_READ_RET:
		return go_read_return(ctx);
	case AGT_TLS_FN_GO_NEW:
		return conn_event(ctx->ax, AGT_TLS_NEW);
	case AGT_TLS_FN_GO_CLOSE:
		return conn_event(ctx->ax, AGT_TLS_FREE);
	case AGT_TLS_FN_AEAD_SEAL:
		return aead_seal_enter(ctx, false);
	case AGT_TLS_FN_AEAD_SEAL_SCATTER:
		return aead_seal_enter(ctx, true);
	case AGT_TLS_FN_AEAD_OPEN:
		return aead_open_enter(ctx, false);
	case AGT_TLS_FN_AEAD_OPEN_GATHER:
		return aead_open_enter(ctx, true);
	}
	return 0;
}

SEC("uretprobe")
int tls_return(struct pt_regs *ctx)
{
	__u64 fn = bpf_get_attach_cookie(ctx);

	if (fn == AGT_TLS_FN_NEW)
		return conn_event(PT_REGS_RC(ctx), AGT_TLS_NEW);
	if (fn == AGT_TLS_FN_AEAD_OPEN || fn == AGT_TLS_FN_AEAD_OPEN_GATHER)
		return aead_open_return(PT_REGS_RC(ctx));
	return call_return((int)PT_REGS_RC(ctx)); /* SSL_read/SSL_write and _ex return int */
}

/*
 * One link of the copy chain (kernels without bpf_loop): copies up to CHAIN_CHUNKS chunks of the
 * calling thread's call from where the previous link stopped, then tail-calls the next link.
 * Full chunks go out as one size class and only the last one picks its class, so the unrolled
 * code has few paths for the verifier to walk.
 */
static __always_inline int chain_step(void *ctx)
{
	struct chunk_ctx x = {};
	struct tls_call *c;
	__u64 off;

	x.id = bpf_get_current_pid_tgid();
	c = bpf_map_lookup_elem(&tls_calls, &x.id);
	if (!c)
		return 0;
	x.c = *c;
	x.ts = c->ts;
	x.call_len = c->call_len;
	x.cap = c->cap;
	off = c->off;
#pragma clang loop unroll(full)
	for (int i = 0; i < CHAIN_CHUNKS; i++) {
		if (off >= x.cap)
			break;
		if (x.cap - off > AGT_TLS_CHUNK) {
			if (emit_16448(&x, off, AGT_TLS_CHUNK, off ? 0 : AGT_TLS_FIRST))
				count_drop();
			off += AGT_TLS_CHUNK;
		} else {
			emit_at(&x, off);
			off = x.cap;
		}
	}
	if (off < x.cap) {
		c->off = off;
		bpf_tail_call(ctx, &tls_chain, 0);
		count_drop(); /* the chain was cut short: the consumer counts the missing bytes */
	}
	bpf_map_delete_elem(&tls_calls, &x.id);
	return 0;
}

/* Where the chain starts: the call's byte count and capture limit go into its entry. */
static __always_inline int chain_return(void *ctx, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call *c;
	__u64 n, cap;

	c = bpf_map_lookup_elem(&tls_calls, &id);
	if (!c)
		return 0;
	n = call_bytes(c, ret);
	if (!n) {
		bpf_map_delete_elem(&tls_calls, &id);
		return 0;
	}
	cap = n < targ_tls_max ? n : targ_tls_max;
	if (cap > targ_chain_max)
		cap = targ_chain_max;
	c->ts = bpf_ktime_get_ns();
	c->call_len = n;
	c->cap = cap;
	c->off = 0;
	return chain_step(ctx);
}

SEC("uprobe")
int tls_chain_c(struct pt_regs *ctx)
{
	return chain_step(ctx);
}

SEC("uprobe")
int tls_write_c(struct pt_regs *ctx)
{
	return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), 0, AGT_TLS_WRITE);
}

SEC("uprobe")
int tls_read_c(struct pt_regs *ctx)
{
	return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), 0, AGT_TLS_READ);
}

SEC("uprobe")
int tls_write_ex_c(struct pt_regs *ctx)
{
	return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM4(ctx),
			  AGT_TLS_WRITE);
}

SEC("uprobe")
int tls_read_ex_c(struct pt_regs *ctx)
{
	return call_enter(PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx), PT_REGS_PARM4(ctx), AGT_TLS_READ);
}

SEC("uprobe")
int tls_free_c(struct pt_regs *ctx)
{
	return conn_event(PT_REGS_PARM1(ctx), AGT_TLS_FREE);
}

SEC("uretprobe")
int tls_new_c(struct pt_regs *ctx)
{
	return conn_event(PT_REGS_RC(ctx), AGT_TLS_NEW);
}

SEC("uretprobe")
int tls_return_c(struct pt_regs *ctx)
{
	return chain_return(ctx, (int)PT_REGS_RC(ctx));
}

SEC("uprobe")
int tls_canary_c(struct pt_regs *ctx)
{
	return canary_hit();
}

/*
 * Go's crypto/tls on the chain (tls_go.bpf.h): the call goes into the thread's tls_calls entry,
 * where the chain keeps its progress; the whole chain runs within this one probe hit, so the
 * goroutine cannot change threads under it.
 */
static __always_inline int go_chain_start(void *ctx, const struct tls_call *c, long n)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (bpf_map_update_elem(&tls_calls, &id, c, BPF_ANY)) {
		count_drop();
		return 0;
	}
	return chain_return(ctx, n);
}

SEC("uprobe")
int tls_go_write_c(struct pt_regs *ctx)
{
	struct tls_call c = {.ssl = ctx->ax, .buf = ctx->bx, .op = AGT_TLS_WRITE};

	if (!traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return go_chain_start(ctx, &c, (long)ctx->cx);
}

SEC("uprobe")
int tls_go_read_c(struct pt_regs *ctx)
{
	return go_read_enter(ctx);
}

SEC("uprobe")
int tls_go_read_ret_c(struct pt_regs *ctx)
{
	struct tls_call copy;

	if (!go_read_take(ctx, &copy))
		return 0;
	return go_chain_start(ctx, &copy, (long)ctx->ax);
}

SEC("uprobe")
int tls_go_new_c(struct pt_regs *ctx)
{
	return conn_event(ctx->ax, AGT_TLS_NEW);
}

SEC("uprobe")
int tls_go_close_c(struct pt_regs *ctx)
{
	return conn_event(ctx->ax, AGT_TLS_FREE);
}
