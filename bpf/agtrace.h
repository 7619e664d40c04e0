/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * agtrace.h - the one ABI between the BPF programs and userspace.
 *
 * Included by bpf/agtrace.bpf.c (after vmlinux.h) and by user/ (after <linux/types.h>), so it
 * uses only __u8.. __u64 and includes nothing. Every record starts with struct agt_hdr; `size`
 * is the record's full length so the consumer can check it against the ring buffer's data_sz
 * before it trusts anything else.
 */
#ifndef AGTRACE_H
#define AGTRACE_H

#define AGT_COMM_LEN 16
#define AGT_NARGS    6
/* Syscall numbers at or above this are not traced individually (x32 / unknown). */
#define AGT_NR_MAX   512
#define AGT_NR_WORDS (AGT_NR_MAX / 64)

/* Captured user memory: at most AGT_CAP_MAX items per syscall, each at most AGT_CAP_BYTES. */
#define AGT_CAP_MAX 2

/* AGTRACE_FLOOR (make bench): primitives added to the empty floor programs. */
#define AGT_FLOOR_CLOCK 1u
#define AGT_FLOOR_UREAD 2u
#define AGT_CAP_BYTES	256
/* execve argv: up to AGT_ARGV_MAX strings, AGT_ARGV_BYTES in all (NUL separated). */
#define AGT_ARGV_MAX   32
#define AGT_ARGV_BYTES 1024

/* tp_btf: syscall records leave in per-CPU batches of at most this many bytes (plus one record). */
#define BATCH_BYTES_MAX 4096

/* -c histograms: log2 buckets with 4 linear sub-buckets, durations up to 2^AGT_HIST_EXP ns. */
#define AGT_HIST_SUB_BITS 2
#define AGT_HIST_EXP	  44
#define AGT_HIST_BUCKETS  (AGT_HIST_EXP << AGT_HIST_SUB_BITS)

/* Values of the `tracked` map (tgid -> state), written by both sides. */
#define AGT_TRACK_ACTIVE  1
#define AGT_TRACK_PENDING 2 /* a COMMAND not yet exec'd: only its execve turns tracing on */

enum agt_rec_type {
	AGT_REC_SYSCALL = 1,
	AGT_REC_FORK = 2,
	AGT_REC_EXEC = 3,
	AGT_REC_EXIT = 4,
	AGT_REC_TLS_DATA = 5, /* bpf/tls.bpf.c, on its own ring */
	AGT_REC_TLS_CONN = 6,
	AGT_REC_TLS_BIND = 7, /* bpf/tls_aead.bpf.h: which socket an AEAD key's records travel on */
};

/*
 * How a syscall argument's user memory is captured, one nibble per argument in
 * targ_capspec[nr] (argument i at bits 4*i..4*i+3). Userspace derives the table from its
 * syscall descriptions; the kernel side only follows it.
 */
enum agt_cap_kind {
	AGT_CAP_NONE = 0,
	AGT_CAP_STR = 1,	/* NUL-terminated string (paths), read at exit */
	AGT_CAP_STR_ENTRY = 2,	/* NUL-terminated string read at entry (execve filename) */
	AGT_CAP_ARGV = 3,	/* char *const argv[], read at entry */
	AGT_CAP_SOCKADDR = 4,	/* struct sockaddr *, length is the next argument */
	AGT_CAP_SOCKADDR_P = 5, /* struct sockaddr *, length behind the socklen_t * next arg */
	AGT_CAP_BUF_RET = 6,	/* buffer filled by the kernel, length = return value */
	AGT_CAP_BUF_ARG = 7,	/* buffer given to the kernel, length = the next argument */
	AGT_CAP_FIXED = 8,	/* a structure of AGT_CAP_FIXED_SIZE(spec) bytes, read at exit */
};

/* The size of a syscall's AGT_CAP_FIXED structures, in 4-byte units in the spec's top byte. */
#define AGT_CAP_FIXED_SHIFT   24
#define AGT_CAP_FIXED_UNIT    4
#define AGT_CAP_FIXED_SIZE(s) ((((s) >> AGT_CAP_FIXED_SHIFT) & 0xff) * AGT_CAP_FIXED_UNIT)

/* agt_syscall.flags */
#define AGT_SYS_NORETURN (1u << 0) /* exit/exit_group: emitted at entry, no result */
#define AGT_SYS_NOENTRY	 (1u << 1) /* entry was not seen (attached mid-syscall) */
#define AGT_SYS_CAPTRUNC (1u << 2) /* some captured memory was cut */

