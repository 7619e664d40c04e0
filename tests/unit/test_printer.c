// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_printer.c - raw records in, text and JSON lines out: printer_record(), printer_lost()
 * and, through them, argfmt.c's argument and result formatting.
 *
 * Each record is built the way the kernel side lays it out (struct agt_syscall, then
 * 8-byte-aligned struct agt_cap items) and handed over in a heap block of exactly its size.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "abi.h"
#include "outbuf.h"
#include "printer.h"
#include "syscall_table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__aarch64__)
#define NR_READ	      63
#define NR_WRITE      64
#define NR_OPENAT     56
#define NR_CONNECT    203
#define NR_CLONE      220
#define NR_EXECVE     221
#define NR_MMAP	      222
#define NR_EXIT_GROUP 94
#define NR_GETPPID    173
#else
#define NR_READ	      0
#define NR_WRITE      1
#define NR_OPENAT     257
#define NR_CONNECT    42
#define NR_CLONE      56
#define NR_EXECVE     59
#define NR_MMAP	      9
#define NR_EXIT_GROUP 231
#define NR_GETPPID    110
#endif
#define NR_UNNAMED 400 /* a hole in both tables */

#define T0	 1000000000ull	   /* the trace started 1 s after boot */
#define TS	 (T0 + 1834000ull) /* +0.001834 */
#define PTR	 0x7ffd2a3b4c50ull
#define AT_FDCWD ((unsigned long long)-100)

#define C_RESET "\033[0m"
#define C_NAME	"\033[1m"
#define C_ERR	"\033[31m"
#define C_PROC	"\033[33m"
#define C_DIM	"\033[2m"

/* ---- record building ---- */

static union {
	uint64_t align;
	unsigned char b[8192];
	struct agt_hdr h;
	struct agt_syscall sys;
	struct agt_fork fork;
	struct agt_exec exec;
	struct agt_exit exit;
} rec;

static void hdr(__u16 type, size_t size)
{
	memset(&rec, 0, sizeof(rec));
	rec.h.type = type;
	rec.h.size = (__u16)size;
	rec.h.tgid = 4242;
	rec.h.tid = 4243;
	rec.h.ts = TS;
	memcpy(rec.h.comm, "python3", 7);
}

static void sys(int nr, unsigned long long a0, unsigned long long a1, unsigned long long a2,
		unsigned long long a3, long long ret)
{
	hdr(AGT_REC_SYSCALL, sizeof(struct agt_syscall));
	rec.sys.nr = nr;
	rec.sys.args[0] = a0;
	rec.sys.args[1] = a1;
	rec.sys.args[2] = a2;
	rec.sys.args[3] = a3;
	rec.sys.ret = ret;
	rec.sys.dur = 21000;
}

/* Appends a capture item to the syscall record in rec. */
static void cap(__u8 arg, __u8 kind, const void *data, __u16 len, __u32 full)
{
	struct agt_cap c = {.arg = arg, .kind = kind, .len = len, .full = full};
	size_t off = rec.h.size;

	assert_true(off + sizeof(c) + len + 8 <= sizeof(rec.b));
	memcpy(rec.b + off, &c, sizeof(c));
	memcpy(rec.b + off + sizeof(c), data, len);
	rec.h.size = (__u16)(off + sizeof(c) + ((len + 7u) & ~7u));
	rec.sys.ncap++;
}

static void capstr(__u8 arg, const char *s)
{
	cap(arg, AGT_CAP_STR, s, (__u16)strlen(s), (__u32)strlen(s));
}

/* ---- a printer writing to a temporary file ---- */

struct fixture {
	FILE *f;
	struct outbuf *ob;
	struct printer p;
	long off; /* what take() has returned so far */
	char out[8192];
};

static struct fixture fx;

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.f = tmpfile();
	assert_non_null(fx.f);
	fx.ob = outbuf__new(fileno(fx.f), 0);
	assert_non_null(fx.ob);
	fx.p.ob = fx.ob;
	fx.p.strsize = 50;
	fx.p.t0 = T0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	outbuf__free(fx.ob);
	fclose(fx.f);
	return 0;
}

