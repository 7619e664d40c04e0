// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * printer.c - raw records to text or JSON lines, written straight into the output buffer.
 *
 * This is the consumer's hot path: it validates the record, formats it with the hand-written
 * formatters (no cJSON, no allocation) and appends one line. seq_num counts the events emitted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "errno_names.h"
#include "flags.h"
#include "printer.h"
#include "redact.h"
#include "record.h"
#include "sbuf.h"
#include "strfmt.h"
#include "syscall_table.h"

#define C_RESET "\033[0m"
#define C_NAME	"\033[1m"
#define C_ERR	"\033[31m"
#define C_PROC	"\033[33m"
#define C_DIM	"\033[2m"

static const struct sc_arg raw_args[AGT_NARGS] = {
    {"arg0", SA_HEX, 8, 0}, {"arg1", SA_HEX, 8, 0}, {"arg2", SA_HEX, 8, 0},
    {"arg3", SA_HEX, 8, 0}, {"arg4", SA_HEX, 8, 0}, {"arg5", SA_HEX, 8, 0},
};

static unsigned long long rel_ns(const struct printer *p, unsigned long long ts)
{
	return ts > p->t0 ? ts - p->t0 : 0;
}

static void text_prefix(struct printer *p, struct sbuf *sb, const struct agt_hdr *h)
{
	unsigned long long rel = rel_ns(p, h->ts);

	if (p->color)
		sb_puts(sb, C_DIM);
	sb_puts(sb, "[pid ");
	sb_putu(sb, h->tid);
	sb_putc(sb, ']');
	if (p->color)
		sb_puts(sb, C_RESET);
	sb_puts(sb, " +");
	sb_put_secs(sb, rel);
	sb_putc(sb, ' ');
}

static void json_prefix(struct printer *p, struct sbuf *sb, const struct agt_hdr *h,
			const char *type)
{
	size_t cl = strnlen(h->comm, AGT_COMM_LEN);

	sb_puts(sb, "{\"seq_num\":");
	sb_putu(sb, p->seq);
	sb_puts(sb, ",\"timestamp\":");
	sb_putu(sb, rel_ns(p, h->ts));
	sb_puts(sb, ",\"pid\":");
	sb_putu(sb, h->tgid);
	sb_puts(sb, ",\"tid\":");
	sb_putu(sb, h->tid);
	sb_puts(sb, ",\"comm\":\"");
	sb_add(sb, json_escape(sb_pos(sb), sb_left(sb), h->comm, cl));
	sb_puts(sb, "\",\"type\":\"");
	sb_puts(sb, type);
	sb_putc(sb, '"');
}

static void commit_line(struct printer *p, struct sbuf *sb)
{
	size_t len = sb->len;

	if (len >= sb->cap) { /* records are bounded (rec_check), but never emit a cut line */
		p->bad++;
		return;
	}
	ob_commit(p->ob, len);
	p->seq++;
}

/*
 * strace shows open's mode only when the flags make the kernel use it (O_CREAT, O_TMPFILE);
 * the JSON keeps every argument.
 */
static int text_nargs(const struct sc_desc *d, const struct agt_syscall *r)
{
	const unsigned long long o_creat = 0100, o_tmpfile = 020000000;
	int fi;

	if (!strcmp(d->name, "fcntl"))
		return fcntl_cmd_has_arg(r->args[1]) ? d->nargs : 2;
	if (!strcmp(d->name, "open"))
		fi = 1;
	else if (!strcmp(d->name, "openat"))
		fi = 2;
	else
		return d->nargs;
	if (d->nargs == fi + 2 && !(r->args[fi] & (o_creat | o_tmpfile)))
		return fi + 1;
	return d->nargs;
}

