// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tls_sock.bpf.c - which socket a traced thread's AEAD keys serve (rustls on AWS-LC, see
 * tls_aead.bpf.h): a key sealed on a thread goes out with that thread's next send, a key opened
 * came in with its last receive. The socket pairs the two keys (directions) of one connection.
 * The sock_send_length/sock_recv_length tracepoints (Linux 6.3+) see every socket send and
 * receive with its struct sock *, whatever the syscall; kprobes or fentry on tcp_sendmsg would
 * do on older kernels, but kernels without KPROBES or BPF trampolines exist (this machine's).
 * Its own object, loaded by tls_probe.c only once a binary with AWS-LC is found (a kernel
 * without the tracepoints loses only this), with the TLS object's ring, drop counter and
 * per-thread map reused by fd.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "agtrace.h"
#include "shared.bpf.h"
#include "tls_aead_threads.bpf.h"
#include "tls_ring.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The sealing key waiting on this thread goes out on sk. */
static __always_inline void bind_seal(struct aead_thread *t, struct sock *sk)
{
	emit_bind(t->seal_ctx, (__u64)sk, AGT_TLS_WRITE);
	t->seal_ctx = 0;
}

/* sock_sendmsg's tracepoint (6.3+), after every send, whatever it returned (EAGAIN too) */
SEC("tp_btf/sock_send_length")
int BPF_PROG(aead_sock_send, struct sock *sk, int ret, int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct aead_thread *t;

	if (!traced(id >> 32))
		return 0;
	t = bpf_map_lookup_elem(&aead_threads, &id);
	if (t && t->seal_ctx)
		bind_seal(t, sk);
	return 0;
}

/* sock_recvmsg's: the records a thread opens next came with the last data it received */
SEC("tp_btf/sock_recv_length")
int BPF_PROG(aead_sock_recv, struct sock *sk, int ret, int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct aead_thread *t, v = {.recv_sk = (__u64)sk, .recv_fresh = 1};

	if (!traced(id >> 32))
		return 0;
	t = bpf_map_lookup_elem(&aead_threads, &id);
	if (!t) {
		bpf_map_update_elem(&aead_threads, &id, &v, BPF_NOEXIST);
		return 0;
	}
	t->recv_sk = (__u64)sk;
	t->recv_fresh = 1;
	return 0;
}