/* The output since the last take(). */
static const char *take(void)
{
	size_t n;

	assert_int_equal(ob_flush(fx.ob), 0);
	assert_int_equal(fseek(fx.f, fx.off, SEEK_SET), 0);
	n = fread(fx.out, 1, sizeof(fx.out) - 1, fx.f);
	fx.out[n] = '\0';
	fx.off += (long)n;
	return fx.out;
}

/* Prints rec from an exact-size heap copy; returns printer_record's result. */
static int print_rec(void)
{
	size_t size = rec.h.size;
	void *p = malloc(size);
	int r;

	assert_non_null(p);
	memcpy(p, rec.b, size);
	r = printer_record(&fx.p, p, size);
	free(p);
	return r;
}

static void expect(const char *want)
{
	assert_int_equal(print_rec(), 0);
	assert_string_equal(take(), want);
}

/* The same with the syscall number put into the expected text. */
static void expectf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void expectf(const char *fmt, ...)
{
	char want[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(want));
	expect(want);
}

#define PFX "[pid 4243] +0.001834 "

/* ---- text ---- */

/* The numbers this file uses are the native table's. */
static void test_printer_numbers(void **state)
{
	static const struct {
		int nr;
		const char *name;
	} nrs[] = {
	    {NR_READ, "read"},	     {NR_WRITE, "write"},	    {NR_OPENAT, "openat"},
	    {NR_CONNECT, "connect"}, {NR_CLONE, "clone"},	    {NR_EXECVE, "execve"},
	    {NR_MMAP, "mmap"},	     {NR_EXIT_GROUP, "exit_group"}, {NR_GETPPID, "getppid"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++)
		assert_int_equal(sc_by_name(nrs[i].name), nrs[i].nr);
	assert_null(sc_name(NR_UNNAMED));
}

static void openat_hosts(long long ret)
{
	sys(NR_OPENAT, AT_FDCWD, PTR, 0x80000, 0, ret);
	capstr(1, "/etc/hosts");
}

static void test_printer_text_openat(void **state)
{
	(void)state;
	assert_string_equal(sc_name(NR_OPENAT), "openat");
	openat_hosts(3);
	expect(PFX "openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3 <0.000021>\n");
	openat_hosts(-2);
	expect(PFX "openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such "
		   "file or directory) <0.000021>\n");
	assert_int_equal(fx.p.seq, 2);
	assert_int_equal(fx.p.bad, 0);
}

/* The mode is shown when O_CREAT or O_TMPFILE make the kernel use it. */
static void test_printer_text_openat_mode(void **state)
{
	(void)state;
	sys(NR_OPENAT, 3, PTR, 0x241, 0644, 4); /* O_WRONLY|O_CREAT|O_TRUNC */
	capstr(1, "out.txt");
	rec.sys.dur = 1234567890;
	expect(PFX "openat(3, \"out.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4 <1.234567>\n");
	sys(NR_OPENAT, AT_FDCWD, PTR, 0x410002, 0600, 5); /* O_RDWR|O_TMPFILE */
	capstr(1, "/tmp");
	expect(PFX "openat(AT_FDCWD, \"/tmp\", O_RDWR|O_TMPFILE, 0600) = 5 <0.000021>\n");
}

/* A pointer whose memory was not captured is printed as an address. */
static void test_printer_text_uncaptured(void **state)
{
	(void)state;
	sys(NR_OPENAT, AT_FDCWD, PTR, 0, 0, -14);
	expect(PFX "openat(AT_FDCWD, 0x7ffd2a3b4c50, O_RDONLY) = -1 EFAULT (Bad address) "
		   "<0.000021>\n");
	sys(NR_OPENAT, AT_FDCWD, 0, 0, 0, -14);
	expect(PFX "openat(AT_FDCWD, NULL, O_RDONLY) = -1 EFAULT (Bad address) <0.000021>\n");
}

static void test_printer_text_read(void **state)
{
	(void)state;
	sys(NR_READ, 3, PTR, 10, 0, 10);
	cap(1, AGT_CAP_BUF_RET, "abcdefghij", 10, 10);
	fx.p.strsize = 3;
	expect(PFX "read(3, \"abc\"..., 10) = 10 <0.000021>\n");
	fx.p.strsize = 10;
	expect(PFX "read(3, \"abcdefghij\", 10) = 10 <0.000021>\n");
	fx.p.strsize = -1; /* -v */
	expect(PFX "read(3, \"abcdefghij\", 10) = 10 <0.000021>\n");
	fx.p.strsize = 0; /* -s 0 */
	expect(PFX "read(3, \"\"..., 10) = 10 <0.000021>\n");
	fx.p.strsize = -1;
	/* the kernel side cut the capture: "..." even without -s */
	sys(NR_READ, 3, PTR, 4096, 0, 4096);
	cap(1, AGT_CAP_BUF_RET, "a\nb\tc\"\\\0", 8, 4096);
	expect(PFX "read(3, \"a\\nb\\tc\\\"\\\\\\0\"..., 4096) = 4096 <0.000021>\n");
	/* a failed read has no data: the buffer is an address */
	fx.p.strsize = 50;
	sys(NR_READ, 3, PTR, 10, 0, -11);
	cap(1, AGT_CAP_BUF_RET, "", 0, 0);
	expect(PFX "read(3, 0x7ffd2a3b4c50, 10) = -1 EAGAIN (Resource temporarily unavailable) "
		   "<0.000021>\n");
}

static void test_printer_text_write_and_mmap(void **state)
{
	(void)state;
	sys(NR_WRITE, 1, PTR, 6, 0, 6);
	cap(1, AGT_CAP_BUF_ARG, "hello\n", 6, 6);
	expect(PFX "write(1, \"hello\\n\", 6) = 6 <0.000021>\n");
	/* mmap returns an address: hex */
	sys(NR_MMAP, 0, 4096, 3, 0x22, 0x7f1234560000ll);
	rec.sys.args[4] = (unsigned long long)-1;
	expect(PFX "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		   "0x7f1234560000 <0.000021>\n");
}

static void test_printer_text_connect(void **state)
{
	/* AF_INET, port 8080, 127.0.0.1 */
	static const unsigned char sin[16] = {2, 0, 0x1f, 0x90, 127, 0, 0, 1};

	(void)state;
	sys(NR_CONNECT, 5, PTR, 16, 0, -111);
	cap(1, AGT_CAP_SOCKADDR, sin, 16, 16);
	expect(PFX "connect(5, {AF_INET, 127.0.0.1:8080}, 16) = -1 ECONNREFUSED (Connection "
		   "refused) <0.000021>\n");
}

static void test_printer_text_execve_syscall(void **state)
{
	static const char argv[] = "ls\0-l\0/tmp";

	(void)state;
	sys(NR_EXECVE, PTR, PTR + 64, PTR + 128, 0, 0);
	cap(0, AGT_CAP_STR_ENTRY, "/bin/ls", 7, 7);
	cap(1, AGT_CAP_ARGV, argv, sizeof(argv), 3);
	expect(PFX "execve(\"/bin/ls\", [\"ls\", \"-l\", \"/tmp\"], 0x7ffd2a3b4cd0) = 0 "
		   "<0.000021>\n");
	/* more strings than captured */
	sys(NR_EXECVE, PTR, PTR + 64, PTR + 128, 0, 0);
	cap(0, AGT_CAP_STR_ENTRY, "/bin/ls", 7, 7);
	cap(1, AGT_CAP_ARGV, argv, sizeof(argv), 40);
	expect(PFX "execve(\"/bin/ls\", [\"ls\", \"-l\", \"/tmp\", ...], 0x7ffd2a3b4cd0) = 0 "
		   "<0.000021>\n");
}

static void test_printer_text_exit_group(void **state)
{
	(void)state;
	sys(NR_EXIT_GROUP, 0, 0, 0, 0, 0);
	rec.sys.flags = AGT_SYS_NORETURN;
	rec.sys.dur = 0;
	expect(PFX "exit_group(0) = ?\n");
	sys(NR_EXIT_GROUP, 3, 0, 0, 0, 0);
	rec.sys.flags = AGT_SYS_NORETURN;
	expect(PFX "exit_group(3) = ?\n");
}

/*
 * A clone whose entry was not seen: the kernel side drops a new task's own return (0) from the
 * clone that made it, so what arrives is the parent's, shown with <?> like any resumed call.
 */
static void test_printer_clone_child_suppressed(void **state)
{
	(void)state;
	sys(NR_CLONE, 0x1200011, 0, 0, 0, 4244);
	rec.sys.flags = AGT_SYS_NOENTRY;
	expect(PFX "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, NULL, "
		   "NULL) = 4244 <?>\n");
	/* a clone returning 0 with its entry seen is a plain call */
	sys(NR_CLONE, 0x1200011, 0, 0, 0, 0);
	expect(PFX "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, NULL, "
		   "NULL) = 0 <0.000021>\n");
	/* NOENTRY returning 0 from another syscall is shown */
	sys(NR_GETPPID, 0, 0, 0, 0, 0);
	rec.sys.flags = AGT_SYS_NOENTRY;
	expect(PFX "getppid() = 0 <?>\n");
	assert_int_equal(fx.p.seq, 3);
}

static void test_printer_text_unknown_syscall(void **state)
{
	(void)state;
	assert_null(sc_name(NR_UNNAMED));
	sys(NR_UNNAMED, 1, 0, 0xff, 0, 0);
	rec.sys.args[5] = PTR;
	expect(PFX "syscall_400(0x1, 0, 0xff, 0, 0, 0x7ffd2a3b4c50) = 0 <0.000021>\n");
}

static void test_printer_text_timestamps(void **state)
{
	(void)state;
	sys(NR_GETPPID, 0, 0, 0, 0, 4242);
	rec.h.ts = T0 + 12345678901ull;
	rec.sys.dur = 999;
	expect("[pid 4243] +12.345678 getppid() = 4242 <0.000000>\n");
	/* an event stamped before the start reads +0 */
	rec.h.ts = T0 - 5;
	expect("[pid 4243] +0.000000 getppid() = 4242 <0.000000>\n");
}

static void test_printer_text_color(void **state)
{
	(void)state;
	fx.p.color = true;
	openat_hosts(-2);
	expect(C_DIM "[pid 4243]" C_RESET " +0.001834 " C_NAME "openat" C_RESET
		     "(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC)" C_ERR
		     " = -1 ENOENT (No such file or directory)" C_RESET " <0.000021>\n");
	openat_hosts(3);
	expect(C_DIM "[pid 4243]" C_RESET " +0.001834 " C_NAME "openat" C_RESET
		     "(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3 <0.000021>\n");
	hdr(AGT_REC_FORK, sizeof(struct agt_fork));
	rec.fork.ppid = 4242;
	expect(C_DIM "[pid 4243]" C_RESET " +0.001834 " C_PROC "--- fork (parent 4242) ---" C_RESET
		     "\n");
}

static void test_printer_text_process_events(void **state)
{
	static const char argv[] = "ls\0-l";

	(void)state;
	hdr(AGT_REC_FORK, sizeof(struct agt_fork));
	rec.h.tgid = rec.h.tid = 4244;
	rec.fork.ppid = 4242;
	rec.fork.ptid = 4243;
	expect("[pid 4244] +0.001834 --- fork (parent 4242) ---\n");

	hdr(AGT_REC_EXEC, sizeof(struct agt_exec) + 7 + sizeof(argv));
	rec.exec.filename_len = 7;
	rec.exec.argv_len = sizeof(argv);
	rec.exec.argc = 2;
	rec.exec.old_tid = 4243;
	memcpy(rec.b + sizeof(struct agt_exec), "/bin/ls", 7);
	memcpy(rec.b + sizeof(struct agt_exec) + 7, argv, sizeof(argv));
	expect(PFX "--- exec \"/bin/ls\" [\"ls\", \"-l\"] ---\n");
	rec.exec.argc = 5; /* more than captured */
	expect(PFX "--- exec \"/bin/ls\" [\"ls\", \"-l\", ...] ---\n");
	rec.exec.argv_len = 0;
	rec.h.size = sizeof(struct agt_exec) + 7;
	expect(PFX "--- exec \"/bin/ls\" [...] ---\n");
	/* argv strings are cut at -s, the file name never */
	hdr(AGT_REC_EXEC, sizeof(struct agt_exec) + 15 + 18);
	rec.exec.filename_len = 15;
	rec.exec.argv_len = 18;
	rec.exec.argc = 2;
	memcpy(rec.b + sizeof(struct agt_exec), "/usr/bin/python", 15);
	memcpy(rec.b + sizeof(struct agt_exec) + 15, "python3\0script.py", 18);
	fx.p.strsize = 4;
	expect(PFX "--- exec \"/usr/bin/python\" [\"pyth\"..., \"scri\"...] ---\n");
	fx.p.strsize = 50;

	hdr(AGT_REC_EXIT, sizeof(struct agt_exit));
	rec.exit.exit_code = 3;
	expect(PFX "+++ exited with 3 +++\n");
	rec.exit.exit_code = -1;
	rec.exit.signal = 9;
	expect(PFX "+++ killed by SIGKILL +++\n");
	rec.exit.signal = 11;
	rec.exit.core_dumped = 1;
	expect(PFX "+++ killed by SIGSEGV (core dumped) +++\n");
	rec.exit.signal = 99;
	rec.exit.core_dumped = 0;
	expect(PFX "+++ killed by SIG99 +++\n");
	assert_int_equal(fx.p.seq, 9);
}

static void test_printer_text_lost(void **state)
{
	(void)state;
	printer_lost(&fx.p, 17, TS);
	assert_string_equal(take(), "--- lost 17 records (ring buffer full) ---\n");
	assert_int_equal(fx.p.seq, 1);
}

/* ---- JSON ---- */

static void test_printer_json_openat(void **state)
{
	(void)state;
	fx.p.json = true;
	fx.p.color = true; /* no effect on JSON */
	openat_hosts(3);
#if defined(__x86_64__)
	/* the README's example line, byte for byte */
	expect("{\"seq_num\":0,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
	       "\"comm\":\"python3\",\"type\":\"syscall\","
	       "\"syscall\":{\"syscall\":\"openat\",\"nr\":257,"
	       "\"args\":{\"dirfd\":\"AT_FDCWD\",\"pathname\":\"/etc/hosts\","
	       "\"flags\":\"O_RDONLY|O_CLOEXEC\",\"mode\":0},\"result\":3,\"err\":\"\","
	       "\"duration\":21000}}\n");
#else
	expectf("{\"seq_num\":0,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\","
		"\"syscall\":{\"syscall\":\"openat\",\"nr\":%d,"
		"\"args\":{\"dirfd\":\"AT_FDCWD\",\"pathname\":\"/etc/hosts\","
		"\"flags\":\"O_RDONLY|O_CLOEXEC\",\"mode\":0},\"result\":3,\"err\":\"\","
		"\"duration\":21000}}\n",
		NR_OPENAT);
#endif
	openat_hosts(-2);
	expectf("{\"seq_num\":1,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\","
		"\"syscall\":{\"syscall\":\"openat\",\"nr\":%d,"
		"\"args\":{\"dirfd\":\"AT_FDCWD\",\"pathname\":\"/etc/hosts\","
		"\"flags\":\"O_RDONLY|O_CLOEXEC\",\"mode\":0},\"result\":-1,"
		"\"err\":\"ENOENT\",\"duration\":21000}}\n",
		NR_OPENAT);
	/* a numeric dirfd and a mode the text hides */
	sys(NR_OPENAT, 3, PTR, 0x241, 0644, 4);
	capstr(1, "a\"b\\c");
	expectf("{\"seq_num\":2,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\","
		"\"syscall\":{\"syscall\":\"openat\",\"nr\":%d,\"args\":{\"dirfd\":3,"
		"\"pathname\":\"a\\\"b\\\\c\",\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC\","
		"\"mode\":420},\"result\":4,\"err\":\"\",\"duration\":21000}}\n",
		NR_OPENAT);
}

static void test_printer_json_read_cut(void **state)
{
	(void)state;
	fx.p.json = true;
	fx.p.strsize = 3;
	sys(NR_READ, 3, PTR, 10, 0, 10);
	cap(1, AGT_CAP_BUF_RET, "abcdefghij", 10, 10);
	expectf("{\"seq_num\":0,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\",\"syscall\":{\"syscall\":\"read\","
		"\"nr\":%d,\"args\":{\"fd\":3,\"buf\":\"abc\",\"count\":10},\"result\":10,"
		"\"err\":\"\",\"duration\":21000}}\n",
		NR_READ);
	/* no data on failure: the address, as a string */
	sys(NR_READ, 3, PTR, 10, 0, -9);
	expectf("{\"seq_num\":1,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\",\"syscall\":{\"syscall\":\"read\","
		"\"nr\":%d,\"args\":{\"fd\":3,\"buf\":\"0x7ffd2a3b4c50\",\"count\":10},"
		"\"result\":-1,\"err\":\"EBADF\",\"duration\":21000}}\n",
		NR_READ);
}

static void test_printer_json_noreturn_noentry(void **state)
{
	(void)state;
	fx.p.json = true;
	sys(NR_EXIT_GROUP, 0, 0, 0, 0, 0);
	rec.sys.flags = AGT_SYS_NORETURN;
	rec.sys.dur = 0;
	expectf("{\"seq_num\":0,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\","
		"\"syscall\":{\"syscall\":\"exit_group\",\"nr\":%d,\"args\":{\"status\":0},"
		"\"result\":null,\"err\":\"\",\"duration\":0}}\n",
		NR_EXIT_GROUP);
	sys(NR_GETPPID, 0, 0, 0, 0, 4242);
	rec.sys.flags = AGT_SYS_NOENTRY;
	expectf("{\"seq_num\":1,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\","
		"\"syscall\":{\"syscall\":\"getppid\",\"nr\":%d,\"args\":{},\"result\":4242,"
		"\"err\":\"\",\"duration\":21000,\"resumed\":true}}\n",
		NR_GETPPID);
	sys(NR_GETPPID, 0, 0, 0, 0, 4242);
	expectf("{\"seq_num\":2,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"python3\",\"type\":\"syscall\","
		"\"syscall\":{\"syscall\":\"getppid\",\"nr\":%d,\"args\":{},\"result\":4242,"
		"\"err\":\"\",\"duration\":21000}}\n",
		NR_GETPPID);
}

static void test_printer_json_process_events(void **state)
{
	static const char argv[] = "ls\0-l";

	(void)state;
	fx.p.json = true;
	hdr(AGT_REC_FORK, sizeof(struct agt_fork));
	rec.h.tgid = rec.h.tid = 4244;
	rec.fork.ppid = 4242;
	rec.fork.ptid = 4243;
	expect("{\"seq_num\":0,\"timestamp\":1834000,\"pid\":4244,\"tid\":4244,"
	       "\"comm\":\"python3\",\"type\":\"process\",\"process\":{\"event\":\"fork\","
	       "\"ppid\":4242,\"parent_tid\":4243}}\n");

	hdr(AGT_REC_EXEC, sizeof(struct agt_exec) + 7 + sizeof(argv));
	rec.exec.filename_len = 7;
	rec.exec.argv_len = sizeof(argv);
	rec.exec.argc = 2;
	rec.exec.old_tid = 4243;
	memcpy(rec.h.comm, "ls\0\0\0\0\0", 8);
	memcpy(rec.b + sizeof(struct agt_exec), "/bin/ls", 7);
	memcpy(rec.b + sizeof(struct agt_exec) + 7, argv, sizeof(argv));
	expect("{\"seq_num\":1,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
	       "\"comm\":\"ls\",\"type\":\"process\",\"process\":{\"event\":\"exec\","
	       "\"filename\":\"/bin/ls\",\"argv\":[\"ls\",\"-l\"],\"argc\":2,"
	       "\"old_tid\":4243}}\n");

	hdr(AGT_REC_EXIT, sizeof(struct agt_exit));
	rec.exit.exit_code = 3;
	expect("{\"seq_num\":2,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
	       "\"comm\":\"python3\",\"type\":\"process\",\"process\":{\"event\":\"exit\","
	       "\"exit_code\":3,\"signal\":null,\"core_dumped\":false}}\n");
	rec.exit.exit_code = -1;
	rec.exit.signal = 11;
	rec.exit.core_dumped = 1;
	expect("{\"seq_num\":3,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
	       "\"comm\":\"python3\",\"type\":\"process\",\"process\":{\"event\":\"exit\","
	       "\"exit_code\":null,\"signal\":\"SIGSEGV\",\"core_dumped\":true}}\n");
}

static void test_printer_json_lost(void **state)
{
	(void)state;
	fx.p.json = true;
	fx.p.seq = 41;
	printer_lost(&fx.p, 17, TS);
	assert_string_equal(take(), "{\"seq_num\":41,\"timestamp\":1834000,\"type\":\"lost\","
				    "\"lost\":{\"count\":17}}\n");
	assert_int_equal(fx.p.seq, 42);
}

/* comm is escaped and may fill all 16 bytes without a NUL. */
static void test_printer_json_comm(void **state)
{
	(void)state;
	fx.p.json = true;
	sys(NR_GETPPID, 0, 0, 0, 0, 1);
	memcpy(rec.h.comm, "a\"b\\c\nd0123456789", 16);
	expectf("{\"seq_num\":0,\"timestamp\":1834000,\"pid\":4242,\"tid\":4243,"
		"\"comm\":\"a\\\"b\\\\c\\nd012345678\",\"type\":\"syscall\","
		"\"syscall\":{\"syscall\":\"getppid\",\"nr\":%d,\"args\":{},\"result\":1,"
		"\"err\":\"\",\"duration\":21000}}\n",
		NR_GETPPID);
}

/* Every JSON line parses, with the right seq_num, over a mix of events. */
static void test_printer_json_seq_parses(void **state)
{
	static const unsigned char sin[16] = {2, 0, 0x1f, 0x90, 127, 0, 0, 1};
	char *line, *save = NULL;
	const char *out;
	int n = 0;

	(void)state;
	fx.p.json = true;
	openat_hosts(3);
	assert_int_equal(print_rec(), 0);
	sys(NR_CONNECT, 5, PTR, 16, 0, 0);
	cap(1, AGT_CAP_SOCKADDR, sin, 16, 16);
	assert_int_equal(print_rec(), 0);
	hdr(AGT_REC_FORK, sizeof(struct agt_fork));
	assert_int_equal(print_rec(), 0);
	printer_lost(&fx.p, 1, TS);
	sys(NR_UNNAMED, 1, 2, 3, 4, -38);
	assert_int_equal(print_rec(), 0);
	out = take();
	line = strdup(out);
	assert_non_null(line);
	for (char *l = strtok_r(line, "\n", &save); l; l = strtok_r(NULL, "\n", &save), n++) {
		cJSON *doc = cJSON_Parse(l);
		const cJSON *seq;

		if (!doc)
			fail_msg("line %d does not parse: %s", n, l);
		seq = cJSON_GetObjectItemCaseSensitive(doc, "seq_num");
		assert_true(cJSON_IsNumber(seq));
		assert_true(cJSON_GetNumberValue(seq) == n);
		if (n == 1) {
			const cJSON *sc = cJSON_GetObjectItemCaseSensitive(doc, "syscall");
			const cJSON *args = cJSON_GetObjectItemCaseSensitive(sc, "args");

			assert_string_equal(
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "addr")),
			    "{AF_INET, 127.0.0.1:8080}");
			assert_true(cJSON_GetNumberValue(
					cJSON_GetObjectItemCaseSensitive(args, "addrlen")) == 16);
		}
		if (n == 4) {
			const cJSON *sc = cJSON_GetObjectItemCaseSensitive(doc, "syscall");

			assert_string_equal(
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sc, "syscall")),
			    "syscall_400");
			assert_string_equal(
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sc, "err")),
			    "ENOSYS");
		}
		cJSON_Delete(doc);
	}
	free(line);
	assert_int_equal(n, 5);
	assert_int_equal(fx.p.seq, 5);
}