static void remember_exec(struct printer *p, const struct agt_exec *r, const char *fn,
			  const char *argv)
{
	struct printer_exec_memo *m = &p->exec_memo[p->exec_next++ % PRINTER_EXEC_MEMO];

	if (r->filename_len > AGT_CAP_BYTES || r->argv_len > AGT_ARGV_BYTES) {
		m->tid = m->old_tid = 0;
		return;
	}
	m->tid = r->h.tid;
	m->old_tid = r->old_tid;
	m->argc = r->argc;
	m->filename_len = r->filename_len;
	m->argv_len = r->argv_len;
	memcpy(m->data, fn, r->filename_len);
	memcpy(m->data + r->filename_len, argv, r->argv_len);
}

/*
 * A successful execve whose pathname or argv the kernel side could not read (not resident in
 * the old image) takes them from the exec event that came before it: the same strings, copied
 * by the kernel into the new image. `tmp` holds the substitute capture headers.
 */
static const struct rec_caps *exec_caps(struct printer *p, const struct agt_syscall *r,
					const struct sc_desc *d, const struct rec_caps *caps,
					struct rec_caps *out, struct agt_cap tmp[2])
{
	const struct printer_exec_memo *m = NULL;

	if (!d || r->ret != 0 || strcmp(d->name, "execve") ||
	    ((caps->cap[0] && caps->cap[0]->kind != AGT_CAP_NONE) &&
	     (caps->cap[1] && caps->cap[1]->kind != AGT_CAP_NONE)))
		return caps;
	for (int i = 0; i < PRINTER_EXEC_MEMO; i++)
		if (p->exec_memo[i].tid &&
		    (p->exec_memo[i].tid == r->h.tid || p->exec_memo[i].old_tid == r->h.tid))
			m = &p->exec_memo[i];
	if (!m)
		return caps;
	*out = *caps;
	if (!caps->cap[0] || caps->cap[0]->kind == AGT_CAP_NONE) {
		tmp[0] = (struct agt_cap){.arg = 0,
					  .kind = AGT_CAP_STR_ENTRY,
					  .len = m->filename_len,
					  .full = m->filename_len};
		out->cap[0] = &tmp[0];
		out->data[0] = m->data;
	}
	if (!caps->cap[1] || caps->cap[1]->kind == AGT_CAP_NONE) {
		tmp[1] = (struct agt_cap){
		    .arg = 1, .kind = AGT_CAP_ARGV, .len = m->argv_len, .full = m->argc};
		out->cap[1] = &tmp[1];
		out->data[1] = m->data + m->filename_len;
	}
	return out;
}