struct agt_hdr {
	__u16 type;
	__u16 size; /* bytes in the whole record */
	__u32 tgid;
	__u32 tid;
	__u32 _pad0;
	__u64 ts; /* CLOCK_MONOTONIC ns; syscalls: entry time */
	char comm[AGT_COMM_LEN];
};

/* One item of captured memory, followed by `len` bytes, next item at the next 8-byte boundary. */
struct agt_cap {
	__u8 arg;   /* argument index */
	__u8 kind;  /* enum agt_cap_kind */
	__u16 len;  /* bytes that follow (strings: without the NUL) */
	__u32 full; /* length the kernel side saw before cutting (0 if unknown) */
};

struct agt_syscall {
	struct agt_hdr h;
	__s32 nr;
	__u16 flags;
	__u8 ncap;
	__u8 _pad;
	__u64 args[AGT_NARGS];
	__s64 ret;
	__u64 dur; /* ns from entry to exit */
		   /* ncap struct agt_cap items follow */
};

struct agt_fork {
	struct agt_hdr h; /* tgid/tid: the child */
	__u32 ppid;	  /* parent tgid */
	__u32 ptid;	  /* parent thread */
};

struct agt_exec {
	struct agt_hdr h;
	__u32 old_tid; /* thread that called execve (leader after de_thread) */
	__u16 filename_len;
	__u16 argv_len; /* bytes of NUL-separated argv after the filename */
	__u32 argc;	/* argv strings in the new image (may exceed what was captured) */
	__u32 _pad;
	/* filename (filename_len bytes, no NUL), then argv bytes */
};

struct agt_exit {
	struct agt_hdr h;
	__s32 exit_code; /* exit status (0..255), or -1 when killed by a signal */
	__s32 signal;	 /* terminating signal, 0 if none */
	__u8 core_dumped;
	__u8 _pad[7];
};

/*
 * TLS plaintext (bpf/tls.bpf.c). One SSL_read/SSL_write call that moved `call_len` bytes becomes
 * records of at most AGT_TLS_CHUNK bytes each, at offsets 0, CHUNK, 2*CHUNK...; only the first
 * `targ_tls_max` bytes of a call are captured (the last record then has AGT_TLS_TRUNC and the
 * consumer counts call_len - captured as lost). A chunk the ring had no room for is counted in
 * tls_drops and shows up as a gap in the offsets.
 */
#define AGT_TLS_CHUNK 16384
#define AGT_TLS_FIRST (1u << 0) /* offset 0 of the call */
#define AGT_TLS_LAST  (1u << 1) /* last captured chunk of the call */
#define AGT_TLS_TRUNC (1u << 2) /* the call moved more than was captured */

enum agt_tls_op {
	AGT_TLS_WRITE = 0, /* SSL_write / SSL_write_ex: plaintext the process sends */
	AGT_TLS_READ = 1,  /* SSL_read / SSL_read_ex: plaintext it received */
	/*
	 * One TLS record's plaintext at an AEAD (AWS-LC under rustls, bpf/tls_aead.bpf.h); `ssl`
	 * is the EVP_AEAD_CTX*, one per key and direction. TLS 1.3: content, inner content type,
	 * padding zeros; TLS 1.2 (only application_data is sent up): the content alone.
	 */
	AGT_TLS_SEAL13 = 2,
	AGT_TLS_OPEN13 = 3,
	AGT_TLS_SEAL12 = 4,
	AGT_TLS_OPEN12 = 5,
};

