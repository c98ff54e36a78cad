// SPDX-License-Identifier: GPL-2.0
/*
 * prog_rules_apply (user/lib/probe.c): a program loads when any of its rows
 * holds under the facts (every "need" fact, no "never" fact), and a program
 * of the object without a row is refused. On bpf/floor.bpf.c's skeleton,
 * opened but never loaded (no privileges needed).
 */
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "probe.h"
#include "util.h"
#include "unit.h"
#include "floor.skel.h"

enum { A = 1, B = 2, C = 4 };

static int quiet(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	return 0;
}

static void test_rules(void)
{
	struct floor_bpf *k;

	libbpf_set_print(quiet);
	k = floor_bpf__open();
	CHECK(k != NULL, "floor_bpf__open failed");
	if (!k)
		return;
	{
		const struct prog_rule rules[] = {
			{ k->progs.floor_tp_fault, 0, 0 },		/* always */
			{ k->progs.floor_raw_fault, A, 0 },		/* A */
			{ k->progs.floor_perf, A | B, 0 },		/* A and B */
			{ k->progs.floor_raw_done, A, C },		/* A, not C */
			{ k->progs.floor_fexit_handle_mm_fault, B, 0 },	/* B or C */
			{ k->progs.floor_fexit_handle_mm_fault, C, 0 },
			{ k->progs.floor_fexit_lock_vma, 0, A | B | C },	/* none */
		};
		for (unsigned int f = 0; f < 8; f++) {
			bool want[6] = {
				true, f & A, (f & (A | B)) == (A | B), (f & A) && !(f & C),
				f & (B | C), !(f & (A | B | C)),
			};
			struct bpf_program *p[6] = {
				k->progs.floor_tp_fault, k->progs.floor_raw_fault, k->progs.floor_perf,
				k->progs.floor_raw_done, k->progs.floor_fexit_handle_mm_fault,
				k->progs.floor_fexit_lock_vma,
			};

			CHECK(prog_rules_apply("test", k->obj, rules, ARRAY_SIZE(rules), f) == 0,
			      "facts %u: refused", f);
			for (int i = 0; i < 6; i++)
				CHECK(bpf_program__autoload(p[i]) == want[i], "facts %u: %s autoload %d, want %d",
				      f, bpf_program__name(p[i]), bpf_program__autoload(p[i]), want[i]);
		}
		/* the last program without a row: refused */
		CHECK(prog_rules_apply("test", k->obj, rules, ARRAY_SIZE(rules) - 1, 0) < 0,
		      "a program without a row was accepted");
	}
	floor_bpf__destroy(k);
}

int main(void)
{
	RUN(test_rules);
	return unit_done("test_prog_rules");
}