static void print_syscall(struct printer *p, const struct agt_syscall *r, size_t size,
			  const struct rec_caps *caps)
{
	struct sbuf sb = SBUF_INIT(ob_room(p->ob, OB_RECORD_MAX), OB_RECORD_MAX);
	const struct sc_desc *d = sc_lookup(r->nr);
	const struct sc_arg *args = d ? d->args : raw_args;
	int nargs = d ? d->nargs : AGT_NARGS;
	bool noret = r->flags & AGT_SYS_NORETURN, failed = r->ret < 0 && r->ret >= -4095;
	char namebuf[32];
	const char *name = d ? d->name : namebuf;
	struct rec_caps ecaps;
	struct agt_cap etmp[2];

	(void)size;
	caps = exec_caps(p, r, d, caps, &ecaps, etmp);
	if (!d)
		snprintf(namebuf, sizeof(namebuf), "syscall_%d", r->nr);
	if (p->json) {
		json_prefix(p, &sb, &r->h, "syscall");
		sb_puts(&sb, ",\"syscall\":{\"syscall\":\"");
		sb_puts(&sb, name);
		sb_puts(&sb, "\",\"nr\":");
		sb_puti(&sb, r->nr);
		sb_puts(&sb, ",\"args\":{");
		for (int i = 0; i < nargs; i++) {
			if (i)
				sb_putc(&sb, ',');
			sb_putc(&sb, '"');
			sb_puts(&sb, args[i].name);
			sb_puts(&sb, "\":");
			sb_add(&sb, argfmt_json(sb_pos(&sb), sb_left(&sb), &args[i], r->args[i],
						caps->cap[i], caps->data[i], r->ret, p->strsize,
						(const unsigned long long *)r->args));
		}
		sb_puts(&sb, "},\"result\":");
		if (noret)
			sb_puts(&sb, "null,\"err\":\"\"");
		else if (failed) {
			const char *en = errno_name((int)-r->ret);

			sb_puts(&sb, "-1,\"err\":\"");
			sb_puts(&sb, en ? en : "E???");
			sb_putc(&sb, '"');
		} else {
			sb_puti(&sb, r->ret);
			sb_puts(&sb, ",\"err\":\"\"");
		}
		sb_puts(&sb, ",\"duration\":");
		sb_putu(&sb, r->dur);
		if (r->flags & AGT_SYS_NOENTRY)
			sb_puts(&sb, ",\"resumed\":true");
		sb_puts(&sb, "}}\n");
	} else {
		text_prefix(p, &sb, &r->h);
		if (p->color)
			sb_puts(&sb, C_NAME);
		sb_puts(&sb, name);
		if (p->color)
			sb_puts(&sb, C_RESET);
		sb_putc(&sb, '(');
		if (d)
			nargs = text_nargs(d, r);
		for (int i = 0; i < nargs; i++) {
			if (i)
				sb_puts(&sb, ", ");
			sb_add(&sb, argfmt_text(sb_pos(&sb), sb_left(&sb), &args[i], r->args[i],
						caps->cap[i], caps->data[i], r->ret, p->strsize,
						(const unsigned long long *)r->args));
		}
		sb_putc(&sb, ')');
		if (failed && p->color)
			sb_puts(&sb, C_ERR);
		sb_add(&sb, retfmt_text_args(sb_pos(&sb), sb_left(&sb), name, r->ret, noret,
					     (const unsigned long long *)r->args));
		if (failed && p->color)
			sb_puts(&sb, C_RESET);
		if (noret)
			sb_puts(&sb, "\n");
		else if (r->flags & AGT_SYS_NOENTRY)
			sb_puts(&sb, " <?>\n");
		else {
			sb_puts(&sb, " <");
			sb_put_secs(&sb, r->dur);
			sb_puts(&sb, ">\n");
		}
	}
	commit_line(p, &sb);
}

static void print_fork(struct printer *p, const struct agt_fork *r)
{
	struct sbuf sb = SBUF_INIT(ob_room(p->ob, OB_RECORD_MAX), OB_RECORD_MAX);

	if (p->json) {
		json_prefix(p, &sb, &r->h, "process");
		sb_printf(&sb, ",\"process\":{\"event\":\"fork\",\"ppid\":%u,\"parent_tid\":%u}}\n",
			  r->ppid, r->ptid);
	} else {
		text_prefix(p, &sb, &r->h);
		sb_printf(&sb, "%s--- fork (parent %u) ---%s\n", p->color ? C_PROC : "", r->ppid,
			  p->color ? C_RESET : "");
	}
	commit_line(p, &sb);
}

