// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* models.c - the model family table: parse (built-in, then a user file on top) and look up. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models.h"
#include "models_tsv.h" /* models_builtin_tsv[]: generated from analyze/data/models.tsv */

#define BUILTIN_NAME "built-in models.tsv"

struct models {
	struct model_info *rows; /* family strings owned */
	size_t n, cap;
};

size_t models_count(const struct models *m)
{
	return m ? m->n : 0;
}

void models__free(struct models *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free((char *)m->rows[i].family);
	free(m->rows);
	free(m);
}

/* Replaces the row of the same family (case-insensitive) or appends one. 0 or -ENOMEM. */
static int put_row(struct models *m, const char *family, long window, double in, double out,
		   bool priced)
{
	struct model_info *r = NULL;
	char *name;

	for (size_t i = 0; i < m->n; i++)
		if (!strcasecmp(m->rows[i].family, family))
			r = &m->rows[i];
	if (!(name = strdup(family)))
		return -ENOMEM;
	if (!r) {
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 64;
			struct model_info *v = realloc(m->rows, cap * sizeof(*v));

			if (!v) {
				free(name);
				return -ENOMEM;
			}
			m->rows = v;
			m->cap = cap;
		}
		r = &m->rows[m->n++];
	} else {
		free((char *)r->family);
	}
	*r = (struct model_info){.family = name,
				 .context_window = window,
				 .usd_in_per_mtok = in,
				 .usd_out_per_mtok = out,
				 .priced = priced};
	return 0;
}

/* "-" (unknown: *known false) or a finite price >= 0. */
static bool parse_price(const char *s, double *v, bool *known)
{
	char *end;

	*known = false;
	*v = 0;
	if (!strcmp(s, "-"))
		return true;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*v) || *v < 0)
		return false;
	*known = true;
	return true;
}

/*
 * One line (mutable, NUL-terminated, without its newline). Blank and '#' lines are skipped; a
 * field starting with '#' ends the line. Returns 0, -EINVAL with err "<name>:<lineno>: ...", or
 * -ENOMEM.
 */
static int parse_line(struct models *m, char *line, const char *name, size_t lineno,
		      struct rec_err *err)
{
	char *f[5], *save = NULL, *tok, *end;
	size_t nf = 0;
	double in, out;
	bool kin, kout;
	long window = 0;

	for (tok = strtok_r(line, " \t\r\v\f", &save); tok && *tok != '#';
	     tok = strtok_r(NULL, " \t\r\v\f", &save)) {
		if (nf == 4)
			return rec_errf(err, -EINVAL,
					"%s:%zu: too many fields (family window usd_in usd_out)",
					name, lineno);
		f[nf++] = tok;
	}
	if (!nf)
		return 0;
	if (nf != 4)
		return rec_errf(err, -EINVAL,
				"%s:%zu: expected 4 fields (family window usd_in usd_out), got %zu",
				name, lineno, nf);
	if (strcmp(f[1], "-")) {
		errno = 0;
		window = strtol(f[1], &end, 10);
		if (errno || end == f[1] || *end || window <= 0)
			return rec_errf(err, -EINVAL, "%s:%zu: bad context window \"%s\"", name,
					lineno, f[1]);
	}
	if (!parse_price(f[2], &in, &kin))
		return rec_errf(err, -EINVAL, "%s:%zu: bad input price \"%s\"", name, lineno, f[2]);
	if (!parse_price(f[3], &out, &kout))
		return rec_errf(err, -EINVAL, "%s:%zu: bad output price \"%s\"", name, lineno,
				f[3]);
	if (kin != kout)
		return rec_errf(err, -EINVAL, "%s:%zu: give both prices or neither (\"-\")", name,
				lineno);
	if (put_row(m, f[0], window, in, out, kin))
		return rec_errf(err, -ENOMEM, "models: out of memory");
	return 0;
}

static int parse_builtin(struct models *m, struct rec_err *err)
{
	char *text = strdup(models_builtin_tsv), *line, *nl;
	size_t lineno = 0;
	int ret = 0;

	if (!text)
		return rec_errf(err, -ENOMEM, "models: out of memory");
	for (line = text; line && !ret; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		ret = parse_line(m, line, BUILTIN_NAME, ++lineno, err);
	}
	free(text);
	return ret;
}

static int parse_file(struct models *m, const char *path, struct rec_err *err)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int ret = 0;

	if (!f)
		return rec_errf(err, -errno, "%s: %s", path, strerror(errno));
	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			ret = rec_errf(err, -EINVAL, "%s:%zu: not a text file (NUL byte)", path,
				       lineno);
			break;
		}
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		ret = parse_line(m, line, path, lineno, err);
	}
	if (!ret && ferror(f))
		ret = rec_errf(err, -EIO, "%s: read error", path);
	free(line);
	fclose(f);
	return ret;
}

struct models *models__new(const char *path, struct rec_err *err)
{
	struct models *m = calloc(1, sizeof(*m));

	if (!m) {
		rec_errf(err, -ENOMEM, "models: out of memory");
		return NULL;
	}
	if (parse_builtin(m, err) || (path && parse_file(m, path, err))) {
		models__free(m);
		return NULL;
	}
	return m;
}

/* The longest family that prefixes name (case-insensitive), better than *best of length *blen. */
static void best_prefix(const struct models *m, const char *name, const struct model_info **best,
			size_t *blen)
{
	for (size_t i = 0; i < m->n; i++) {
		size_t len = strlen(m->rows[i].family);

		if (len > *blen && !strncasecmp(name, m->rows[i].family, len)) {
			*best = &m->rows[i];
			*blen = len;
		}
	}
}

const struct model_info *models_lookup(const struct models *m, const char *model)
{
	const struct model_info *best = NULL;
	const char *slash;
	size_t blen = 0;

	if (!m || !model || !*model)
		return NULL;
	best_prefix(m, model, &best, &blen);
	slash = strrchr(model, '/');
	if (slash && slash[1])
		best_prefix(m, slash + 1, &best, &blen);
	return best;
}
