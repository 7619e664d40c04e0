/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_aead_threads.bpf.h - per-thread state shared by the AEAD uprobes (tls_aead.bpf.h, in
 * tls.bpf.c) and the TCP fentry programs (tls_sock.bpf.c), which reuses the map by fd.
 */
#ifndef AGT_TLS_AEAD_THREADS_BPF_H
#define AGT_TLS_AEAD_THREADS_BPF_H

/* Per thread: the socket of its last TCP receive, the sealing key waiting for a send. */
struct aead_thread {
	__u64 recv_sk;
	__u64
	    open_ctx; /* the last opening key bound to recv_sk (a bind per change, not per call) */
	__u64 seal_ctx; /* sealed since the last send: bound at the next tcp_sendmsg */
	__u32 recv_fresh;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct aead_thread);
} aead_threads SEC(".maps");

#endif
