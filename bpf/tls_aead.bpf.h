/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_aead.bpf.h - TLS plaintext at AWS-LC's AEAD, for rustls (Codex, Copilot's runtime.node),
 * included by tls.bpf.c (it uses its ring, its call map and its chunk copier).
 *
 * rustls does the TLS record layer itself and hands each record to the AEAD: the plaintext is
 * the input of EVP_AEAD_CTX_seal (read at entry: it is encrypted in place) and the output of
 * EVP_AEAD_CTX_open (read at return). The additional data says whether a call is a TLS record
 * at all: TLS 1.3 authenticates the 5-byte record header (23, 3, 3, ciphertext length), TLS 1.2
 * a 13-byte pseudo header whose type must be application_data (23); anything else (an AEAD used
 * for something other than TLS) is left alone. The EVP_AEAD_CTX* names a key, one per direction
 * of a connection; fentry programs on tcp_sendmsg/tcp_recvmsg (bpf/tls_sock.bpf.c) tell which
 * socket the thread's keys serve (agt_tls_bind, emit_bind in tls_ring.bpf.h), which pairs the two directions of a connection
 * in userspace (user/tls_aead.c).
 */
#ifndef AGT_TLS_AEAD_BPF_H
#define AGT_TLS_AEAD_BPF_H

#define AEAD_TAG_LEN 16 /* AES-GCM and ChaCha20-Poly1305, rustls' only AEADs */

/* The locator is x86-64 only (user/tls_awslc.c): elsewhere these programs are never attached. */
#if defined(__TARGET_ARCH_x86)
#define AEAD_PARM6(x) ((__u64)((const struct pt_regs *)(x))->r9)
#else
#define AEAD_PARM6(x) 0
#endif

#include "tls_aead_threads.bpf.h"

static __always_inline __u64 stack_arg(struct pt_regs *ctx, int i)
{
	__u64 v = 0;

	/* at the entry probe, rsp points at the return address; stack argument i follows it */
	bpf_probe_read_user(&v, sizeof(v), (void *)(PT_REGS_SP(ctx) + 8 + 8 * i));
	return v;
}

/*
 * The op of a call whose additional data is `ad` (ad_len bytes) and whose ciphertext (tag
 * included) is ct_len bytes, or plaintext pt_len for TLS 1.2: AGT_TLS_*13 / *12, or -1 when it is
 * not a TLS application record.
 */
static __always_inline int aead_op(__u64 ad, __u64 ad_len, __u64 ct_len, bool seal)
{
	__u8 h[13];

	if (ad_len == 5) {
		if (bpf_probe_read_user(h, 5, (void *)ad) || h[0] != 23 || h[1] != 3 || h[2] != 3 ||
		    ((__u64)h[3] << 8 | h[4]) != ct_len)
			return -1;
		return seal ? AGT_TLS_SEAL13 : AGT_TLS_OPEN13;
	}
	if (ad_len == 13) {
		if (bpf_probe_read_user(h, 13, (void *)ad) || h[8] != 23 || h[9] != 3 ||
		    ((__u64)h[11] << 8 | h[12]) + AEAD_TAG_LEN != ct_len)
			return -1;
		return seal ? AGT_TLS_SEAL12 : AGT_TLS_OPEN12;
	}
	return -1;
}

/* The record's plaintext, len bytes at buf, out in chunks like an SSL call's data. */
static __always_inline void aead_emit(__u64 key, __u64 buf, __u64 len, __u32 op)
{
	struct chunk_ctx x = {};

	if (!len)
		return;
	x.id = bpf_get_current_pid_tgid();
	x.c.ssl = key;
	x.c.buf = buf;
	x.c.op = op;
	x.ts = bpf_ktime_get_ns();
	x.call_len = len;
	x.cap = len < targ_tls_max ? len : targ_tls_max;
	bpf_loop((x.cap + AGT_TLS_CHUNK - 1) / AGT_TLS_CHUNK, emit_chunk, &x, 0);
}

