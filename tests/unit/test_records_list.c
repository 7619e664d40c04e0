// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_records_list.c - `records`: newest first, incomplete status, table and JSON. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rec_fixture.h"
#include "records_list.h"

static char *make_base(void)
{
	char *base = fx_base(), dir[4096];

	fx_meta(fx_dir(base, "100-20260329-101500", dir, sizeof(dir)), "100-20260329-101500",
		"completed", "2026-03-29T10:15:00Z", "2026-03-29T10:15:02.5Z", 13);
	fx_meta(fx_dir(base, "200-20260329-110000", dir, sizeof(dir)), "200-20260329-110000",
		"recording", "2026-03-29T11:00:00Z", NULL, 7);
	fx_meta(fx_dir(base, "300-20260329-090000", dir, sizeof(dir)), "300-20260329-090000",
		"stopped", "2026-03-29T11:00:00+02:00", "2026-03-29T09:01:00Z", 12345);
	fx_dir(base, "not-a-recording", dir, sizeof(dir));
	fx_write(fx_dir(base, "broken", dir, sizeof(dir)), "metadata.json", "{", 1);
	return base;
}

static void test_records_list_order(void **state)
{
	char *base = make_base(), *warn = NULL, want[4400];
	size_t wl = 0;
	FILE *w = open_memstream(&warn, &wl);
	struct rec_list *l;
	struct rec_err err;

	(void)state;
	assert_int_equal(rec_list__scan(base, &l, w, &err), 0);
	fclose(w);
	snprintf(want, sizeof(want),
		 "agtrace-bpf: warning: %s/broken/metadata.json: not valid JSON\n", base);
	assert_string_equal(warn, want);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->items[0].meta.record_id, "200-20260329-110000");
	assert_string_equal(l->items[1].meta.record_id, "100-20260329-101500");
	assert_string_equal(l->items[2].meta.record_id, "300-20260329-090000");
	assert_true(l->items[0].meta.incomplete);
	rec_list__free(l);
	free(warn);
	fx_rm(base);
}

static void test_records_list_table(void **state)
{
	char *base = make_base(), *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rec_list *l;
	struct rec_err err;

	(void)state;
	assert_int_equal(rec_list__scan(base, &l, NULL, &err), 0);
	rec_list_print(l, f);
	fclose(f);
	assert_string_equal(
	    buf,
	    "ID                   PID  START                DURATION  EVENTS  LOST  STATUS      "
	    "INTENT\n"
	    "200-20260329-110000  100  2026-03-29 11:00:00  -              7     3  incomplete  "
	    "python3 agent.py\n"
	    "100-20260329-101500  100  2026-03-29 10:15:00  2.500 s       13     3  completed   "
	    "python3 agent.py\n"
	    "300-20260329-090000  100  2026-03-29 09:00:00  60.000 s   12345     3  stopped     "
	    "python3 agent.py\n");
	free(buf);
	rec_list__free(l);
	fx_rm(base);
}

static void test_records_list_json(void **state)
{
	char *base = make_base(), *s, want[8192];
	struct rec_list *l;
	struct rec_err err;
	cJSON *o;

	(void)state;
	assert_int_equal(rec_list__scan(base, &l, NULL, &err), 0);
	o = rec_list_json(l);
	s = cJSON_PrintUnformatted(cJSON_GetArrayItem(o, 0));
	snprintf(
	    want, sizeof(want),
	    "{\"record_id\":\"200-20260329-110000\",\"pid\":100,\"intent\":\"python3 agent.py\","
	    "\"start_time\":\"2026-03-29T11:00:00Z\",\"end_time\":null,\"duration\":null,"
	    "\"event_count\":7,\"lost_events\":3,\"status\":\"recording\",\"incomplete\":true,"
	    "\"trace_id\":\"0123456789abcdef0123456789abcdef\",\"path\":\"%s/"
	    "200-20260329-110000\"}",
	    base);
	assert_string_equal(s, want);
	free(s);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(o, 1), "duration")->valuedouble,
			 2500000000.0);
	cJSON_Delete(o);
	rec_list__free(l);
	fx_rm(base);
}

/* The intent stays on its row: control characters escaped (not blanked), then cut. */
static void test_records_list_intent_escapes(void **state)
{
	static const char meta[] =
	    "{\"record_id\":\"7-x\",\"pid\":7,\"intent\":\"sh -c "
	    "\\\"a\\nb\\\"\\tc\\\\d\\r\\u001b[0m "
	    "0123456789012345678901234567890123456789012345678\",\"start_time\":"
	    "\"2026-03-29T10:15:00Z\",\"end_time\":null,\"event_count\":1,\"status\":"
	    "\"completed\",\"lost_events\":0}";
	char *base = fx_base(), dir[4096], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rec_list *l;
	struct rec_err err;

	(void)state;
	fx_write(fx_dir(base, "7-x", dir, sizeof(dir)), "metadata.json", meta, sizeof(meta) - 1);
	assert_int_equal(rec_list__scan(base, &l, NULL, &err), 0);
	rec_list_print(l, f);
	fclose(f);
	assert_string_equal(strchr(buf, '\n') + 1,
			    "7-x  7    2026-03-29 10:15:00  -              1     0  completed  "
			    "sh -c \"a\\nb\"\\tc\\\\d\\r\\33[0m "
			    "012345678901234567890123456789012345678...\n");
	free(buf);
	rec_list__free(l);
	fx_rm(base);
}

static void test_records_list_missing_base(void **state)
{
	struct rec_list *l;
	struct rec_err err;

	(void)state;
	assert_int_equal(rec_list__scan("/nonexistent/recs", &l, NULL, &err), -ENOENT);
	assert_null(l);
	assert_string_equal(err.msg, "/nonexistent/recs: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_records_list_order),
	    cmocka_unit_test(test_records_list_table),
	    cmocka_unit_test(test_records_list_json),
	    cmocka_unit_test(test_records_list_missing_base),
	    cmocka_unit_test(test_records_list_intent_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
