// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rec_meta.c - metadata.json: read, type-check, and turn the RFC 3339 times into numbers.
 * Cold path: cJSON.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "rec_meta.h"

#define META_MAX (16u << 20) /* a metadata.json beyond 16 MiB is not one */

void rec_meta_release(struct rec_meta *m)
{
	if (!m)
		return;
	free(m->record_id);
	free(m->intent);
	free(m->start_time);
	free(m->end_time);
	free(m->status);
	free(m->trace_id);
	free(m->hostname);
	free(m->kernel);
	free(m->agtrace_version);
	memset(m, 0, sizeof(*m));
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int rfc3339_parse(const char *s, int64_t *ns)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	long long frac = 0, scale = 1000000000LL;
	struct tm tm = {0};
	time_t t;

	if (!s || strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -EINVAL;
	/* 1970..2200 keeps every time and every difference of two inside int64 ns */
	if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -EINVAL;
	s += 19;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return -EINVAL;
		for (; isdigit((unsigned char)*s); s++)
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (digits(s + 1, 2, &oh) || s[3] != ':' || digits(s + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -EINVAL;
		s += 6;
	} else {
		return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t -= (time_t)sign * (oh * 3600 + om * 60);
	*ns = (int64_t)t * 1000000000LL + frac;
	return 0;
}

const char *rec_base_dir(const char *opt)
{
	const char *env;

	if (opt && *opt)
		return opt;
	env = getenv("AGTRACE_DIR");
	if (env && *env)
		return env;
	return REC_DEFAULT_BASE;
}

/* A JSON number that is a whole value in [0, 2^63). */
static bool json_u64(const cJSON *v, uint64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	if (!(d >= 0) || d >= 9223372036854775808.0 || (double)(uint64_t)d != d)
		return false;
	*out = (uint64_t)d;
	return true;
}

/* Optional string member: absent or null leaves *dst NULL; another type is an error. */
static int take_str(const cJSON *o, const char *key, bool required, bool nullable, char **dst,
		    const char *name, struct rec_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v || (cJSON_IsNull(v) && nullable && !required)) {
		if (required)
			return rec_errf(err, -EINVAL, "%s: missing \"%s\"", name, key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return rec_errf(err, -EINVAL, "%s: \"%s\" is not a string", name, key);
	*dst = strdup(v->valuestring);
	return *dst ? 0 : -ENOMEM;
}

static int take_u64(const cJSON *o, const char *key, bool required, uint64_t *dst, const char *name,
		    struct rec_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v) {
		if (required)
			return rec_errf(err, -EINVAL, "%s: missing \"%s\"", name, key);
		return 0;
	}
	if (!json_u64(v, dst))
		return rec_errf(err, -EINVAL, "%s: \"%s\" is not a non-negative integer", name,
				key);
	return 0;
}

int rec_meta_parse(const char *text, size_t len, const char *name, struct rec_meta *m,
		   struct rec_err *err)
{
	cJSON *o = NULL;
	uint64_t pid = 0;
	int ret;

	memset(m, 0, sizeof(*m));
	m->end_ns = -1;
	if (memchr(text, '\0', len)) {
		ret = rec_errf(err, -EINVAL, "%s: NUL byte in file", name);
		goto cleanup;
	}
	o = cJSON_ParseWithLength(text, len);
	if (!o) {
		ret = rec_errf(err, -EINVAL, "%s: not valid JSON", name);
		goto cleanup;
	}
	if (!cJSON_IsObject(o)) {
		ret = rec_errf(err, -EINVAL, "%s: not a JSON object", name);
		goto cleanup;
	}
	if ((ret = take_str(o, "record_id", true, false, &m->record_id, name, err)) ||
	    (ret = take_u64(o, "pid", true, &pid, name, err)) ||
	    (ret = take_str(o, "intent", false, true, &m->intent, name, err)) ||
	    (ret = take_str(o, "start_time", true, false, &m->start_time, name, err)) ||
	    (ret = take_str(o, "end_time", false, true, &m->end_time, name, err)) ||
	    (ret = take_u64(o, "event_count", false, &m->event_count, name, err)) ||
	    (ret = take_str(o, "status", true, false, &m->status, name, err)) ||
	    (ret = take_u64(o, "lost_events", false, &m->lost_events, name, err)) ||
	    (ret = take_str(o, "trace_id", false, true, &m->trace_id, name, err)) ||
	    (ret = take_str(o, "hostname", false, true, &m->hostname, name, err)) ||
	    (ret = take_str(o, "kernel", false, true, &m->kernel, name, err)) ||
	    (ret = take_str(o, "agtrace_version", false, true, &m->agtrace_version, name, err)))
		goto cleanup;
	if (pid > 0x7fffffff) {
		ret = rec_errf(err, -EINVAL, "%s: \"pid\" %llu out of range", name,
			       (unsigned long long)pid);
		goto cleanup;
	}
	m->pid = (long long)pid;
	if (!*m->record_id || strchr(m->record_id, '/')) {
		ret = rec_errf(err, -EINVAL, "%s: \"record_id\" is not a directory name", name);
		goto cleanup;
	}
	if (strcmp(m->status, "recording") && strcmp(m->status, "completed") &&
	    strcmp(m->status, "stopped")) {
		ret = rec_errf(err, -EINVAL,
			       "%s: \"status\" is \"%.40s\", not recording, completed or stopped",
			       name, m->status);
		goto cleanup;
	}
	m->incomplete = !strcmp(m->status, "recording");
	if (rfc3339_parse(m->start_time, &m->start_ns)) {
		ret = rec_errf(err, -EINVAL, "%s: \"start_time\" is not an RFC 3339 time", name);
		goto cleanup;
	}
	if (m->end_time && rfc3339_parse(m->end_time, &m->end_ns)) {
		ret = rec_errf(err, -EINVAL, "%s: \"end_time\" is not an RFC 3339 time", name);
		goto cleanup;
	}
	if (!m->intent && !(m->intent = strdup(""))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ret = 0;
cleanup:
	cJSON_Delete(o);
	if (ret) {
		rec_meta_release(m);
		m->end_ns = -1;
	}
	if (ret == -ENOMEM)
		rec_errf(err, ret, "%s: out of memory", name);
	return ret;
}

int rec_meta_read(const char *dir, struct rec_meta *m, struct rec_err *err)
{
	char path[4096];
	char *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd = -1, ret;
	ssize_t n;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = rec_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > META_MAX) {
		ret = rec_errf(err, -EINVAL, "%s: not a regular file of at most 16 MiB", path);
		goto cleanup;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		ret = rec_errf(err, -ENOMEM, "%s: out of memory", path);
		goto cleanup;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = rec_errf(err, -errno, "%s: %s", path, strerror(errno));
			goto cleanup;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	if (!got) {
		ret = rec_errf(err, -EINVAL, "%s: empty file", path);
		goto cleanup;
	}
	ret = rec_meta_parse(buf, got, path, m, err);
cleanup:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}
