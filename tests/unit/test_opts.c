// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_opts.c - the tracing command line: opts_parse, opts_trace_set, opts_parse_size and
 * opts_nr_traced. Every argv is a fresh array of writable strings, as main() gets it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "opts.h"
#include "syscall_table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAXARGS	      80

struct argvec {
	int argc;
	char *argv[MAXARGS + 1];
};

/* argv[0] is "agtrace-bpf", then the NULL-terminated list. */
static struct argvec *argvec_new(const char *const *list)
{
	struct argvec *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	a->argv[a->argc++] = strdup("agtrace-bpf");
	for (; *list; list++) {
		assert_true(a->argc < MAXARGS);
		a->argv[a->argc] = strdup(*list);
		assert_non_null(a->argv[a->argc]);
		a->argc++;
	}
	return a;
}

static void argvec_free(struct argvec *a)
{
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static int parse(struct opts *o, struct argvec *a, char *err, size_t errlen)
{
	memset(err, 'X', errlen - 1);
	err[errlen - 1] = '\0';
	return opts_parse(o, a->argc, a->argv, err, errlen);
}

static bool bit(const struct opts *o, int nr)
{
	return (o->nrmask[nr / 64] >> (nr % 64)) & 1;
}

static int popcount_mask(const struct opts *o)
{
	int n = 0;

	for (int i = 0; i < AGT_NR_WORDS; i++)
		n += __builtin_popcountll(o->nrmask[i]);
	return n;
}

static void test_opts_defaults_with_pid(void **state)
{
	struct argvec *a = argvec_new(ARGS("-p", "4242"));
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 4242);
	assert_null(o.cmd);
	assert_null(o.outfile);
	assert_false(o.json);
	assert_false(o.failed_only);
	assert_false(o.verbose);
	assert_false(o.summary);
	assert_true(o.follow);
	assert_false(o.quiet);
	assert_false(o.force_raw_tp);
	assert_int_equal(o.strsize, OPTS_DEFAULT_STRSIZE);
	assert_int_equal(o.strsize, 50);
	assert_int_equal(o.color, COLOR_AUTO);
	assert_true(o.duration == 0);
	assert_int_equal(o.bufsize, 16ul << 20);
	assert_true(o.trace_all);
	assert_int_equal(popcount_mask(&o), 0);
	argvec_free(a);
}

static void test_opts_pid_lists(void **state)
{
	struct argvec *a =
	    argvec_new(ARGS("-p", "1,2", "-p", "3", "--pid=77", "--pid", "1073741823"));
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
	assert_int_equal(o.npids, 5);
	assert_int_equal(o.pids[0], 1);
	assert_int_equal(o.pids[1], 2);
	assert_int_equal(o.pids[2], 3);
	assert_int_equal(o.pids[3], 77);
	assert_int_equal(o.pids[4], 0x3fffffff);
	assert_null(o.cmd);
	argvec_free(a);
}

