// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * opts.c - command-line parsing for tracing. Pure: no I/O besides --help/--version, so every
 * case is unit-tested. Errors are one line in the caller's buffer.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "syscall_table.h"

enum {
	OPT_JSON = 0x100,
	OPT_NO_FOLLOW,
	OPT_COLOR,
	OPT_BUFSIZE,
	OPT_RAW_TP,
	OPT_NO_TLS,
	OPT_TLS_MAX,
	OPT_HTTP,
	OPT_OUTPUT_DIR,
	OPT_INTENT,
};

static const struct option long_opts[] = {
    {"pid", required_argument, NULL, 'p'},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    {"expr", required_argument, NULL, 'e'},
    {"failed", no_argument, NULL, 'Z'},
    {"failed-only", no_argument, NULL, 'Z'},
    {"verbose", no_argument, NULL, 'v'},
    {"string-limit", required_argument, NULL, 's'},
    {"summary-only", no_argument, NULL, 'c'},
    {"no-follow", no_argument, NULL, OPT_NO_FOLLOW},
    {"color", optional_argument, NULL, OPT_COLOR},
    {"colour", optional_argument, NULL, OPT_COLOR},
    {"duration", required_argument, NULL, 'd'},
    {"quiet", no_argument, NULL, 'q'},
    {"buffer-size", required_argument, NULL, OPT_BUFSIZE},
    {"raw-tp", no_argument, NULL, OPT_RAW_TP},
    {"no-tls", no_argument, NULL, OPT_NO_TLS},
    {"tls-max-bytes", required_argument, NULL, OPT_TLS_MAX},
    {"http", no_argument, NULL, OPT_HTTP},
    {"record", no_argument, NULL, 'r'},
    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
    {"intent", required_argument, NULL, OPT_INTENT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void opts_usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: agtrace-bpf [OPTIONS] -p PID[,PID...]\n"
	    "       agtrace-bpf [OPTIONS] [--] COMMAND [ARG...]\n"
	    "       agtrace-bpf record [OPTIONS] (-p PID | [--] COMMAND [ARG...])\n"
	    "       agtrace-bpf records [DIR] | replay REC | diff REC SEQ1 SEQ2 | fork REC --at "
	    "SEQ\n"
	    "\n"
	    "Trace the syscalls of a process tree, and its LLM calls read from OpenSSL, with "
	    "eBPF.\n"
	    "\n"
	    "  -p, --pid PID[,PID]   trace running process(es) and their new descendants\n"
	    "  -o, --output FILE     write the trace to FILE (mode 0600) instead of stdout\n"
	    "      --json            one JSON object per line\n"
	    "  -e trace=SET          only these syscalls: names, %%file %%network %%process\n"
	    "                        %%memory %%signal %%ipc %%desc %%creds %%clock %%stat ...,\n"
	    "                        /REGEX; a leading ! excludes the set\n"
	    "  -Z, --failed          only syscalls that failed\n"
	    "  -s N                  show N bytes of strings and buffers (default %d)\n"
	    "                        -s 0: capture no read/write data (cheapest)\n"
	    "  -v, --verbose         do not cut strings\n"
	    "  -c, --summary-only    count in the kernel; print a table at exit\n"
	    "      --no-follow       do not trace children\n"
	    "      --color[=WHEN]    auto (default; honours NO_COLOR and non-ttys), always, never\n"
	    "  -d, --duration SECS   stop after SECS seconds\n"
	    "  -q, --quiet           no attach/detach messages\n"
	    "      --buffer-size N   ring buffer size (power of two; K/M/G; default 16M)\n"
	    "      --raw-tp          use raw tracepoints even where tp_btf works\n"
	    "      --no-tls          do not capture TLS plaintext (no LLM events)\n"
	    "      --tls-max-bytes N capture at most N bytes per SSL_read/SSL_write call\n"
	    "                        (K/M suffixes; default 4M; the rest is counted as lost)\n"
	    "      --http            also print every HTTPS exchange, headers and bodies\n"
	    "  -r, --record          also write a recording (see `agtrace-bpf record`)\n"
	    "      --output-dir DIR  recordings go under DIR (default $AGTRACE_DIR, else\n"
	    "                        ./agtrace-recordings)\n"
	    "      --intent TEXT     what the agent was asked to do (default: its command line)\n"
	    "  -h, --help            this help\n"
	    "  -V, --version         version\n"
	    "\n"
	    "Examples:\n"
	    "  agtrace-bpf -p 4242                    # an agent already running\n"
	    "  agtrace-bpf -e trace=%%file -- python3 agent.py\n"
	    "  agtrace-bpf -c -- make -j2             # syscall summary table\n"
	    "  agtrace-bpf --json -o trace.jsonl -p 4242\n",
	    OPTS_DEFAULT_STRSIZE);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int opts_parse_size(const char *s, unsigned long *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (v > (1ull << 32) >> shift) /* also keeps the shift from wrapping */
		return -EINVAL;
	v <<= shift;
	if (*end || v < 4096 || v > (1ull << 32) || (v & (v - 1)))
		return -EINVAL;
	*out = v;
	return 0;
}

static void set_nr(uint64_t *mask, int nr, bool on)
{
	if (nr < 0 || nr >= AGT_NR_MAX)
		return;
	if (on)
		mask[nr / 64] |= 1ull << (nr % 64);
	else
		mask[nr / 64] &= ~(1ull << (nr % 64));
}

bool opts_nr_traced(const struct opts *o, int nr)
{
	if (nr < 0 || nr >= AGT_NR_MAX)
		return false;
	return o->trace_all || (o->nrmask[nr / 64] >> (nr % 64)) & 1;
}

/* Adds the syscalls one element of a set names to mask; 0 or -EINVAL. */
static int add_element(uint64_t *mask, const char *el, char *err, size_t errlen)
{
	bool optional = false;
	unsigned int cls;
	int nr, hits = 0;

	if (*el == '?') {
		optional = true;
		el++;
	}
	if (!strcmp(el, "all")) {
		for (int i = 0; i < AGT_NR_WORDS; i++)
			mask[i] = ~0ull;
		return 0;
	}
	if (!strcmp(el, "none"))
		return 0;
	if (*el == '/') {
		regex_t re;

		if (regcomp(&re, el + 1, REG_EXTENDED | REG_NOSUB))
			return fail(err, errlen, "invalid regular expression in -e trace: '%s'",
				    el + 1);
		for (nr = 0; nr < sc_count() && nr < AGT_NR_MAX; nr++) {
			const char *n = sc_name(nr);

			if (n && !regexec(&re, n, 0, NULL, 0)) {
				set_nr(mask, nr, true);
				hits++;
			}
		}
		regfree(&re);
		if (!hits && !optional)
			return fail(err, errlen, "-e trace: no syscall matches '%s'", el + 1);
		return 0;
	}
	cls = sc_class_by_name(el);
	if (cls) {
		for (nr = 0; nr < sc_count() && nr < AGT_NR_MAX; nr++) {
			const struct sc_desc *d = sc_lookup(nr);

			if (d && (d->classes & cls))
				set_nr(mask, nr, true);
		}
		return 0;
	}
	nr = sc_by_name(el);
	if (nr < 0) {
		if (optional)
			return 0;
		return fail(err, errlen, "-e trace: unknown syscall or class '%s'", el);
	}
	set_nr(mask, nr, true);
	return 0;
}

int opts_trace_set(struct opts *o, const char *set, char *err, size_t errlen)
{
	uint64_t mask[AGT_NR_WORDS] = {0};
	bool negate = false;
	char *copy, *tok, *save = NULL;
	int ret = 0;

	if (!strncmp(set, "trace=", 6))
		set += 6;
	else if (strchr(set, '=') && strncmp(set, "t=", 2))
		return fail(err, errlen, "-e: only the trace= qualifier is supported: '%s'", set);
	else if (!strncmp(set, "t=", 2))
		set += 2;
	if (*set == '!') {
		negate = true;
		set++;
	}
	if (!*set)
		return fail(err, errlen, "-e trace: empty syscall set");
	copy = strdup(set);
	if (!copy)
		return fail(err, errlen, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		ret = add_element(mask, tok, err, errlen);
		if (ret)
			break;
	}
	free(copy);
	if (ret)
		return ret;
	if (negate)
		for (int i = 0; i < AGT_NR_WORDS; i++)
			mask[i] = ~mask[i];
	/* Several -e trace= options add up, as in strace. */
	if (o->trace_all) {
		memcpy(o->nrmask, mask, sizeof(mask));
		o->trace_all = false;
	} else {
		for (int i = 0; i < AGT_NR_WORDS; i++)
			o->nrmask[i] |= mask[i];
	}
	return 0;
}

static int add_pids(struct opts *o, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	while (*p) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || end == p || v <= 0 || v > 0x3fffffff || (*end && *end != ','))
			return fail(err, errlen, "invalid process id: '%s'", list);
		if (o->npids >= OPTS_MAX_PIDS)
			return fail(err, errlen, "too many process ids (at most %d)",
				    OPTS_MAX_PIDS);
		o->pids[o->npids++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen)
{
	int c, ret;
	char *end;

	memset(o, 0, sizeof(*o));
	o->follow = true;
	o->strsize = OPTS_DEFAULT_STRSIZE;
	o->color = COLOR_AUTO;
	o->bufsize = OPTS_DEFAULT_BUFSIZE;
	o->trace_all = true;
	o->tls_max_bytes = OPTS_DEFAULT_TLS_MAX;

	/* 0, not 1: glibc then also forgets its place inside a cluster like "-qx" */
	optind = 0;
	opterr = 0;
	/* '+': stop at the first non-option, the COMMAND, as strace does. */
	while ((c = getopt_long(argc, argv, "+:p:o:e:Zvs:cd:qrhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ret = add_pids(o, optarg, err, errlen);
			if (ret)
				return ret;
			break;
		case 'o':
			o->outfile = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'e':
			ret = opts_trace_set(o, optarg, err, errlen);
			if (ret)
				return ret;
			break;
		case 'Z':
			o->failed_only = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 's':
			errno = 0;
			o->strsize = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->strsize < 0 || o->strsize > 65536)
				return fail(err, errlen, "invalid string size: '%s'", optarg);
			break;
		case 'c':
			o->summary = true;
			break;
		case OPT_NO_FOLLOW:
			o->follow = false;
			break;
		case OPT_COLOR:
			if (!optarg || !strcmp(optarg, "always"))
				o->color = COLOR_ALWAYS;
			else if (!strcmp(optarg, "auto"))
				o->color = COLOR_AUTO;
			else if (!strcmp(optarg, "never"))
				o->color = COLOR_NEVER;
			else
				return fail(err, errlen,
					    "invalid --color value '%s' (auto, always, never)",
					    optarg);
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->duration > 0))
				return fail(err, errlen, "invalid duration: '%s'", optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_BUFSIZE:
			if (opts_parse_size(optarg, &o->bufsize))
				return fail(err, errlen,
					    "invalid --buffer-size '%s' (a power of two, 4K..4G)",
					    optarg);
			break;
		case OPT_RAW_TP:
			o->force_raw_tp = true;
			break;
		case OPT_NO_TLS:
			o->no_tls = true;
			break;
		case OPT_HTTP:
			o->http = true;
			break;
		case 'r':
			o->record = true;
			break;
		case OPT_OUTPUT_DIR:
			o->output_dir = optarg;
			break;
		case OPT_INTENT:
			o->intent = optarg;
			break;
		case OPT_TLS_MAX: {
			unsigned long long v = strtoull(optarg, &end, 10);

			if (end != optarg && (*end == 'k' || *end == 'K'))
				v <<= 10, end++;
			else if (end != optarg && (*end == 'm' || *end == 'M'))
				v <<= 20, end++;
			if (end == optarg || *end || optarg[0] == '-' || v == 0 || v > (1ull << 30))
				return fail(err, errlen,
					    "invalid --tls-max-bytes '%s' (1..1G, K/M suffixes)",
					    optarg);
			o->tls_max_bytes = v;
			break;
		}
		case 'h':
			opts_usage(stdout);
			return 1;
		case 'V':
			printf("agtrace-bpf %s\n", AGT_VERSION);
			return 1;
		case ':':
			return fail(err, errlen, "option '%s' requires an argument",
				    argv[optind - 1]);
		default:
			/* A long option given an argument it does not take sets optopt too. */
			if (optopt && !strncmp(argv[optind - 1], "--", 2))
				return fail(err, errlen, "option '%.*s' doesn't allow an argument",
					    (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
			if (optopt)
				return fail(err, errlen, "invalid option -- '%c'", optopt);
			return fail(err, errlen, "unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->cmd = argv + optind;
	if (o->npids && o->cmd)
		return fail(err, errlen, "-p and COMMAND are mutually exclusive");
	if (!o->npids && !o->cmd)
		return fail(err, errlen, "must have -p PID or COMMAND (try --help)");
	if (o->verbose)
		o->strsize = OPTS_STRSIZE_ALL;
	if (o->record && o->summary)
		return fail(err, errlen,
			    "-c counts in the kernel and keeps no events: it cannot record");
	return 0;
}
