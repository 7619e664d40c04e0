/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_go.bpf.h - Go's crypto/tls.(*Conn).Write/Read, included by tls.bpf.c (same object: the
 * ring, the drop counter and the record format are the OpenSSL probes', so userspace parses Go's
 * plaintext unchanged).
 *
 * Go's register ABI (1.17+, amd64): at entry RAX = the *tls.Conn, RBX/RCX/RDI = the []byte's
 * pointer, length and capacity; at each RET RAX = n; R14 = the running goroutine's g throughout.
 *
 * Write is copied when it starts (past its prologue's stack check, which reruns the entry when
 * the stack grows), before any byte reaches the socket: copied at its return, a request could
 * enter the ring after the response another goroutine read meanwhile. Go's Write sends all of b
 * unless the connection fails, so len(b) is what it moves.
 *
 * Read is copied at its return, probed at each RET instruction (userspace finds them) rather than
 * with a uretprobe, which plants a return address on a stack that Go may move. A goroutine can
 * change threads between entry and return, so the call is keyed by (tgid, g), not by thread.
 */
#ifndef AGT_TLS_GO_BPF_H
#define AGT_TLS_GO_BPF_H

struct go_key {
	__u64 g;
	__u32 tgid;
	__u32 _pad;
};

/*
 * Reads in flight by goroutine. LRU: a goroutine parked in Read forever (an idle connection's
 * read loop) or one that ends mid-call (a panic) leaves its entry behind; the oldest go first
 * when the map is full.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct go_key);
	__type(value, struct tls_call);
} go_calls SEC(".maps");

static __always_inline int go_write(struct pt_regs *ctx)
{
	struct tls_call c = {.ssl = ctx->ax, .buf = ctx->bx, .op = AGT_TLS_WRITE};

	if (!traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return call_emit(&c, (long)ctx->cx);
}

static __always_inline int go_read_enter(struct pt_regs *ctx)
{
	struct go_key k = {.g = ctx->r14, .tgid = bpf_get_current_pid_tgid() >> 32};
	struct tls_call c = {.ssl = ctx->ax, .buf = ctx->bx, .op = AGT_TLS_READ};

	if (!traced(k.tgid))
		return 0;
	/* a stack growth reruns the entry with the same registers: the same entry again */
	if (bpf_map_update_elem(&go_calls, &k, &c, BPF_ANY))
		count_drop();
	return 0;
}

/* The goroutine's Read in flight (entry state) into *out, forgotten; false if there is none. */
static __always_inline bool go_read_take(struct pt_regs *ctx, struct tls_call *out)
{
	struct go_key k = {.g = ctx->r14, .tgid = bpf_get_current_pid_tgid() >> 32};
	struct tls_call *c = bpf_map_lookup_elem(&go_calls, &k);

	if (!c)
		return false;
	*out = *c;
	bpf_map_delete_elem(&go_calls, &k);
	return true;
}

static __always_inline int go_read_return(struct pt_regs *ctx)
{
	struct tls_call copy;

	if (!go_read_take(ctx, &copy))
		return 0;
	return call_emit(&copy, (long)ctx->ax); /* n int: 64 bits */
}

#endif