static void test_opts_pid_max_count(void **state)
{
	char list[OPTS_MAX_PIDS * 4 + 8] = "";
	struct opts o;
	char err[128];

	(void)state;
	for (int i = 1; i <= OPTS_MAX_PIDS; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i > 1 ? "," : "",
			 i);
	{
		struct argvec *a = argvec_new(ARGS("-p", list));

		assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
		assert_int_equal(o.npids, OPTS_MAX_PIDS);
		assert_int_equal(o.pids[OPTS_MAX_PIDS - 1], OPTS_MAX_PIDS);
		argvec_free(a);
	}
	{
		struct argvec *a = argvec_new(ARGS("-p", list, "-p", "65"));

		assert_int_equal(parse(&o, a, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, "too many process ids (at most 64)");
		argvec_free(a);
	}
}

/* COMMAND after "--", and without it: '+' stops getopt at the first non-option. */
static void test_opts_command(void **state)
{
	struct {
		const char *argv[8];
		const char *cmd[4];
		bool quiet;
	} cases[] = {
	    {{"--", "ls", "-l", NULL}, {"ls", "-l", NULL}, false},
	    {{"ls", "-l", NULL}, {"ls", "-l", NULL}, false},
	    {{"-q", "ls", "-l", NULL}, {"ls", "-l", NULL}, true},
	    {{"-q", "--", "-q", NULL}, {"-q", NULL}, true},
	    {{"ls", "-q", "-p", "1", NULL}, {"ls", "-q", "-p", "1"}, false},
	    {{"--", "--", NULL}, {"--", NULL}, false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct argvec *a = argvec_new(cases[i].argv);
		struct opts o;
		char err[128];
		int n = 0;

		assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
		assert_non_null(o.cmd);
		while (n < 4 && cases[i].cmd[n]) {
			assert_string_equal(o.cmd[n], cases[i].cmd[n]);
			n++;
		}
		if (n < 4)
			assert_null(o.cmd[n]);
		/* cmd points into argv, not at copies */
		assert_ptr_equal(o.cmd[n - 1], a->argv[a->argc - 1]);
		assert_int_equal(o.npids, 0);
		assert_int_equal(o.quiet, cases[i].quiet);
		argvec_free(a);
	}
}

static void test_opts_flags(void **state)
{
	struct argvec *a =
	    argvec_new(ARGS("-o", "out.txt", "--json", "-Z", "-c", "--no-follow", "-q", "--raw-tp",
			    "-s", "100", "-d", "0.5", "--color", "--buffer-size", "4096", "true"));
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
	assert_string_equal(o.outfile, "out.txt");
	assert_true(o.json);
	assert_true(o.failed_only);
	assert_true(o.summary);
	assert_false(o.follow);
	assert_true(o.quiet);
	assert_true(o.force_raw_tp);
	assert_false(o.verbose);
	assert_int_equal(o.strsize, 100);
	assert_true(o.duration == 0.5);
	assert_int_equal(o.color, COLOR_ALWAYS);
	assert_int_equal(o.bufsize, 4096);
	assert_string_equal(o.cmd[0], "true");
	assert_null(o.cmd[1]);
	argvec_free(a);
}

static void test_opts_long_flags(void **state)
{
	struct argvec *a = argvec_new(ARGS("--output=o.jsonl", "--failed-only", "--summary-only",
					   "--quiet", "--string-limit=7", "--duration", "2",
					   "--colour=never", "--expr=trace=getppid", "-p", "9"));
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
	assert_string_equal(o.outfile, "o.jsonl");
	assert_true(o.failed_only);
	assert_true(o.summary);
	assert_true(o.quiet);
	assert_int_equal(o.strsize, 7);
	assert_true(o.duration == 2.0);
	assert_int_equal(o.color, COLOR_NEVER);
	assert_false(o.trace_all);
	assert_true(bit(&o, sc_by_name("getppid")));
	assert_int_equal(popcount_mask(&o), 1);
	argvec_free(a);
}

static void test_opts_verbose_lifts_strsize(void **state)
{
	const char *const *lists[] = {
	    ARGS("-v", "-p", "1"),
	    ARGS("-v", "-s", "100", "-p", "1"),
	    ARGS("-s", "100", "--verbose", "-p", "1"),
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		struct argvec *a = argvec_new(lists[i]);
		struct opts o;
		char err[128];

		assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
		assert_true(o.verbose);
		assert_int_equal(o.strsize, OPTS_STRSIZE_ALL);
		argvec_free(a);
	}
}

static void test_opts_color_values(void **state)
{
	struct {
		const char *arg;
		enum color_mode want;
	} cases[] = {
	    {"--color", COLOR_ALWAYS},	       {"--color=always", COLOR_ALWAYS},
	    {"--color=never", COLOR_NEVER},    {"--color=auto", COLOR_AUTO},
	    {"--colour=always", COLOR_ALWAYS}, {"--colour", COLOR_ALWAYS},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct argvec *a = argvec_new(ARGS("--color=never", cases[i].arg, "-p", "1"));
		struct opts o;
		char err[128];

		assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
		assert_int_equal(o.color, cases[i].want);
		argvec_free(a);
	}
}

static void test_opts_size_values(void **state)
{
	struct {
		const char *arg;
		unsigned long want;
	} cases[] = {
	    {"16M", 16ul << 20},
	    {"16m", 16ul << 20},
	    {"4096", 4096},
	    {"4K", 4096},
	    {"4k", 4096},
	    {"8K", 8192},
	    {"1048576", 1 << 20},
	    {"1G", 1ul << 30},
	    {"1g", 1ul << 30},
	    {"4G", 1ul << 32},
	    {"4194304K", 1ul << 32},
	    {"4096M", 1ul << 32},
	    {"2147483648", 1ul << 31},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned long out = 1;

		assert_int_equal(opts_parse_size(cases[i].arg, &out), 0);
		assert_int_equal(out, cases[i].want);
	}
}

static void test_opts_size_invalid(void **state)
{
	static const char *const bad[] = {
	    "5000", /* not a power of two */
	    "1K",   /* too small */
	    "2048",
	    "0",
	    "1",
	    "8G",
	    "4294967296K",
	    "8192M",
	    "",
	    "K",
	    "M16",
	    "16MB",
	    "16 M",
	    "16T",
	    "0x1000",
	    "-4096",
	    "4096.0",
	    /* would wrap to 1 << 22 if the shift overflowed unchecked */
	    "18014398509486080K",
	    "18446744073709551616",
	    "99999999999999999999999G",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		unsigned long out = 12345;

		if (opts_parse_size(bad[i], &out) != -EINVAL)
			fail_msg("opts_parse_size(\"%s\") accepted: %lu", bad[i], out);
		assert_int_equal(out, 12345);
	}
}

static void test_opts_buffer_size_option(void **state)
{
	struct {
		const char *arg;
		unsigned long want; /* 0: error */
	} cases[] = {
	    {"16M", 16ul << 20}, {"4096", 4096}, {"5000", 0}, {"1K", 0}, {"8G", 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct argvec *a = argvec_new(ARGS("--buffer-size", cases[i].arg, "-p", "1"));
		struct opts o;
		char err[128], want[128];

		if (cases[i].want) {
			assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
			assert_int_equal(o.bufsize, cases[i].want);
		} else {
			assert_int_equal(parse(&o, a, err, sizeof(err)), -EINVAL);
			snprintf(want, sizeof(want),
				 "invalid --buffer-size '%s' (a power of two, 4K..4G)",
				 cases[i].arg);
			assert_string_equal(err, want);
		}
		argvec_free(a);
	}
}

static void test_opts_duration(void **state)
{
	struct {
		const char *arg;
		double want;
	} cases[] = {
	    {"0.5", 0.5},
	    {"2", 2.0},
	    {"1e-3", 0.001},
	    {"10.25", 10.25},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct argvec *a = argvec_new(ARGS("-d", cases[i].arg, "-p", "1"));
		struct opts o;
		char err[128];

		assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
		assert_true(o.duration == cases[i].want);
		argvec_free(a);
	}
}

/* Every error: -EINVAL and exactly this one line. */
static void test_opts_errors(void **state)
{
	struct {
		const char *argv[8];
		const char *err;
	} cases[] = {
	    {{"-p", "1", "ls", NULL}, "-p and COMMAND are mutually exclusive"},
	    {{"-p", "1", "--", "ls", NULL}, "-p and COMMAND are mutually exclusive"},
	    {{NULL}, "must have -p PID or COMMAND (try --help)"},
	    {{"-q", "--", NULL}, "must have -p PID or COMMAND (try --help)"},
	    {{"--bogus", "-p", "1", NULL}, "unrecognized option '--bogus'"},
	    {{"--bogus=3", NULL}, "unrecognized option '--bogus=3'"},
	    {{"-x", "-p", "1", NULL}, "invalid option -- 'x'"},
	    {{"-p", "1", "-s", NULL}, "option '-s' requires an argument"},
	    {{"-p", "1", "--pid", NULL}, "option '--pid' requires an argument"},
	    {{"-p", "1", "-e", NULL}, "option '-e' requires an argument"},
	    {{"--json=yes", "-p", "1", NULL}, "option '--json' doesn't allow an argument"},
	    {{"--help=me", NULL}, "option '--help' doesn't allow an argument"},
	    {{"-s", "-1", "-p", "1", NULL}, "invalid string size: '-1'"},
	    {{"-s", "abc", "-p", "1", NULL}, "invalid string size: 'abc'"},
	    {{"-s", "", "-p", "1", NULL}, "invalid string size: ''"},
	    {{"-s", "65537", "-p", "1", NULL}, "invalid string size: '65537'"},
	    {{"-s", "10k", "-p", "1", NULL}, "invalid string size: '10k'"},
	    {{"--color=blue", "-p", "1", NULL},
	     "invalid --color value 'blue' (auto, always, never)"},
	    {{"--color=", "-p", "1", NULL}, "invalid --color value '' (auto, always, never)"},
	    {{"-d", "0", "-p", "1", NULL}, "invalid duration: '0'"},
	    {{"-d", "-1", "-p", "1", NULL}, "invalid duration: '-1'"},
	    {{"-d", "1s", "-p", "1", NULL}, "invalid duration: '1s'"},
	    {{"-d", "nan", "-p", "1", NULL}, "invalid duration: 'nan'"},
	    {{"-d", "", "-p", "1", NULL}, "invalid duration: ''"},
	    {{"-p", "0", NULL}, "invalid process id: '0'"},
	    {{"-p", "-5", NULL}, "invalid process id: '-5'"},
	    {{"-p", "abc", NULL}, "invalid process id: 'abc'"},
	    {{"-p", "12x", NULL}, "invalid process id: '12x'"},
	    {{"-p", "1,,2", NULL}, "invalid process id: '1,,2'"},
	    {{"-p", "1073741824", NULL}, "invalid process id: '1073741824'"},
	    {{"-p", "99999999999999999999", NULL}, "invalid process id: '99999999999999999999'"},
	    {{"-e", "trace=nosuch", "-p", "1", NULL},
	     "-e trace: unknown syscall or class 'nosuch'"},
	    {{"-e", "trace=getpid,nosuch", "-p", "1", NULL},
	     "-e trace: unknown syscall or class 'nosuch'"},
	    {{"-e", "signal=all", "-p", "1", NULL},
	     "-e: only the trace= qualifier is supported: 'signal=all'"},
	    {{"-e", "trace=", "-p", "1", NULL}, "-e trace: empty syscall set"},
	    {{"-e", "trace=!", "-p", "1", NULL}, "-e trace: empty syscall set"},
	    {{"-e", "trace=/[", "-p", "1", NULL}, "invalid regular expression in -e trace: '['"},
	    {{"-e", "trace=/^zzz", "-p", "1", NULL}, "-e trace: no syscall matches '^zzz'"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct argvec *a = argvec_new(cases[i].argv);
		struct opts o;
		char err[128];
		int ret = parse(&o, a, err, sizeof(err));

		if (ret != -EINVAL || strcmp(err, cases[i].err))
			fail_msg("case %zu: ret %d err \"%s\", want \"%s\"", i, ret, err,
				 cases[i].err);
		argvec_free(a);
	}
}

/* The error line is cut to the caller's buffer, NUL-terminated. */
static void test_opts_error_truncated(void **state)
{
	struct argvec *a = argvec_new(ARGS("--bogus"));
	struct opts o;
	char err[8];

	(void)state;
	assert_int_equal(parse(&o, a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unrecog");
	argvec_free(a);
}

/*
 * A parse that stopped in the middle of a cluster of short options ("-qx") must not leak
 * getopt's position into the next parse, which has a different argv.
 */
static void test_opts_reparse_after_cluster_error(void **state)
{
	struct argvec *a = argvec_new(ARGS("-xq", "-p", "1"));
	struct argvec *b;
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(parse(&o, a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid option -- 'x'");
	/* a stays alive: a stale position would read its "q" and set quiet */
	b = argvec_new(ARGS("-p", "2"));
	assert_int_equal(parse(&o, b, err, sizeof(err)), 0);
	assert_false(o.quiet);
	assert_int_equal(o.npids, 1);
	assert_int_equal(o.pids[0], 2);
	argvec_free(b);
	argvec_free(a);
}

static int capture_stdout(int (*fn)(struct argvec *, struct opts *), struct argvec *a,
			  struct opts *o, char *out, size_t n)
{
	FILE *tmp = tmpfile();
	int saved, ret;
	size_t got;

	assert_non_null(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(tmp), STDOUT_FILENO), STDOUT_FILENO);
	ret = fn(a, o);
	fflush(stdout);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	got = fread(out, 1, n - 1, tmp);
	out[got] = '\0';
	fclose(tmp);
	return ret;
}

static int do_parse(struct argvec *a, struct opts *o)
{
	char err[128];

	return opts_parse(o, a->argc, a->argv, err, sizeof(err));
}

static void test_opts_help_version(void **state)
{
	char out[4096];
	struct opts o;

	(void)state;
	{
		struct argvec *a = argvec_new(ARGS("--version"));

		assert_int_equal(capture_stdout(do_parse, a, &o, out, sizeof(out)), 1);
		assert_int_equal(strncmp(out, "agtrace-bpf ", 12), 0);
		assert_non_null(strchr(out, '\n'));
		assert_int_equal(strchr(out, '\n')[1], '\0');
		argvec_free(a);
	}
	{
		struct argvec *a = argvec_new(ARGS("-h", "-p", "nonsense"));

		assert_int_equal(capture_stdout(do_parse, a, &o, out, sizeof(out)), 1);
		assert_int_equal(strncmp(out, "Usage: agtrace-bpf [OPTIONS] -p PID[,PID...]\n", 45),
				 0);
		assert_non_null(strstr(out, "(default 50)"));
		assert_non_null(strstr(out, "-e trace=%file -- python3 agent.py"));
		argvec_free(a);
	}
}

/* -e trace=NAME: exactly that bit; trace_all off. */
static void test_opts_trace_single(void **state)
{
	struct argvec *a = argvec_new(ARGS("-e", "trace=getppid", "-p", "1"));
	int nr = sc_by_name("getppid");
	struct opts o;
	char err[128];

	(void)state;
#if defined(__x86_64__)
	assert_int_equal(nr, 110);
	assert_int_equal(sc_by_name("openat"), 257);
	assert_int_equal(sc_by_name("getpid"), 39);
#endif
	assert_true(nr > 0);
	assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
	assert_false(o.trace_all);
	for (int w = 0; w < AGT_NR_WORDS; w++)
		assert_int_equal(o.nrmask[w], w == nr / 64 ? 1ull << (nr % 64) : 0);
	for (int i = -1; i <= AGT_NR_MAX; i++)
		assert_int_equal(opts_nr_traced(&o, i), i == nr);
	argvec_free(a);
}

static void test_opts_trace_negated(void **state)
{
	struct argvec *a = argvec_new(ARGS("-e", "trace=!getppid", "-p", "1"));
	int nr = sc_by_name("getppid");
	struct opts o;
	char err[128];

	(void)state;
	assert_int_equal(parse(&o, a, err, sizeof(err)), 0);
	assert_false(o.trace_all);
	assert_int_equal(popcount_mask(&o), AGT_NR_MAX - 1);
	for (int i = 0; i < AGT_NR_MAX; i++)
		assert_int_equal(opts_nr_traced(&o, i), i != nr);
	assert_false(opts_nr_traced(&o, -1));
	assert_false(opts_nr_traced(&o, AGT_NR_MAX));
	argvec_free(a);
}

static void test_opts_trace_class(void **state)
{
	struct opts o = {.trace_all = true};
	char err[128];
	int n = 0;

	(void)state;
	assert_int_equal(opts_trace_set(&o, "trace=%file", err, sizeof(err)), 0);
	assert_false(o.trace_all);
	assert_true(opts_nr_traced(&o, sc_by_name("openat")));
	assert_true(opts_nr_traced(&o, sc_by_name("execve")));
	assert_false(opts_nr_traced(&o, sc_by_name("getppid")));
	assert_false(opts_nr_traced(&o, sc_by_name("read")));
	assert_false(opts_nr_traced(&o, sc_by_name("connect")));
	/* exactly the syscalls of the class */
	for (int i = 0; i < AGT_NR_MAX; i++) {
		const struct sc_desc *d = sc_lookup(i);
		bool want = d && (d->classes & SC_FILE);

		assert_int_equal(opts_nr_traced(&o, i), want);
		n += want;
	}
	assert_int_equal(popcount_mask(&o), n);
	assert_true(n > 20);
}

static void test_opts_trace_regex(void **state)
{
	struct opts o = {.trace_all = true};
	int a = sc_by_name("getpid"), b = sc_by_name("getppid");
	char err[128];

	(void)state;
	assert_int_equal(opts_trace_set(&o, "trace=/^get.*pid$", err, sizeof(err)), 0);
	assert_false(o.trace_all);
	assert_int_equal(popcount_mask(&o), 2);
	assert_true(bit(&o, a));
	assert_true(bit(&o, b));
	assert_false(bit(&o, sc_by_name("gettid")));
}

/* Several sets add up; "t=" and a bare list are the same qualifier. */
static void test_opts_trace_accumulates(void **state)
{
	struct {
		const char *sets[3];
		const char *want[4];
	} cases[] = {
	    {{"trace=getpid", "trace=getppid", NULL}, {"getpid", "getppid", NULL}},
	    {{"t=getpid,read", NULL}, {"getpid", "read", NULL}},
	    {{"getpid", NULL}, {"getpid", NULL}},
	    {{"trace=?nosuch", NULL}, {NULL}},
	    {{"trace=?nosuch,write", NULL}, {"write", NULL}},
	    {{"trace=?/^zzz", NULL}, {NULL}},
	    {{"trace=none", NULL}, {NULL}},
	    {{"trace=!all", NULL}, {NULL}},
	    {{"trace=read", "trace=none", NULL}, {"read", NULL}},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct opts o = {.trace_all = true};
		char err[128];
		int n = 0;

		for (int s = 0; cases[i].sets[s]; s++)
			assert_int_equal(opts_trace_set(&o, cases[i].sets[s], err, sizeof(err)), 0);
		assert_false(o.trace_all);
		for (; cases[i].want[n]; n++)
			assert_true(bit(&o, sc_by_name(cases[i].want[n])));
		if (popcount_mask(&o) != n)
			fail_msg("case %zu: %d bits, want %d", i, popcount_mask(&o), n);
	}
}

static void test_opts_trace_all(void **state)
{
	struct opts o = {.trace_all = true};
	char err[128];

	(void)state;
	assert_int_equal(opts_trace_set(&o, "trace=all", err, sizeof(err)), 0);
	assert_false(o.trace_all);
	assert_int_equal(popcount_mask(&o), AGT_NR_MAX);
	assert_true(opts_nr_traced(&o, 0));
	assert_true(opts_nr_traced(&o, AGT_NR_MAX - 1));
	assert_false(opts_nr_traced(&o, AGT_NR_MAX));
}

/* A failed set leaves the options as they were. */
static void test_opts_trace_error_keeps_mask(void **state)
{
	struct opts o = {.trace_all = true};
	char err[128];

	(void)state;
	assert_int_equal(opts_trace_set(&o, "getpid,nosuch", err, sizeof(err)), -EINVAL);
	assert_true(o.trace_all);
	assert_int_equal(popcount_mask(&o), 0);
	assert_int_equal(opts_trace_set(&o, "read", err, sizeof(err)), 0);
	assert_int_equal(opts_trace_set(&o, "?nosuch,getpid,bogus", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "-e trace: unknown syscall or class 'bogus'");
	assert_int_equal(popcount_mask(&o), 1);
	assert_true(bit(&o, sc_by_name("read")));
}

static void test_opts_nr_traced_bounds(void **state)
{
	struct opts o = {.trace_all = true};

	(void)state;
	assert_true(opts_nr_traced(&o, 0));
	assert_true(opts_nr_traced(&o, AGT_NR_MAX - 1));
	assert_false(opts_nr_traced(&o, -1));
	assert_false(opts_nr_traced(&o, AGT_NR_MAX));
	assert_false(opts_nr_traced(&o, 1 << 30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opts_defaults_with_pid),
	    cmocka_unit_test(test_opts_pid_lists),
	    cmocka_unit_test(test_opts_pid_max_count),
	    cmocka_unit_test(test_opts_command),
	    cmocka_unit_test(test_opts_flags),
	    cmocka_unit_test(test_opts_long_flags),
	    cmocka_unit_test(test_opts_verbose_lifts_strsize),
	    cmocka_unit_test(test_opts_color_values),
	    cmocka_unit_test(test_opts_size_values),
	    cmocka_unit_test(test_opts_size_invalid),
	    cmocka_unit_test(test_opts_buffer_size_option),
	    cmocka_unit_test(test_opts_duration),
	    cmocka_unit_test(test_opts_errors),
	    cmocka_unit_test(test_opts_error_truncated),
	    cmocka_unit_test(test_opts_reparse_after_cluster_error),
	    cmocka_unit_test(test_opts_help_version),
	    cmocka_unit_test(test_opts_trace_single),
	    cmocka_unit_test(test_opts_trace_negated),
	    cmocka_unit_test(test_opts_trace_class),
	    cmocka_unit_test(test_opts_trace_regex),
	    cmocka_unit_test(test_opts_trace_accumulates),
	    cmocka_unit_test(test_opts_trace_all),
	    cmocka_unit_test(test_opts_trace_error_keeps_mask),
	    cmocka_unit_test(test_opts_nr_traced_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
