// SPDX-License-Identifier: GPL-2.0
/* mmscope: eBPF observability and benchmarking for Linux memory management. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "vmalock", cmd_vmalock, "per-VMA-lock outcomes of page faults (success, miss, retry, fallback)" },
	{ "ptmem", cmd_ptmem, "page-table memory: system-wide, per process, per level, peaks" },
	{ "faultlat", cmd_faultlat, "page-fault latency histograms by minor/major and lock path" },
	{ "ptshare", cmd_ptshare, "shared page tables: hugetlb PMD sharing, MAP_SHARED_PT refcounts" },
	{ "top", cmd_top, "all tracers at once, refreshed every interval" },
	{ "probe", cmd_probe, "what this kernel supports and which mode each tracer will use" },
	{ "run", cmd_run, "run a benchmark scenario and record it in the results store" },
	{ "runs", cmd_runs, "list the runs in the results store" },
	{ "compare", cmd_compare, "compare two runs, kernels or tags with a significance test" },
	{ "dashboard", cmd_dashboard, "write a static HTML dashboard of the results store" },
	{ "export", cmd_export, "serve live tracer figures in Prometheus text format, or export results" },
	{ "import", cmd_import, "import JSON results into the results store" },
};

#ifndef MMSCOPE_COMMIT
#define MMSCOPE_COMMIT "unknown"
#endif

static void usage(FILE *f)
{
	fprintf(f, "Usage: mmscope COMMAND [OPTIONS]   (mmscope COMMAND --help for its options)\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n  --version  print the version (the git commit it was built from)\n");
	fprintf(f, "\nTracers pick a precise mode (fentry/fexit, else kprobes) or a mode built\n"
		   "only from tracepoints and perf software events at run time: see `mmscope probe`.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version")) {
		printf("mmscope %s\n", MMSCOPE_COMMIT);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		return commands[i].fn(argc - 1, argv + 1);
	}
	err_msg("unknown command '%s' (see mmscope --help)", argv[1]);
	return 2;
}
