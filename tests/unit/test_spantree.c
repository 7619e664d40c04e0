// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* test_spantree.c - span tree: parents, order, self time, the critical path (fork/join). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "spantree.h"

static void mk(struct sb_span *sp, int id, int parent, const char *name, uint64_t start,
	       uint64_t end)
{
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->span_id, sizeof(sp->span_id), "%032x", id);
	if (parent)
		snprintf(sp->parent_span_id, sizeof(sp->parent_span_id), "%032x", parent);
	sp->name = (char *)name;
	sp->start = start;
	sp->end = end;
	sp->status = "OK";
	sp->kind = SB_PROCESS;
}

static const struct span_node *node(const struct span_tree *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].span->name, name))
			return &t->nodes[i];
	return NULL;
}

/*
 * root [0,100): A [10,40) and B [20,60) in parallel (join at 60), then C [70,90). Walking back
 * from 100: C decides 70..90, B 20..60, A only 10..20 (B hides the rest of it), the root the
 * gaps 0..10, 60..70, 90..100.
 */
static void test_spantree_critical_fork_join(void **state)
{
	struct sb_span sp[4];
	struct span_tree t;

	(void)state;
	mk(&sp[0], 1, 0, "root", 0, 100);
	mk(&sp[1], 3, 1, "C", 70, 90); /* given out of order: children sort by start */
	mk(&sp[2], 2, 1, "B", 20, 60);
	mk(&sp[3], 4, 1, "A", 10, 40);
	assert_int_equal(span_tree_build(&t, "t", sp, 4), 0);
	assert_string_equal(t.root->span->name, "root");
	assert_int_equal(t.root->nchildren, 3);
	assert_string_equal(t.root->children[0]->span->name, "A");
	assert_string_equal(t.root->children[1]->span->name, "B");
	assert_string_equal(t.root->children[2]->span->name, "C");
	assert_int_equal(node(&t, "root")->self, 30);
	assert_int_equal(node(&t, "A")->self, 30);
	assert_int_equal(node(&t, "root")->crit, 30);
	assert_int_equal(node(&t, "C")->crit, 20);
	assert_int_equal(node(&t, "B")->crit, 40);
	assert_int_equal(node(&t, "A")->crit, 10);
	assert_int_equal(t.npath, 4);
	assert_string_equal(t.path[0]->span->name, "root");
	assert_string_equal(t.path[1]->span->name, "A");
	assert_string_equal(t.path[2]->span->name, "B");
	assert_string_equal(t.path[3]->span->name, "C");
	assert_int_equal(t.meta.total_duration, 100);
	assert_int_equal(t.meta.total_spans, 4);
	span_tree_release(&t);
}

/* A grandchild on the path: its parent's time on the path is what the grandchild leaves. */
static void test_spantree_critical_nested(void **state)
{
	struct sb_span sp[4];
	struct span_tree t;
	uint64_t sum = 0;

	(void)state;
	mk(&sp[0], 1, 0, "agent", 0, 50);
	mk(&sp[1], 2, 1, "tool", 10, 40);
	mk(&sp[2], 3, 2, "sh", 12, 38);
	mk(&sp[3], 4, 1, "llm", 2, 8);
	sp[3].kind = SB_LLM;
	sp[3].tokens = 70;
	sp[2].status = "ERROR";
	assert_int_equal(span_tree_build(&t, "t", sp, 4), 0);
	assert_int_equal(node(&t, "sh")->crit, 26);
	assert_int_equal(node(&t, "tool")->crit, 4);
	assert_int_equal(node(&t, "llm")->crit, 6);
	assert_int_equal(node(&t, "agent")->crit, 14);
	for (size_t i = 0; i < t.npath; i++)
		sum += t.path[i]->crit;
	assert_int_equal(sum, 50);
	assert_int_equal(node(&t, "tool")->self, 4);
	assert_int_equal(node(&t, "sh")->depth, 2);
	assert_int_equal(t.meta.total_tokens, 70);
	assert_int_equal(t.meta.error_count, 1);
	span_tree_release(&t);
}

/* Two roots (-p with two pids): a virtual root over both. */
static void test_spantree_two_roots(void **state)
{
	struct sb_span sp[3];
	struct span_tree t;

	(void)state;
	mk(&sp[0], 1, 0, "a", 5, 20);
	mk(&sp[1], 2, 0, "b", 10, 40);
	mk(&sp[2], 3, 9, "orphan", 12, 13); /* parent never seen: a root too */
	assert_int_equal(span_tree_build(&t, "t", sp, 3), 0);
	assert_null(t.root->span);
	assert_string_equal(span_node_name(t.root), "(trace)");
	assert_int_equal(t.root->nchildren, 3);
	assert_int_equal(t.root->start, 5);
	assert_int_equal(t.root->end, 40);
	assert_int_equal(t.meta.total_duration, 35);
	span_tree_release(&t);
}

static void test_spantree_empty(void **state)
{
	struct span_tree t;

	(void)state;
	assert_int_equal(span_tree_build(&t, "t", NULL, 0), 0);
	assert_int_equal(t.meta.total_spans, 0);
	assert_int_equal(t.meta.total_duration, 0);
	span_tree_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spantree_critical_fork_join),
	    cmocka_unit_test(test_spantree_critical_nested),
	    cmocka_unit_test(test_spantree_two_roots),
	    cmocka_unit_test(test_spantree_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
