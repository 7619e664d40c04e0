/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tls_go.h - where Go's crypto/tls hands over plaintext, in a Go binary (stripped or not).
 *
 * Go programs do not use OpenSSL: net/http's HTTPS goes through crypto/tls.(*Conn).Write and
 * .Read, compiled into the binary. Their addresses come from Go's own function table (which
 * survives stripping, see gopclntab.h). Go moves goroutine stacks and moves goroutines between
 * threads, so a uretprobe (which swaps the return address on the stack) is unsafe: returns are
 * probed at each RET instruction of the function instead, found by decoding it from its entry
 * to its end (x86dec.h). Go 1.17+ passes arguments in registers (ABIInternal: RAX, RBX, RCX...,
 * results in RAX, RBX...; R14 holds the running goroutine), which the BPF side reads.
 */
#ifndef AGT_TLS_GO_H
#define AGT_TLS_GO_H

#include <stddef.h>

#define TLS_GO_MAX_RETS 32

struct tls_go_probes {
	/*
	 * File offsets; 0: absent (only write and read are needed). write is past the stack check
	 * of (*Conn).Write's prologue: the data is copied there, once per call (see
	 * tls_go_after_stack_check); the others are entries.
	 */
	size_t write, read, close, hs_client, hs_server;
	size_t read_ret[TLS_GO_MAX_RETS]; /* the RET instructions of (*Conn).Read */
	unsigned nread_ret;
};

/*
 * Locates crypto/tls in the Go binary `path`: >0 located (*out filled), 0 the file is not a Go
 * binary carrying crypto/tls (cheap to decide for most files), <0 it carries it but the
 * functions cannot be placed with confidence, `why` then one short phrase ("Go 1.16/1.17 binary:
 * ..."). `why` is "" on success. Positive answers are remembered across runs (symcache.h).
 */
int tls_go_locate(const char *path, struct tls_go_probes *out, char *why, size_t whylen);

/*
 * The RET instructions of the function whose code[0..len) starts at offset `base`: rets[] gets
 * base + each RET's offset. Returns how many (>0), or -1 with `why` when the code cannot be
 * walked exactly: an unknown instruction, a jump leaving the function (a tail call would return
 * past every probe), an indirect jump, more than `max` RETs, or none at all.
 */
int tls_go_find_rets(const unsigned char *code, size_t len, size_t base, size_t *rets, unsigned max,
		     char *why, size_t whylen);

/*
 * The offset (from the function's start) of the first instruction after the stack-growth check
 * of a Go function's prologue, or -1 with `why`. Go's prologue compares SP (or SP minus the
 * frame, in R12) with the goroutine's stack guard at 16(R14) and jumps, when the stack is too
 * small, to a block at the end that calls runtime.morestack and jumps back to the entry: the
 * entry runs again for the same call, code past the check does not. Checked exactly: the
 * CMP/JBE pair, and a block at the jump's target that reaches a CALL and then a JMP to offset 0.
 */
int tls_go_after_stack_check(const unsigned char *code, size_t len, char *why, size_t whylen);

#endif