/* ---- malformed records ---- */

static void test_printer_malformed(void **state)
{
	struct agt_syscall *r;

	(void)state;
	/* the header claims more than the ring buffer gave */
	sys(NR_GETPPID, 0, 0, 0, 0, 0);
	r = malloc(sizeof(*r));
	assert_non_null(r);
	memcpy(r, rec.b, sizeof(*r));
	assert_int_equal(printer_record(&fx.p, r, sizeof(*r) - 1), -EINVAL);
	assert_int_equal(fx.p.bad, 1);
	free(r);
	/* unknown type */
	sys(NR_GETPPID, 0, 0, 0, 0, 0);
	rec.h.type = 9;
	assert_int_equal(print_rec(), -EINVAL);
	assert_int_equal(fx.p.bad, 2);
	/* a capture running past the end */
	openat_hosts(3);
	((struct agt_cap *)(rec.b + sizeof(struct agt_syscall)))->len = 17;
	assert_int_equal(print_rec(), -EINVAL);
	assert_int_equal(fx.p.bad, 3);
	/* a capture for argument 6 */
	openat_hosts(3);
	((struct agt_cap *)(rec.b + sizeof(struct agt_syscall)))->arg = AGT_NARGS;
	assert_int_equal(print_rec(), -EINVAL);
	assert_int_equal(fx.p.bad, 4);
	/* an exec record whose lengths run past its end */
	hdr(AGT_REC_EXEC, sizeof(struct agt_exec) + 8);
	rec.exec.filename_len = 8;
	rec.exec.argv_len = 1;
	assert_int_equal(print_rec(), -EINVAL);
	assert_int_equal(fx.p.bad, 5);
	/* nothing was printed, no seq_num used */
	assert_string_equal(take(), "");
	assert_int_equal(fx.p.seq, 0);
	/* and the printer goes on */
	openat_hosts(3);
	expect(PFX "openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3 <0.000021>\n");
	assert_int_equal(fx.p.bad, 5);
}

