/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * printer.h - live output of records: strace-like text lines or JSON lines (DESIGN.md §3).
 *
 * One printer per run. printer_record() takes a raw ring-buffer record, validates it and formats
 * it straight into the output buffer; nothing is allocated per record.
 */
#ifndef AGT_PRINTER_H
#define AGT_PRINTER_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "agtrace.h"
#include "outbuf.h"

/* An event held back until the records around it are printed (see printer_release). */
struct printer_pending {
	struct agt_hdr h;
	const char *type; /* NULL: a text line */
	const char *key;
	char *body;
	size_t len;
};

/*
 * The strings of a thread's last exec, as the kernel copied them: a successful execve whose
 * arguments were not resident when the kernel side read them (string literals never touched)
 * shows them from here instead of as addresses.
 */
#define PRINTER_EXEC_MEMO 4
struct printer_exec_memo {
	__u32 tid, old_tid;
	__u32 argc;
	__u16 filename_len, argv_len;
	unsigned char data[AGT_CAP_BYTES + AGT_ARGV_BYTES];
};

struct printer {
	struct outbuf *ob;
	bool json;
	bool color;
	int strsize;		/* -s: bytes of strings shown; < 0 means no limit (-v) */
	unsigned long long t0;	/* CLOCK_MONOTONIC ns the trace started */
	unsigned long long seq; /* seq_num of the next event */
	unsigned long long bad; /* malformed records skipped */
	/*
	 * defer: events (LLM calls) wait in `pend` until a record with a later timestamp is printed
	 * or printer_release() is called, so they land among the syscalls around them rather than
	 * after the whole batch the consumer was draining.
	 */
	bool defer;
	struct printer_pending *pend;
	size_t npend, cappend;
	struct printer_exec_memo exec_memo[PRINTER_EXEC_MEMO];
	unsigned int exec_next;
};

/* Formats one raw record; returns 0, or -EINVAL if it was malformed (counted in p->bad). */
int printer_record(struct printer *p, const void *data, size_t size);
/* A `lost` event: `count` records the kernel could not queue since the last one. */
void printer_lost(struct printer *p, unsigned long long count, unsigned long long ts);

/*
 * Events built outside the record path (LLM calls, HTTP exchanges), attributed to header h:
 * JSON: the common prefix, then "key": obj (objlen bytes of JSON), then "}"; text: the
 * "[pid N] +S.UUUUUU " prefix, then text. One line each.
 */
/* Prints the deferred events stamped at or before ts (~0ull: all of them). */
void printer_release(struct printer *p, unsigned long long ts);
void printer_event_json(struct printer *p, const struct agt_hdr *h, const char *type,
			const char *key, const char *obj, size_t objlen);
void printer_event_text(struct printer *p, const struct agt_hdr *h, const char *text, size_t len);

/*
 * Argument and result formatting, shared by both flavours (snprintf contract). `all` is the
 * record's six raw arguments (or NULL): a few values are named by another argument (a socket
 * option by its level).
 */
struct sc_arg;
struct agt_cap;
size_t argfmt_text(char *buf, size_t n, const struct sc_arg *a, unsigned long long v,
		   const struct agt_cap *cap, const unsigned char *data, long long ret, int strsize,
		   const unsigned long long *all);
size_t argfmt_json(char *buf, size_t n, const struct sc_arg *a, unsigned long long v,
		   const struct agt_cap *cap, const unsigned char *data, long long ret, int strsize,
		   const unsigned long long *all);
/* " = 3", " = -1 ENOENT (No such file or directory)", " = 0x7f12...", " = ?" */
size_t retfmt_text(char *buf, size_t n, const char *name, long long ret, bool noreturn);
/* The same, with what the arguments tell about the result (fcntl F_GETFL's flags). */
size_t retfmt_text_args(char *buf, size_t n, const char *name, long long ret, bool noreturn,
			const unsigned long long *args);

#endif
