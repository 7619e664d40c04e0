/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* hdr.bpf.h - the record header both BPF objects write (after vmlinux.h and agtrace.h). */
#ifndef AGT_HDR_BPF_H
#define AGT_HDR_BPF_H

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
