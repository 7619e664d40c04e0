// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>

#include "abi.h"
#include "capspec.h"
#include "structfmt.h"

static __u32 kind_of(enum sc_arg_type t, bool at_entry)
{
	switch (t) {
	case SA_PATH:
	case SA_PATH_OUT:
	case SA_STR:
		return at_entry ? AGT_CAP_STR_ENTRY : AGT_CAP_STR;
	case SA_ARGV:
		return AGT_CAP_ARGV;
	case SA_SOCKADDR_IN:
		return AGT_CAP_SOCKADDR;
	case SA_SOCKADDR_OUT:
		return AGT_CAP_SOCKADDR_P;
	case SA_BUF_OUT:
		return AGT_CAP_BUF_RET;
	case SA_BUF_IN:
		return AGT_CAP_BUF_ARG;
	case SA_STRUCT_IN:
	case SA_STRUCT_OUT:
		return AGT_CAP_FIXED;
	default:
		return AGT_CAP_NONE;
	}
}

__u32 capspec_for(const struct sc_desc *d, bool at_entry)
{
	__u32 spec = 0;
	int items = 0;

	if (!d)
		return 0;
	for (int i = 0; i < d->nargs && i < AGT_NARGS && items < AGT_CAP_MAX; i++) {
		__u32 k = kind_of(d->args[i].type, at_entry);

		if (!k)
			continue;
		if (k == AGT_CAP_FIXED) {
			/* one size per syscall: a second structure of another size is not read */
			__u32 sz = struct_size(d->args[i].xlat) / AGT_CAP_FIXED_UNIT;

			if (!sz ||
			    (spec >> AGT_CAP_FIXED_SHIFT && spec >> AGT_CAP_FIXED_SHIFT != sz))
				continue;
			spec |= sz << AGT_CAP_FIXED_SHIFT;
		}
		spec |= k << (4 * i);
		items++;
	}
	return spec;
}

void capspec_fill(__u32 *spec, int n, bool bufs)
{
	for (int nr = 0; nr < n; nr++) {
		const struct sc_desc *d = sc_lookup(nr);
		bool exec = d && (!strcmp(d->name, "execve") || !strcmp(d->name, "execveat"));

		spec[nr] = capspec_for(d, exec);
		if (!bufs)
			for (int i = 0; i < AGT_NARGS; i++) {
				__u32 k = (spec[nr] >> (4 * i)) & 0xf;

				if (k == AGT_CAP_BUF_RET || k == AGT_CAP_BUF_ARG)
					spec[nr] &= ~(0xfu << (4 * i));
			}
	}
}
