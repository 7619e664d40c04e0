/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * records_list.h - the recordings under a base directory (seed RecordManager.ListRecords), newest
 * first, as an aligned table or a JSON array. Only metadata.json is read: listing stays fast
 * however large the recordings are.
 */
#ifndef AGT_RECORDS_LIST_H
#define AGT_RECORDS_LIST_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "rec_err.h"
#include "rec_meta.h"

struct rec_list_item {
	char *dir;
	struct rec_meta meta;
};

struct rec_list {
	struct rec_list_item *items;
	size_t n;
};

/*
 * Scans base: every subdirectory holding a metadata.json. A subdirectory whose metadata.json is
 * missing is skipped silently; one that does not validate is skipped with a warning line written
 * to warn (when not NULL). Sorted by start_time, newest first, then record id descending.
 * Returns 0, or -errno (base unreadable: err says so). Free with rec_list__free.
 */
int rec_list__scan(const char *base, struct rec_list **out, FILE *warn, struct rec_err *err);
void rec_list__free(struct rec_list *l);

/*
 * The table: ID PID START DURATION EVENTS LOST STATUS INTENT, aligned; START as
 * "YYYY-mm-dd HH:MM:SS" (UTC), DURATION "S.mmm s" or "-" without end_time, STATUS "incomplete"
 * for a recording left in status recording. Intent on its row (control characters escaped as
 * \n, \t, \33, backslash doubled), cut at 60 characters.
 */
void rec_list_print(const struct rec_list *l, FILE *out);

/* [{"record_id","pid","intent","start_time","end_time","duration","event_count","lost_events",
 *   "status","incomplete","trace_id","path"}]; duration in ns or null. NULL on ENOMEM. */
cJSON *rec_list_json(const struct rec_list *l);

#endif
