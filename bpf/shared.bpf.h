/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * shared.bpf.h - what both BPF objects (agtrace.bpf.c, tls.bpf.c) define alike; include after
 * vmlinux.h, bpf_helpers.h and agtrace.h.
 */
#ifndef AGT_SHARED_BPF_H
#define AGT_SHARED_BPF_H

/*
 * The traced processes, tgid -> AGT_TRACK_*: the syscall object's map, which the TLS object
 * reuses by fd (bpf_map__reuse_fd), so the two definitions must match - hence one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u32);
} tracked SEC(".maps");

/* Ids and comm of the current task; `ts` is the caller's (entry time, return time...). */
static __always_inline void fill_hdr(struct agt_hdr *h, __u16 type, __u16 size, __u64 ts)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->type = type;
	h->size = size;
	h->tgid = id >> 32;
	h->tid = (__u32)id;
	h->_pad0 = 0;
	h->ts = ts;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

#endif