static int print_exec(struct printer *p, const struct agt_exec *r, size_t size)
{
	struct sbuf sb = SBUF_INIT(ob_room(p->ob, OB_RECORD_MAX), OB_RECORD_MAX);
	const char *fn, *argv;
	size_t off = 0, n = 0, argv_len;
	char clean[AGT_ARGV_BYTES + sizeof(REDACTED)];

	if (rec_exec_parts(r, size, &fn, &argv))
		return -EINVAL;
	remember_exec(p, r, fn, argv);
	argv_len = r->argv_len;
	/* `curl -H "Authorization: Bearer sk-..."`: keys in a command line are redacted too */
	/* the last string may be cut by the 1 KiB capture: a key fragment there goes too */
	if (argv_len <= AGT_ARGV_BYTES && redact_needed_cut(argv, argv_len)) {
		memcpy(clean, argv, argv_len);
		argv_len = redact_secrets_cut(clean, argv_len, sizeof(clean));
		argv = clean;
	}
	if (p->json) {
		json_prefix(p, &sb, &r->h, "process");
		sb_puts(&sb, ",\"process\":{\"event\":\"exec\",\"filename\":\"");
		sb_add(&sb, json_escape(sb_pos(&sb), sb_left(&sb), fn, r->filename_len));
		sb_puts(&sb, "\",\"argv\":[");
	} else {
		text_prefix(p, &sb, &r->h);
		sb_printf(&sb, "%s--- exec ", p->color ? C_PROC : "");
		sb_add(&sb, fmt_quoted(sb_pos(&sb), sb_left(&sb), fn, r->filename_len, (size_t)-1,
				       false));
		sb_puts(&sb, " [");
	}
	while (off < argv_len) {
		size_t l = strnlen(argv + off, argv_len - off);

		if (n)
			sb_puts(&sb, p->json ? "," : ", ");
		if (p->json) {
			sb_putc(&sb, '"');
			sb_add(&sb, json_escape(sb_pos(&sb), sb_left(&sb), argv + off, l));
			sb_putc(&sb, '"');
		} else {
			sb_add(&sb, fmt_quoted(sb_pos(&sb), sb_left(&sb), argv + off, l,
					       p->strsize >= 0 ? (size_t)p->strsize : (size_t)-1,
					       false));
		}
		off += l + 1;
		n++;
	}
	if (p->json) {
		sb_printf(&sb, "],\"argc\":%u,\"old_tid\":%u}}\n", r->argc, r->old_tid);
	} else {
		if (r->argc > n)
			sb_puts(&sb, n ? ", ..." : "...");
		sb_printf(&sb, "] ---%s\n", p->color ? C_RESET : "");
	}
	commit_line(p, &sb);
	return 0;
}

static void print_exit(struct printer *p, const struct agt_exit *r)
{
	struct sbuf sb = SBUF_INIT(ob_room(p->ob, OB_RECORD_MAX), OB_RECORD_MAX);
	const char *sig = r->signal ? signal_name(r->signal) : NULL;
	char sigbuf[16];

	if (r->signal && !sig) {
		snprintf(sigbuf, sizeof(sigbuf), "SIG%d", r->signal);
		sig = sigbuf;
	}
	if (p->json) {
		json_prefix(p, &sb, &r->h, "process");
		sb_puts(&sb, ",\"process\":{\"event\":\"exit\",\"exit_code\":");
		if (r->signal)
			sb_printf(&sb, "null,\"signal\":\"%s\"", sig);
		else
			sb_printf(&sb, "%d,\"signal\":null", r->exit_code);
		sb_printf(&sb, ",\"core_dumped\":%s}}\n", r->core_dumped ? "true" : "false");
	} else {
		text_prefix(p, &sb, &r->h);
		if (r->signal)
			sb_printf(&sb, "+++ killed by %s%s +++\n", sig,
				  r->core_dumped ? " (core dumped)" : "");
		else
			sb_printf(&sb, "+++ exited with %d +++\n", r->exit_code);
	}
	commit_line(p, &sb);
}

int printer_record(struct printer *p, const void *data, size_t size)
{
	struct rec_caps caps;
	int type = rec_check(data, size);

	if (p->npend && size >= sizeof(struct agt_hdr) &&
	    p->pend[0].h.ts <= ((const struct agt_hdr *)data)->ts)
		printer_release(p, ((const struct agt_hdr *)data)->ts);
	switch (type) {
	case AGT_REC_SYSCALL:
		if (rec_syscall_caps(data, size, &caps))
			break;
		print_syscall(p, data, size, &caps);
		return 0;
	case AGT_REC_FORK:
		print_fork(p, data);
		return 0;
	case AGT_REC_EXEC:
		if (print_exec(p, data, size))
			break;
		return 0;
	case AGT_REC_EXIT:
		print_exit(p, data);
		return 0;
	default:
		break;
	}
	p->bad++;
	return -EINVAL;
}