/* ---- retfmt_text directly ---- */

static void test_printer_retfmt(void **state)
{
	static const struct {
		const char *name;
		long long ret;
		bool noreturn;
		const char *want;
	} cases[] = {
	    {"read", 3, false, " = 3"},
	    {"read", 0, false, " = 0"},
	    {"read", -1, false, " = -1 EPERM (Operation not permitted)"},
	    {"read", -4095, false, " = -1 (errno 4095)"},
	    {"read", -4096, false, " = -4096"},
	    {"read", -512, false, " = ? ERESTARTSYS (To be restarted if SA_RESTART is set)"},
	    {"read", -516, false, " = ? ERESTART_RESTARTBLOCK (Interrupted by signal)"},
	    {"mmap", 0x7f0000001000ll, false, " = 0x7f0000001000"},
	    {"mmap", -12, false, " = -1 ENOMEM (Cannot allocate memory)"},
	    {"brk", 0x555555559000ll, false, " = 0x555555559000"},
	    {"exit_group", 0, true, " = ?"},
	    {NULL, 5, false, " = 5"},
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n =
		    retfmt_text(buf, sizeof(buf), cases[i].name, cases[i].ret, cases[i].noreturn);

		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
	/* snprintf contract */
	assert_int_equal(retfmt_text(buf, 4, "read", 12345, false), 8);
	assert_string_equal(buf, " = ");
	assert_int_equal(retfmt_text(NULL, 0, "read", -2, false),
			 strlen(" = -1 ENOENT (No such file or directory)"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_printer_numbers),
	    T(test_printer_text_openat),
	    T(test_printer_text_openat_mode),
	    T(test_printer_text_uncaptured),
	    T(test_printer_text_read),
	    T(test_printer_text_write_and_mmap),
	    T(test_printer_text_connect),
	    T(test_printer_text_execve_syscall),
	    T(test_printer_text_exit_group),
	    T(test_printer_clone_child_suppressed),
	    T(test_printer_text_unknown_syscall),
	    T(test_printer_text_timestamps),
	    T(test_printer_text_color),
	    T(test_printer_text_process_events),
	    T(test_printer_text_lost),
	    T(test_printer_json_openat),
	    T(test_printer_json_read_cut),
	    T(test_printer_json_noreturn_noentry),
	    T(test_printer_json_process_events),
	    T(test_printer_json_lost),
	    T(test_printer_json_comm),
	    T(test_printer_json_seq_parses),
	    T(test_printer_malformed),
	    T(test_printer_retfmt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
