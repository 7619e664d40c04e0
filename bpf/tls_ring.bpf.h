/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_ring.bpf.h - the TLS ring, its drop counter and what writes to them, shared by the TLS
 * object (tls.bpf.c) and the socket tracepoints that pair AEAD keys (tls_sock.bpf.c), which
 * reuses both maps by fd: one definition, so the two cannot drift apart.
 */
#ifndef AGT_TLS_RING_BPF_H
#define AGT_TLS_RING_BPF_H

const volatile __u64 targ_wakeup_bytes = 4 << 20; /* a quarter of the ring */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by userspace to fit targ_tls_max */
} tls_events SEC(".maps");

/* Records the ring had no room for, and calls whose entry state could not be saved. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tls_drops SEC(".maps");

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&tls_drops, &zero);

	if (d)
		*d += 1;
}

/*
 * Like the syscall records: no wake-up per record (a cross-CPU wake-up costs more than the
 * capture; the consumer polls every 50 ms), unless the ring is a quarter full.
 */
static __always_inline __u64 wake_flags(void)
{
	return bpf_ringbuf_query(&tls_events, BPF_RB_AVAIL_DATA) > targ_wakeup_bytes
		   ? BPF_RB_FORCE_WAKEUP
		   : BPF_RB_NO_WAKEUP;
}

static __always_inline bool traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

/* The AEAD key ctx serves socket sk in direction op (user/tls_aead.c pairs the keys by it). */
static __always_inline void emit_bind(__u64 ctx, __u64 sk, __u32 op)
{
	struct agt_tls_bind *b = bpf_ringbuf_reserve(&tls_events, sizeof(*b), 0);

	if (!b) {
		count_drop();
		return;
	}
	fill_hdr(&b->h, AGT_REC_TLS_BIND, sizeof(*b), bpf_ktime_get_ns());
	b->ctx = ctx;
	b->sk = sk;
	b->op = op;
	b->_pad = 0;
	bpf_ringbuf_submit(b, wake_flags());
}

#endif
