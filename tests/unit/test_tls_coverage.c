// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_tls_coverage.c - who is reported blind and when: handshakes in syscall buffers (a
 * ClientHello written, a ServerHello or a bare record header read), port-443 connects, and the
 * exit check of a process whose probed library saw none of its TLS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "abi.h"
#include "tls_coverage.h"

static union {
	uint64_t align;
	unsigned char b[1024];
	struct agt_syscall sys;
} rec;

static char got[8][1024];
static int ngot;

static void emit(void *ctx, const struct agt_hdr *h, const char *obj, size_t len)
{
	(void)ctx;
	assert_true(ngot < 8);
	snprintf(got[ngot++], sizeof(got[0]), "%u %.*s", h->tgid, (int)len, obj);
}

/* A syscall record of tgid: nr(args[1] captured as data[0..n)) = ret; returns its size. */
static size_t sys(uint32_t tgid, int nr, const void *data, size_t n, long ret)
{
	struct agt_cap c = {.arg = 1, .kind = AGT_CAP_BUF_ARG, .len = (__u16)n, .full = (__u32)n};
	size_t size = sizeof(struct agt_syscall) + sizeof(c) + ((n + 7) & ~7ul);

	memset(&rec, 0, sizeof(rec));
	rec.sys.h.type = AGT_REC_SYSCALL;
	rec.sys.h.size = (__u16)size;
	rec.sys.h.tgid = rec.sys.h.tid = tgid;
	memcpy(rec.sys.h.comm, "agent", 5);
	rec.sys.nr = nr;
	rec.sys.ret = ret;
	rec.sys.ncap = 1;
	memcpy(rec.b + sizeof(rec.sys), &c, sizeof(c));
	memcpy(rec.b + sizeof(rec.sys) + sizeof(c), data, n);
	return size;
}

static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01};
static const unsigned char server_hdr[] = {0x16, 0x03, 0x03, 0x00, 0x9b};

static struct tls_coverage *setup_cov(void)
{
	struct tls_coverage *c = tls_coverage__new(emit, NULL, NULL, NULL, true);

	assert_non_null(c);
	ngot = 0;
	return c;
}

static void blind_file(struct tls_pid_cov *cov)
{
	memset(cov, 0, sizeof(*cov));
	cov->mapped = true;
	snprintf(cov->exe, sizeof(cov->exe), "/usr/local/bin/claude");
	snprintf(cov->blind, sizeof(cov->blind), "/usr/local/bin/claude");
	cov->blind_stack = "BoringSSL";
	snprintf(cov->why, sizeof(cov->why), "BoringSSL statically linked, functions not located");
}

static void test_blind_on_client_hello_once(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	size_t n;

	(void)state;
	blind_file(&cov);
	tls_coverage_image(c, 100, &cov, 1);
	n = sys(100, SYS_write, "GET / HTTP/1.1\r\n", 16, 16); /* not TLS */
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 0);
	n = sys(100, SYS_sendto, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	tls_coverage_syscall(c, &rec.sys, n); /* a second connection: already said */
	assert_int_equal(ngot, 1);
	assert_string_equal(got[0],
			    "100 {\"status\":\"blind\",\"binary\":\"/usr/local/bin/claude\","
			    "\"tls\":\"BoringSSL\",\"why\":\"BoringSSL statically linked, functions "
			    "not located\",\"seen\":\"ClientHello\"}");
	assert_int_equal(tls_coverage_blind(c), 1);
	tls_coverage__free(c);
}

static void test_server_record_header_alone(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	unsigned char big[5] = {0x16, 0x03, 0x03, 0xff, 0xff}; /* longer than a record can be */
	size_t n;

	(void)state;
	blind_file(&cov);
	tls_coverage_image(c, 7, &cov, 1);
	n = sys(7, SYS_recvfrom, big, sizeof(big), 5);
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 0);
	n = sys(7, SYS_recvfrom, server_hdr, sizeof(server_hdr), 5);
	rec.sys.ret = -11; /* EAGAIN: nothing was read */
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 0);
	rec.sys.ret = 5;
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 1);
	assert_non_null(strstr(got[0], "\"seen\":\"ServerHello\""));
	tls_coverage__free(c);
}