/* Attach cookies of the TLS uprobes: which OpenSSL function a probe sits on. */
enum agt_tls_fn {
	AGT_TLS_FN_WRITE = 1,
	AGT_TLS_FN_READ = 2,
	AGT_TLS_FN_WRITE_EX = 3,
	AGT_TLS_FN_READ_EX = 4,
	AGT_TLS_FN_NEW = 5,
	AGT_TLS_FN_FREE = 6,
	AGT_TLS_FN_CANARY = 7, /* the tracer's own probe test (tls_probe.c) */
	/* Go's crypto/tls (user/tls_go.c): entry probes all, returns probed at the RETs */
	AGT_TLS_FN_GO_WRITE = 8,     /* (*Conn).Write past its stack check: the data, at once */
	AGT_TLS_FN_GO_READ = 9,	     /* (*Conn).Read entry */
	AGT_TLS_FN_GO_READ_RET = 10, /* a RET of (*Conn).Read */
	AGT_TLS_FN_GO_NEW = 11,	     /* (*Conn).clientHandshake / serverHandshake entry */
	AGT_TLS_FN_GO_CLOSE = 12,    /* (*Conn).Close entry */
	/* AWS-LC's AEAD (user/tls_awslc.c) */
	AGT_TLS_FN_AEAD_SEAL = 16,
	AGT_TLS_FN_AEAD_SEAL_SCATTER = 17,
	AGT_TLS_FN_AEAD_OPEN = 18,
	AGT_TLS_FN_AEAD_OPEN_GATHER = 19,
	/* OpenSSL 3.2+'s ssl_write_internal(s, buf, num, flags, size_t *written) (user/tls_ossl.c)
	 */
	AGT_TLS_FN_WRITE_EX5 = 20,
};

enum agt_tls_event {
	AGT_TLS_NEW = 1,  /* SSL_new returned this SSL*: a new connection from here on */
	AGT_TLS_FREE = 2, /* SSL_free: the connection is over */
};

struct agt_tls_data {
	struct agt_hdr h; /* ts: when the call returned */
	__u64 ssl;	  /* the SSL* or Go *tls.Conn (with tgid and NEW/FREE: the connection) */
	__u64 call_len;	  /* bytes the whole call moved */
	__u32 off;	  /* of this chunk within the call */
	__u16 len;	  /* bytes of data that follow */
	__u8 op;	  /* enum agt_tls_op */
	__u8 flags;	  /* AGT_TLS_* */
	/* len bytes; the ring record may be longer (size classes), h.size is exact */
};

struct agt_tls_conn {
	struct agt_hdr h;
	__u64 ssl;
	__u32 event; /* enum agt_tls_event */
	__u32 _pad;
};

/*
 * The AEAD key `ctx` of the traced thread's records travels on the TCP socket `sk` (a struct
 * sock *): sealed records leave through the thread's next tcp_sendmsg, opened ones came from
 * its last tcp_recvmsg. Keys of one connection share the socket: that pairs the directions.
 */
struct agt_tls_bind {
	struct agt_hdr h;
	__u64 ctx;
	__u64 sk;
	__u32 op; /* AGT_TLS_WRITE: sealing key, AGT_TLS_READ: opening key */
	__u32 _pad;
};

/* -c mode: per syscall number, per CPU. */
struct agt_stat {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
	__u64 max_ns;
	__u32 hist[AGT_HIST_BUCKETS];
};

/*
 * The -c histogram bucket of a duration: exponent e = floor(log2(ns)), then the next
 * AGT_HIST_SUB_BITS bits below the top bit pick a linear sub-bucket, so each power of two is cut
 * in four and a percentile read back from it is within 19%. Shared so both sides agree; written
 * without __builtin_clz because the BPF backend has no such instruction.
 */
static inline __u32 agt_hist_bucket(__u64 v)
{
	__u64 x = v;
	__u32 e = 0, b;

	if (v < (1u << AGT_HIST_SUB_BITS))
		return (__u32)v;
	if (x >> 32) {
		x >>= 32;
		e += 32;
	}
	if (x >> 16) {
		x >>= 16;
		e += 16;
	}
	if (x >> 8) {
		x >>= 8;
		e += 8;
	}
	if (x >> 4) {
		x >>= 4;
		e += 4;
	}
	if (x >> 2) {
		x >>= 2;
		e += 2;
	}
	if (x >> 1)
		e += 1;
	if (e >= AGT_HIST_EXP)
		return AGT_HIST_BUCKETS - 1;
	b = (e << AGT_HIST_SUB_BITS) |
	    (__u32)((v >> (e - AGT_HIST_SUB_BITS)) & ((1u << AGT_HIST_SUB_BITS) - 1));
	return b;
}

/* Largest record the slow path builds: fixed part + items, used to size the scratch buffer. */
#define AGT_SYSCALL_MAX                                                                            \
	(sizeof(struct agt_syscall) + AGT_CAP_MAX * (sizeof(struct agt_cap) + AGT_CAP_BYTES) +     \
	 sizeof(struct agt_cap) + AGT_ARGV_BYTES)
#define AGT_EXEC_MAX (sizeof(struct agt_exec) + AGT_CAP_BYTES + AGT_ARGV_BYTES)

#endif /* AGTRACE_H */
