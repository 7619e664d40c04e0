// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_outbuf.c - the hot path's output buffer: batching, flushing, write errors. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "outbuf.h"

/* What has reached the file so far (caller frees), its length in *len. */
static char *file_contents(FILE *f, size_t *len)
{
	long end;
	char *s;

	fflush(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	end = ftell(f);
	assert_true(end >= 0);
	s = malloc((size_t)end + 1);
	assert_non_null(s);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)end, f), (size_t)end);
	s[end] = '\0';
	*len = (size_t)end;
	return s;
}

static void test_outbuf_new_min_cap(void **state)
{
	struct outbuf *ob = outbuf__new(1, 16);

	(void)state;
	assert_non_null(ob);
	assert_int_equal(ob->cap, 2 * OB_RECORD_MAX);
	assert_int_equal(ob->fd, 1);
	assert_int_equal(ob->len, 0);
	assert_int_equal(ob->err, 0);
	assert_int_equal(ob->bytes, 0);
	outbuf__free(ob);
	ob = outbuf__new(1, 1 << 20);
	assert_non_null(ob);
	assert_int_equal(ob->cap, 1 << 20);
	outbuf__free(ob);
	outbuf__free(NULL);
}

/* Nothing is written until a flush; then everything, in order, once. */
static void test_outbuf_batches_until_flush(void **state)
{
	FILE *f = tmpfile();
	struct outbuf *ob;
	char *s;
	size_t len;

	(void)state;
	assert_non_null(f);
	ob = outbuf__new(fileno(f), 0);
	assert_non_null(ob);
	ob_puts(ob, "one\n");
	ob_write(ob, "two\n", 4);
	ob_printf(ob, "%s %d\n", "three", 3);
	memcpy(ob_room(ob, 16), "four\nXXXX", 9);
	ob_commit(ob, 5);
	s = file_contents(f, &len);
	assert_int_equal(len, 0);
	free(s);
	assert_int_equal(ob->len, 21);
	assert_int_equal(ob_flush(ob), 0);
	assert_int_equal(ob->len, 0);
	assert_int_equal(ob->bytes, 21);
	s = file_contents(f, &len);
	assert_string_equal(s, "one\ntwo\nthree 3\nfour\n");
	free(s);
	/* a second flush writes nothing again */
	assert_int_equal(ob_flush(ob), 0);
	ob_puts(ob, "five\n");
	outbuf__free(ob); /* flushes */
	s = file_contents(f, &len);
	assert_string_equal(s, "one\ntwo\nthree 3\nfour\nfive\n");
	free(s);
	fclose(f);
}

/* ob_room flushes when the request does not fit, and only then. */
static void test_outbuf_room_flushes_when_full(void **state)
{
	FILE *f = tmpfile();
	struct outbuf *ob;
	char *p, *s;
	size_t len, fill;

	(void)state;
	assert_non_null(f);
	ob = outbuf__new(fileno(f), 0);
	assert_non_null(ob);
	fill = ob->cap - 100;
	p = ob_room(ob, fill);
	assert_ptr_equal(p, ob->buf);
	memset(p, 'a', fill);
	ob_commit(ob, fill);
	/* 100 bytes still fit: no flush */
	p = ob_room(ob, 100);
	assert_ptr_equal(p, ob->buf + fill);
	assert_int_equal(ob->bytes, 0);
	/* 101 do not */
	p = ob_room(ob, 101);
	assert_ptr_equal(p, ob->buf);
	assert_int_equal(ob->len, 0);
	assert_int_equal(ob->bytes, fill);
	s = file_contents(f, &len);
	assert_int_equal(len, fill);
	assert_int_equal(s[0], 'a');
	assert_int_equal(s[fill - 1], 'a');
	free(s);
	memcpy(p, "tail", 4);
	ob_commit(ob, 4);
	assert_int_equal(ob_flush(ob), 0);
	s = file_contents(f, &len);
	assert_int_equal(len, fill + 4);
	assert_memory_equal(s + fill, "tail", 4);
	free(s);
	outbuf__free(ob);
	fclose(f);
}