/* Keeps an event for printer_release(), in timestamp order; false if out of memory. */
static bool defer_event(struct printer *p, const struct agt_hdr *h, const char *type,
			const char *key, const char *body, size_t len)
{
	struct printer_pending *e;
	size_t i;

	if (p->npend == p->cappend) {
		size_t ncap = p->cappend ? p->cappend * 2 : 8;
		void *t = realloc(p->pend, ncap * sizeof(*p->pend));

		if (!t)
			return false;
		p->pend = t;
		p->cappend = ncap;
	}
	i = p->npend;
	while (i && p->pend[i - 1].h.ts > h->ts)
		i--;
	memmove(&p->pend[i + 1], &p->pend[i], (p->npend - i) * sizeof(*p->pend));
	e = &p->pend[i];
	e->h = *h;
	e->type = type;
	e->key = key;
	e->len = len;
	e->body = malloc(len ? len : 1);
	if (!e->body) {
		memmove(&p->pend[i], &p->pend[i + 1], (p->npend - i) * sizeof(*p->pend));
		return false;
	}
	memcpy(e->body, body, len);
	p->npend++;
	return true;
}

static void write_event_json(struct printer *p, const struct agt_hdr *h, const char *type,
			     const char *key, const char *obj, size_t objlen);
static void write_event_text(struct printer *p, const struct agt_hdr *h, const char *text,
			     size_t len);

void printer_release(struct printer *p, unsigned long long ts)
{
	size_t n = 0;

	while (n < p->npend && p->pend[n].h.ts <= ts) {
		struct printer_pending *e = &p->pend[n++];

		if (e->type)
			write_event_json(p, &e->h, e->type, e->key, e->body, e->len);
		else
			write_event_text(p, &e->h, e->body, e->len);
		free(e->body);
	}
	if (n) {
		memmove(p->pend, p->pend + n, (p->npend - n) * sizeof(*p->pend));
		p->npend -= n;
	}
}

void printer_event_json(struct printer *p, const struct agt_hdr *h, const char *type,
			const char *key, const char *obj, size_t objlen)
{
	if (p->defer && defer_event(p, h, type, key, obj, objlen))
		return;
	write_event_json(p, h, type, key, obj, objlen);
}

void printer_event_text(struct printer *p, const struct agt_hdr *h, const char *text, size_t len)
{
	if (p->defer && defer_event(p, h, NULL, NULL, text, len))
		return;
	write_event_text(p, h, text, len);
}

static void write_event_json(struct printer *p, const struct agt_hdr *h, const char *type,
			     const char *key, const char *obj, size_t objlen)
{
	struct sbuf sb = SBUF_INIT(ob_room(p->ob, OB_RECORD_MAX), OB_RECORD_MAX);

	json_prefix(p, &sb, h, type);
	sb_puts(&sb, ",\"");
	sb_puts(&sb, key);
	sb_puts(&sb, "\":");
	if (sb.len >= sb.cap) {
		p->bad++;
		return;
	}
	ob_commit(p->ob, sb.len);
	ob_write(p->ob, obj, objlen); /* may be megabytes: a prompt */
	ob_write(p->ob, "}\n", 2);
	p->seq++;
}

static void write_event_text(struct printer *p, const struct agt_hdr *h, const char *text,
			     size_t len)
{
	struct sbuf sb = SBUF_INIT(ob_room(p->ob, OB_RECORD_MAX), OB_RECORD_MAX);

	text_prefix(p, &sb, h);
	if (sb.len >= sb.cap) {
		p->bad++;
		return;
	}
	ob_commit(p->ob, sb.len);
	ob_write(p->ob, text, len);
	ob_write(p->ob, "\n", 1);
	p->seq++;
}

void printer_lost(struct printer *p, unsigned long long count, unsigned long long ts)
{
	struct sbuf sb = SBUF_INIT(ob_room(p->ob, OB_RECORD_MAX), OB_RECORD_MAX);

	if (p->json)
		sb_printf(&sb,
			  "{\"seq_num\":%llu,\"timestamp\":%llu,\"type\":\"lost\",\"lost\":{"
			  "\"count\":%llu}}\n",
			  p->seq, rel_ns(p, ts), count);
	else
		sb_printf(&sb, "--- lost %llu records (ring buffer full) ---\n", count);
	commit_line(p, &sb);
}