static void test_port_443(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(8443)};
	size_t n;

	(void)state;
	memset(&cov, 0, sizeof(cov));
	cov.mapped = true;
	snprintf(cov.exe, sizeof(cov.exe), "/opt/agent");
	tls_coverage_image(c, 9, &cov, 1);
	n = sys(9, SYS_connect, &a, sizeof(a), 0);
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 0);
	a.sin_port = htons(443);
	n = sys(9, SYS_connect, &a, sizeof(a), -115); /* EINPROGRESS: non-blocking */
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 1);
	assert_non_null(strstr(got[0], "\"binary\":\"/opt/agent\",\"tls\":null,\"why\":\"no TLS "
					"library the tracer can probe"));
	assert_non_null(strstr(got[0], "\"seen\":\"port 443\""));
	tls_coverage__free(c);
}

static void test_probed_then_silent_probe(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	struct agt_hdr h = {.tgid = 5};
	size_t n;

	(void)state;
	memset(&cov, 0, sizeof(cov));
	cov.mapped = true;
	snprintf(cov.probed, sizeof(cov.probed), "/usr/lib/libssl.so.3");
	cov.probed_stack = "OpenSSL";
	/* two processes with libssl: one whose probes fire, one whose TLS goes elsewhere */
	tls_coverage_image(c, 5, &cov, 1);
	tls_coverage_image(c, 6, &cov, 1);
	n = sys(5, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	n = sys(6, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 2);
	assert_string_equal(got[0], "5 {\"status\":\"probed\",\"binary\":\"/usr/lib/libssl.so.3\","
				    "\"tls\":\"OpenSSL\",\"why\":null,\"seen\":\"ClientHello\"}");
	tls_coverage_plaintext(c, 6, 50);
	tls_coverage_exit(c, &h); /* pid 5: no record from its probes */
	h.tgid = 6;
	tls_coverage_exit(c, &h);
	assert_int_equal(ngot, 3);
	assert_string_equal(got[2],
			    "5 {\"status\":\"blind\",\"binary\":\"/usr/lib/libssl.so.3\",\"tls\":null,"
			    "\"why\":\"TLS handshakes seen but no plaintext through "
			    "/usr/lib/libssl.so.3 (OpenSSL): another TLS stack is in use\","
			    "\"seen\":\"exit\"}");
	tls_coverage__free(c);
}

static void test_unmapped_decided_at_exit(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	struct agt_hdr h = {.tgid = 11};
	size_t n;

	(void)state;
	memset(&cov, 0, sizeof(cov)); /* ended before the scan: nothing known */
	snprintf(cov.exe, sizeof(cov.exe), "./fast");
	tls_coverage_image(c, 11, &cov, 1);
	tls_coverage_image(c, 12, &cov, 1);
	n = sys(11, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	n = sys(12, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 0);
	tls_coverage_plaintext(c, 12, 50);
	tls_coverage_exit(c, &h);
	h.tgid = 12;
	tls_coverage_exit(c, &h);
	assert_int_equal(ngot, 2);
	assert_non_null(strstr(got[0], "11 {\"status\":\"blind\",\"binary\":\"./fast\""));
	assert_non_null(strstr(got[1], "12 {\"status\":\"probed\",\"binary\":\"./fast\""));
	tls_coverage__free(c);
}

/*
 * The TLS ring is read first: a short-lived process's plaintext can be handled before its own
 * exec record. Plaintext from after the exec is the new image's; from before, the old one's.
 */
static void test_plaintext_before_exec_record(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	struct agt_hdr h = {.tgid = 21};
	size_t n;

	(void)state;
	memset(&cov, 0, sizeof(cov));
	cov.mapped = true;
	snprintf(cov.probed, sizeof(cov.probed), "/opt/goagent");
	cov.probed_stack = "Go crypto/tls";
	tls_coverage_plaintext(c, 21, 2000); /* its requests, ring order ahead of... */
	tls_coverage_plaintext(c, 22, 500);  /* (22: the image before the exec talked) */
	tls_coverage_image(c, 21, &cov, 1000); /* ...the exec at t=1000 */
	tls_coverage_image(c, 22, &cov, 1000);
	n = sys(21, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	n = sys(22, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	tls_coverage_exit(c, &h);
	h.tgid = 22;
	tls_coverage_exit(c, &h);
	assert_int_equal(ngot, 3); /* two "probed", and 22's blind report at its exit */
	assert_non_null(strstr(got[2], "22 {\"status\":\"blind\""));
	assert_int_equal(tls_coverage_blind(c), 1);
	tls_coverage__free(c);
}

static int nrescans;

static void late_gnutls(void *ctx, uint32_t tgid, struct tls_pid_cov *cov)
{
	(void)ctx;
	(void)tgid;
	nrescans++;
	memset(cov, 0, sizeof(*cov));
	cov->mapped = true;
	snprintf(cov->blind, sizeof(cov->blind), "/usr/lib/libgnutls.so.30");
	cov->blind_stack = "GnuTLS";
	snprintf(cov->why, sizeof(cov->why), "GnuTLS: no probes for this library");
}

/* The exec's scan ran before ld.so mapped the TLS library: looked at again before judging. */
static void test_rescan_before_judging(void **state)
{
	struct tls_coverage *c = tls_coverage__new(emit, late_gnutls, NULL, NULL, true);
	struct tls_pid_cov cov;
	size_t n;

	(void)state;
	ngot = 0;
	nrescans = 0;
	memset(&cov, 0, sizeof(cov));
	cov.mapped = true; /* mapped, but only the program and libc so far */
	snprintf(cov.exe, sizeof(cov.exe), "/usr/bin/wget");
	tls_coverage_image(c, 31, &cov, 1);
	n = sys(31, SYS_recvfrom, server_hdr, sizeof(server_hdr), 5);
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(nrescans, 1);
	assert_int_equal(ngot, 1);
	assert_string_equal(got[0], "31 {\"status\":\"blind\",\"binary\":\"/usr/lib/libgnutls.so.30\","
				    "\"tls\":\"GnuTLS\",\"why\":\"GnuTLS: no probes for this library\","
				    "\"seen\":\"ServerHello\"}");
	tls_coverage__free(c);
}

/*
 * Gone before its mappings could be read: the library it opened and mapped executable is
 * known from those syscalls; with nothing known, its exit decides by what its probes saw.
 */
static void test_mapping_from_syscalls(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	struct agt_hdr h = {.tgid = 41};
	static const char lib[] = "/nonexistent/libgnutls.so.30";
	size_t n;

	(void)state;
	memset(&cov, 0, sizeof(cov)); /* not mapped: gone before the exec's scan */
	tls_coverage_image(c, 41, &cov, 1);
	tls_coverage_image(c, 42, &cov, 1);
	n = sys(41, SYS_openat, lib, sizeof(lib) - 1, 5);
	tls_coverage_syscall(c, &rec.sys, n);
	n = sys(41, SYS_mmap, "", 0, 0x7f0000000000);
	rec.sys.args[2] = 5; /* PROT_READ|PROT_EXEC */
	rec.sys.args[3] = 0x802; /* MAP_PRIVATE|MAP_DENYWRITE */
	rec.sys.args[4] = 5;
	tls_coverage_syscall(c, &rec.sys, n);
	n = sys(41, SYS_recvfrom, server_hdr, sizeof(server_hdr), 5);
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 1);
	assert_string_equal(got[0], "41 {\"status\":\"blind\",\"binary\":\"/nonexistent/libgnutls.so.30\","
				    "\"tls\":\"GnuTLS\",\"why\":\"GnuTLS: no probes for this library\","
				    "\"seen\":\"ServerHello\"}");
	/* 42 knows nothing and its rescan fails (no rescan here): judged at exit, its probes
	 * having seen it */
	n = sys(42, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 1);
	tls_coverage_plaintext(c, 42, 50);
	h.tgid = 42;
	tls_coverage_exit(c, &h);
	assert_int_equal(ngot, 2);
	assert_non_null(strstr(got[1], "42 {\"status\":\"probed\""));
	tls_coverage__free(c);
}

static void late_libssl(void *ctx, uint32_t tgid, struct tls_pid_cov *cov)
{
	(void)ctx;
	(void)tgid;
	memset(cov, 0, sizeof(*cov));
	cov->mapped = true;
	snprintf(cov->probed, sizeof(cov->probed), "/usr/lib/libssl.so.3");
	cov->probed_stack = "OpenSSL";
}

static void gone(void *ctx, uint32_t tgid, struct tls_pid_cov *cov)
{
	(void)ctx;
	(void)tgid;
	memset(cov, 0, sizeof(*cov)); /* /proc/PID/maps no longer there */
}

/*
 * curl maps libgnutls too (librtmp pulls it in) beside the libssl it talks through: a blind
 * library alone is not a verdict while a probed one may have been mapped since; and when the
 * process is gone, its exit decides by what its probes saw.
 */
static void test_blind_library_beside_probed(void **state)
{
	static const char lib[] = "/nonexistent/libgnutls.so.30";
	struct agt_hdr h = {.tgid = 52};
	struct tls_pid_cov cov;
	struct tls_coverage *c;
	size_t n;

	(void)state;
	for (int k = 0; k < 2; k++) {
		c = tls_coverage__new(emit, k ? gone : late_libssl, NULL, NULL, true);
		ngot = 0;
		memset(&cov, 0, sizeof(cov));
		cov.mapped = true;
		tls_coverage_image(c, 52, &cov, 1);
		n = sys(52, SYS_openat, lib, sizeof(lib) - 1, 5);
		tls_coverage_syscall(c, &rec.sys, n);
		n = sys(52, SYS_mmap, "", 0, 0x7f0000000000);
		rec.sys.args[2] = 5;
		rec.sys.args[4] = 5;
		tls_coverage_syscall(c, &rec.sys, n);
		n = sys(52, SYS_write, hello, sizeof(hello), sizeof(hello));
		tls_coverage_syscall(c, &rec.sys, n);
		if (!k) {
			assert_int_equal(ngot, 1);
			assert_non_null(strstr(got[0], "{\"status\":\"probed\",\"binary\":"
							"\"/usr/lib/libssl.so.3\""));
		} else {
			assert_int_equal(ngot, 0); /* gone: judged at its exit */
			tls_coverage_plaintext(c, 52, 50);
			tls_coverage_exit(c, &h);
			assert_int_equal(ngot, 1);
			assert_non_null(strstr(got[0], "{\"status\":\"probed\""));
		}
		assert_int_equal(tls_coverage_blind(c), 0);
		tls_coverage__free(c);
	}
}

/* A new image forgets what the old one was told and had. */
static void test_exec_resets(void **state)
{
	struct tls_coverage *c = setup_cov();
	struct tls_pid_cov cov;
	size_t n;

	(void)state;
	blind_file(&cov);
	tls_coverage_image(c, 3, &cov, 1);
	n = sys(3, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	tls_coverage_image(c, 3, &cov, 1);
	n = sys(3, SYS_write, hello, sizeof(hello), sizeof(hello));
	tls_coverage_syscall(c, &rec.sys, n);
	assert_int_equal(ngot, 2);
	tls_coverage__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blind_on_client_hello_once),
	    cmocka_unit_test(test_server_record_header_alone),
	    cmocka_unit_test(test_port_443),
	    cmocka_unit_test(test_probed_then_silent_probe),
	    cmocka_unit_test(test_unmapped_decided_at_exit),
	    cmocka_unit_test(test_plaintext_before_exec_record),
	    cmocka_unit_test(test_rescan_before_judging),
	    cmocka_unit_test(test_mapping_from_syscalls),
	    cmocka_unit_test(test_blind_library_beside_probed),
	    cmocka_unit_test(test_exec_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