/* A write larger than the whole buffer goes through in pieces, intact. */
static void test_outbuf_write_larger_than_buffer(void **state)
{
	const size_t n = 5 * 2 * OB_RECORD_MAX + 123;
	char *data = malloc(n), *s;
	FILE *f = tmpfile();
	struct outbuf *ob;
	size_t len;

	(void)state;
	assert_non_null(data);
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	ob = outbuf__new(fileno(f), 0);
	assert_non_null(ob);
	ob_puts(ob, "<");
	ob_write(ob, data, n);
	ob_puts(ob, ">");
	assert_int_equal(ob_flush(ob), 0);
	assert_int_equal(ob->bytes, n + 2);
	s = file_contents(f, &len);
	assert_int_equal(len, n + 2);
	assert_int_equal(s[0], '<');
	assert_memory_equal(s + 1, data, n);
	assert_int_equal(s[n + 1], '>');
	free(s);
	free(data);
	outbuf__free(ob);
	fclose(f);
}

/* One ob_printf produces at most one record's worth: OB_RECORD_MAX - 1 bytes. */
static void test_outbuf_printf_cut(void **state)
{
	const size_t n = OB_RECORD_MAX + 500;
	char *big = malloc(n + 1);
	FILE *f = tmpfile();
	struct outbuf *ob;
	size_t len;
	char *s;

	(void)state;
	assert_non_null(big);
	assert_non_null(f);
	memset(big, 'x', n);
	big[n] = '\0';
	ob = outbuf__new(fileno(f), 0);
	assert_non_null(ob);
	ob_printf(ob, "%s", big);
	assert_int_equal(ob->len, OB_RECORD_MAX - 1);
	ob_printf(ob, "|%d|", 42);
	assert_int_equal(ob_flush(ob), 0);
	s = file_contents(f, &len);
	assert_int_equal(len, OB_RECORD_MAX - 1 + 4);
	assert_int_equal(s[OB_RECORD_MAX - 2], 'x');
	assert_string_equal(s + OB_RECORD_MAX - 1, "|42|");
	free(s);
	free(big);
	outbuf__free(ob);
	fclose(f);
}

/* A reader that went away: -EPIPE, kept in err, sticky; the buffer is still emptied. */
static void test_outbuf_write_error_epipe(void **state)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct outbuf *ob;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(close(fds[0]), 0);
	ob = outbuf__new(fds[1], 0);
	assert_non_null(ob);
	ob_puts(ob, "lost line\n");
	assert_int_equal(ob_flush(ob), -EPIPE);
	assert_int_equal(ob->err, EPIPE);
	assert_int_equal(ob->len, 0);
	assert_int_equal(ob->bytes, 0);
	/* sticky: an empty flush still reports it */
	assert_int_equal(ob_flush(ob), -EPIPE);
	/* and further output does not pile up */
	for (int i = 0; i < 10; i++)
		ob_write(ob, "0123456789abcdef", 16);
	ob_room(ob, ob->cap);
	assert_int_equal(ob->len, 0);
	assert_int_equal(ob->err, EPIPE);
	outbuf__free(ob);
	close(fds[1]);
	signal(SIGPIPE, old);
}

/* The first error is the one kept. */
static void test_outbuf_write_error_first_kept(void **state)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	struct outbuf *ob;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	ob = outbuf__new(fds[1], 0);
	assert_non_null(ob);
	ob_puts(ob, "x");
	assert_int_equal(ob_flush(ob), -EPIPE);
	close(fds[1]);
	ob->fd = -1; /* now EBADF */
	ob_puts(ob, "y");
	assert_int_equal(ob_flush(ob), -EPIPE);
	assert_int_equal(ob->err, EPIPE);
	outbuf__free(ob);
	signal(SIGPIPE, old);
}

static void test_outbuf_write_error_ebadf(void **state)
{
	struct outbuf *ob = outbuf__new(-1, 0);

	(void)state;
	assert_non_null(ob);
	assert_int_equal(ob_flush(ob), 0); /* nothing pending: no write, no error */
	ob_puts(ob, "x");
	assert_int_equal(ob_flush(ob), -EBADF);
	assert_int_equal(ob->err, EBADF);
	outbuf__free(ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_outbuf_new_min_cap),
	    cmocka_unit_test(test_outbuf_batches_until_flush),
	    cmocka_unit_test(test_outbuf_room_flushes_when_full),
	    cmocka_unit_test(test_outbuf_write_larger_than_buffer),
	    cmocka_unit_test(test_outbuf_printf_cut),
	    cmocka_unit_test(test_outbuf_write_error_epipe),
	    cmocka_unit_test(test_outbuf_write_error_first_kept),
	    cmocka_unit_test(test_outbuf_write_error_ebadf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