/* seal: (ctx, out, out_len*, max_out, nonce, nonce_len | in, in_len, ad, ad_len) */
static __always_inline int aead_seal_enter(struct pt_regs *ctx, bool scatter)
{
	/* seal_scatter: (ctx, out, out_tag, out_tag_len*, max_tag, nonce | nonce_len, in, in_len,
	 * extra_in, extra_in_len, ad, ad_len) */
	int s = scatter ? 1 : 0;
	__u64 id = bpf_get_current_pid_tgid(), key = PT_REGS_PARM1(ctx);
	__u64 in = stack_arg(ctx, s), in_len = stack_arg(ctx, s + 1);
	__u64 ad = stack_arg(ctx, scatter ? 5 : 2), ad_len = stack_arg(ctx, scatter ? 6 : 3);
	struct aead_thread zero = {}, *t;
	int op;

	if (!traced(id >> 32))
		return 0;
	op = aead_op(ad, ad_len, in_len + AEAD_TAG_LEN, true);
	if (op < 0)
		return 0;
	t = bpf_map_lookup_elem(&aead_threads, &id);
	if (!t) {
		bpf_map_update_elem(&aead_threads, &id, &zero, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&aead_threads, &id);
	}
	if (t)
		t->seal_ctx = key;
	aead_emit(key, in, in_len, op);
	return 0;
}

/*
 * open: (ctx, out, out_len*, max_out, nonce, nonce_len | in, in_len, ad, ad_len);
 * open_gather: (ctx, out, nonce, nonce_len, in, in_len | in_tag, in_tag_len, ad, ad_len).
 * The plaintext exists at return: the entry saves where it will be.
 */
static __always_inline int aead_open_enter(struct pt_regs *ctx, bool gather)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call c = {.ssl = PT_REGS_PARM1(ctx), .buf = PT_REGS_PARM2(ctx)};
	struct tls_call *prev;
	__u64 ct_len;
	int op;

	if (!traced(id >> 32))
		return 0;
	prev = bpf_map_lookup_elem(&tls_calls, &id);
	if (prev && prev->op >= AGT_TLS_SEAL13)
		return 0; /* open_gather called by open, when not inlined: one record, one copy */
	if (gather) {
		c.call_len = AEAD_PARM6(ctx);
		ct_len = c.call_len + stack_arg(ctx, 1);
	} else {
		c.countp = PT_REGS_PARM3(ctx);
		ct_len = stack_arg(ctx, 1);
	}
	op = aead_op(stack_arg(ctx, 2), stack_arg(ctx, 3), ct_len, false);
	if (op < 0)
		return 0;
	c.op = op;
	if (bpf_map_update_elem(&tls_calls, &id, &c, BPF_ANY))
		count_drop();
	return 0;
}

static __always_inline int aead_open_return(long ret)
{
	__u64 id = bpf_get_current_pid_tgid(), n;
	struct aead_thread *t;
	struct tls_call *p, c;

	p = bpf_map_lookup_elem(&tls_calls, &id);
	if (!p || p->op < AGT_TLS_SEAL13)
		return 0;
	c = *p;
	bpf_map_delete_elem(&tls_calls, &id);
	if ((int)ret != 1)
		return 0; /* failed to authenticate: nothing came out */
	n = c.call_len;
	if (c.countp && bpf_probe_read_user(&n, sizeof(n), (void *)c.countp))
		return 0;
	t = bpf_map_lookup_elem(&aead_threads, &id);
	if (t && t->recv_sk && (t->recv_fresh || t->open_ctx != c.ssl)) {
		emit_bind(c.ssl, t->recv_sk, AGT_TLS_READ);
		t->recv_fresh = 0;
		t->open_ctx = c.ssl;
	}
	aead_emit(c.ssl, c.buf, n, c.op);
	return 0;
}

#endif
