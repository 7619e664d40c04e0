// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* records_list.c - list the recordings of a base directory. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "quote.h"
#include "records_list.h"

#define INTENT_CUT 60 /* characters of the intent, escapes counted as one */

void rec_list__free(struct rec_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].dir);
		rec_meta_release(&l->items[i].meta);
	}
	free(l->items);
	free(l);
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct rec_list_item *a = pa, *b = pb;

	if (a->meta.start_ns != b->meta.start_ns)
		return a->meta.start_ns > b->meta.start_ns ? -1 : 1;
	return -strcmp(a->meta.record_id, b->meta.record_id);
}

int rec_list__scan(const char *base, struct rec_list **out, FILE *warn, struct rec_err *err)
{
	struct rec_list *l = calloc(1, sizeof(*l));
	size_t cap = 0;
	struct dirent *de;
	DIR *d = NULL;
	int ret = 0;

	*out = NULL;
	if (!l)
		return rec_errf(err, -ENOMEM, "%s: out of memory", base);
	d = opendir(base);
	if (!d) {
		ret = rec_errf(err, -errno, "%s: %s", base, strerror(errno));
		goto cleanup;
	}
	while ((de = readdir(d))) {
		struct rec_list_item it = {0};
		struct rec_err merr;
		char path[4096], meta[4200];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", base, de->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		snprintf(meta, sizeof(meta), "%s/metadata.json", path);
		if (access(meta, F_OK))
			continue;
		if (rec_meta_read(path, &it.meta, &merr)) {
			if (warn)
				fprintf(warn, "agtrace-bpf: warning: %s\n", merr.msg);
			continue;
		}
		if (l->n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct rec_list_item *ni = realloc(l->items, ncap * sizeof(*ni));

			if (!ni) {
				rec_meta_release(&it.meta);
				ret = -ENOMEM;
				goto cleanup;
			}
			l->items = ni;
			cap = ncap;
		}
		if (!(it.dir = strdup(path))) {
			rec_meta_release(&it.meta);
			ret = -ENOMEM;
			goto cleanup;
		}
		l->items[l->n++] = it;
	}
	if (l->n)
		qsort(l->items, l->n, sizeof(*l->items), item_cmp);
	*out = l;
	l = NULL;
cleanup:
	if (ret == -ENOMEM)
		rec_errf(err, ret, "%s: out of memory", base);
	if (d)
		closedir(d);
	rec_list__free(l);
	return ret;
}

static const char *status_of(const struct rec_meta *m)
{
	return m->incomplete ? "incomplete" : m->status;
}

static void fmt_start(const struct rec_meta *m, char *buf, size_t n)
{
	time_t t = (time_t)(m->start_ns / 1000000000LL - (m->start_ns % 1000000000LL < 0));
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, n, "%s", m->start_time);
}

static void fmt_duration(const struct rec_meta *m, char *buf, size_t n)
{
	long long ns = m->end_ns - m->start_ns;

	if (m->end_ns < 0 || ns < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%lld.%03lld s", ns / 1000000000LL, ns % 1000000000LL / 1000000);
}

void rec_list_print(const struct rec_list *l, FILE *out)
{
	static const char *const head[] = {"ID",     "PID",  "START", "DURATION",
					   "EVENTS", "LOST", "STATUS"};
	int w[7];
	char cell[7][80];

	for (int c = 0; c < 7; c++)
		w[c] = (int)strlen(head[c]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			for (int c = 0; c < 7; c++)
				fprintf(out, c >= 4 && c <= 5 ? "%*s  " : "%-*s  ", w[c], head[c]);
			fputs("INTENT\n", out);
		}
		for (size_t i = 0; i < l->n; i++) {
			const struct rec_meta *m = &l->items[i].meta;

			snprintf(cell[0], sizeof(cell[0]), "%.79s", m->record_id);
			snprintf(cell[1], sizeof(cell[1]), "%lld", m->pid);
			fmt_start(m, cell[2], sizeof(cell[2]));
			fmt_duration(m, cell[3], sizeof(cell[3]));
			snprintf(cell[4], sizeof(cell[4]), "%llu",
				 (unsigned long long)m->event_count);
			snprintf(cell[5], sizeof(cell[5]), "%llu",
				 (unsigned long long)m->lost_events);
			snprintf(cell[6], sizeof(cell[6]), "%s", status_of(m));
			for (int c = 0; c < 7; c++) {
				int len = (int)strlen(cell[c]);

				if (!pass) {
					w[c] = len > w[c] ? len : w[c];
					continue;
				}
				fprintf(out, c >= 4 && c <= 5 ? "%*s  " : "%-*s  ", w[c], cell[c]);
			}
			if (pass) {
				quote_line(out, m->intent, INTENT_CUT);
				fputc('\n', out);
			}
		}
	}
}

cJSON *rec_list_json(const struct rec_list *l)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	bool ok = arr;

	for (size_t i = 0; ok && i < l->n; i++) {
		const struct rec_meta *m = &l->items[i].meta;

		ok = (o = cJSON_CreateObject()) && cJSON_AddItemToArray(arr, o);
		if (!ok) {
			cJSON_Delete(o);
			break;
		}
		ok =
		    cJSON_AddStringToObject(o, "record_id", m->record_id) &&
		    cJSON_AddNumberToObject(o, "pid", (double)m->pid) &&
		    cJSON_AddStringToObject(o, "intent", m->intent) &&
		    cJSON_AddStringToObject(o, "start_time", m->start_time) &&
		    (m->end_time ? cJSON_AddStringToObject(o, "end_time", m->end_time)
				 : cJSON_AddNullToObject(o, "end_time")) &&
		    (m->end_ns >= m->start_ns
			 ? cJSON_AddNumberToObject(o, "duration", (double)(m->end_ns - m->start_ns))
			 : cJSON_AddNullToObject(o, "duration")) &&
		    cJSON_AddNumberToObject(o, "event_count", (double)m->event_count) &&
		    cJSON_AddNumberToObject(o, "lost_events", (double)m->lost_events) &&
		    cJSON_AddStringToObject(o, "status", m->status) &&
		    cJSON_AddBoolToObject(o, "incomplete", m->incomplete) &&
		    (m->trace_id ? cJSON_AddStringToObject(o, "trace_id", m->trace_id)
				 : cJSON_AddNullToObject(o, "trace_id")) &&
		    cJSON_AddStringToObject(o, "path", l->items[i].dir);
	}
	if (!ok) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}
