// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* verb_util.c - shared pieces of the offline verbs (see verb_util.h). */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "rec_err.h"
#include "verb_util.h"

int verb_error(bool json, const char *fmt, ...)
{
	char msg[REC_ERR_MAX + 128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "agtrace-bpf: %s\n", msg);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		char *s = o && cJSON_AddStringToObject(o, "error", msg) ? cJSON_PrintUnformatted(o)
									: NULL;

		if (s)
			printf("%s\n", s);
		free(s);
		cJSON_Delete(o);
	}
	return 1;
}

int verb_bad_option(const char *verb, char **argv, bool json)
{
	const char *opt = optind > 0 && argv[optind - 1] ? argv[optind - 1] : "?";

	if (optopt && optopt < 0x100 && isprint(optopt))
		return verb_error(json, "%s: bad option -%c (see %s --help)", verb, optopt, verb);
	return verb_error(json, "%s: bad option %s (see %s --help)", verb, opt, verb);
}

void verb_reset_getopt(void)
{
	optind = 0;
	opterr = 0;
}

int verb_print_json(const cJSON *o, bool json)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;

	if (!s)
		return verb_error(json, "out of memory");
	printf("%s\n", s);
	free(s);
	return 0;
}
