// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope probe: what the running kernel supports and which mode each tracer
 * will use. Every answer comes from trying the thing (user/lib/probe.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "commands.h"
#include "jsonout.h"
#include "mmscope_uapi.h"
#include "probe.h"
#include "tracers.h"
#include "util.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static const char *const tracepoints[][2] = {
	{ "exceptions", "page_fault_user" },
	{ "exceptions", "page_fault_kernel" },
	{ "mmap_lock", "mmap_lock_start_locking" },
	{ "mmap_lock", "mmap_lock_acquire_returned" },
	{ "mmap_lock", "mmap_lock_released" },
	{ "mmap", "exit_mmap" },
	/* From the mmscope kernel patch series (patches/). */
	{ "vma_lock", "vma_lock_success" },
	{ "vma_lock", "vma_lock_miss" },
	{ "vma_lock", "vma_lock_retry" },
	{ "vma_lock", "vma_lock_fallback" },
	{ "exceptions", "page_fault_done" },
	{ "pgtable", "pgtable_alloc" },
	{ "pgtable", "pgtable_free" },
	{ "ptshare", "ptshare_attach" },
	{ "ptshare", "ptshare_detach" },
	{ "ptshare", "ptshare_create" },
	{ "ptshare", "ptshare_destroy" },
};

static const struct { const char *name; __u64 config; } sw_events[] = {
	{ "page-faults", PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_COUNT_SW_PAGE_FAULTS_MAJ },
};

static const char *const vmstat_counters[] = {
	"vma_lock_success", "vma_lock_abort", "vma_lock_retry", "vma_lock_miss",
	"nr_page_table_pages", "nr_sec_page_table_pages",
};

/* fentry/kprobe are probed on the function every precise tracer needs. */
static const char *const probe_func = "handle_mm_fault";

static struct json_object *feature(bool ok, const char *why)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "available", json_object_new_boolean(ok));
	if (!ok && why && *why)
		json_object_object_add(o, "why", json_object_new_string(why));
	return o;
}

/* mmap(MAP_SHARED_VALIDATE | MAP_SHARED_PT) of a 2 MiB memfd: EOPNOTSUPP
 * means the kernel does not know the flag. */
static bool map_shared_pt_supported(char *why, size_t len)
{
	size_t sz = 2UL << 20;
	int fd = memfd_create("mmscope-probe", MFD_CLOEXEC);
	void *p;

	if (fd < 0 || ftruncate(fd, sz)) {
		snprintf(why, len, "memfd: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	p = mmap(NULL, sz, PROT_READ, MAP_SHARED_VALIDATE | MAP_SHARED_PT, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(why, len, "mmap(MAP_SHARED_PT): %s", strerror(errno));
		close(fd);
		return false;
	}
	munmap(p, sz);
	close(fd);
	return true;
}

static struct json_object *collect(bool privileged)
{
	struct json_object *doc = doc_new("probe", "result", NULL);
	struct json_object *attach = json_object_new_object();
	struct json_object *tps = json_object_new_object();
	struct json_object *sw = json_object_new_object();
	struct json_object *vm = json_object_new_object();
	struct json_object *tr = json_object_new_object();
	const char *noroot = "needs root to probe";
	unsigned long long v;
	char why[160];
	bool ok;

	doc_add_host(doc);
	json_object_object_add(doc, "privileged", json_object_new_boolean(privileged));

	ok = probe_btf();
	json_object_object_add(attach, "btf", feature(ok, ok ? NULL :
			       "/sys/kernel/btf/vmlinux missing (CONFIG_DEBUG_INFO_BTF)"));
	ok = privileged && probe_fentry(probe_func);
	json_object_object_add(attach, "fentry", feature(ok, privileged ? probe_last_error() : noroot));
	ok = privileged && probe_kprobe(probe_func, false);
	json_object_object_add(attach, "kprobe", feature(ok, privileged ? probe_last_error() : noroot));
	ok = privileged && probe_kprobe(probe_func, true);
	json_object_object_add(attach, "kretprobe", feature(ok, privileged ? probe_last_error() : noroot));
	ok = probe_tp_btf("mmap_lock_acquire_returned");
	json_object_object_add(attach, "tp_btf", feature(ok, "no btf_trace_* types in BTF"));
	ok = tracefs_root() != NULL;
	json_object_object_add(attach, "tracefs", feature(ok, "cannot mount tracefs"));
	ok = map_shared_pt_supported(why, sizeof(why));
	json_object_object_add(attach, "map_shared_pt", feature(ok, why));
	json_object_object_add(doc, "attach", attach);

	for (size_t i = 0; i < ARRAY_SIZE(tracepoints); i++) {
		char key[96];

		snprintf(key, sizeof(key), "%s:%s", tracepoints[i][0], tracepoints[i][1]);
		json_object_object_add(tps, key, json_object_new_boolean(
			probe_tracepoint(tracepoints[i][0], tracepoints[i][1])));
	}
	json_object_object_add(doc, "tracepoints", tps);

	for (size_t i = 0; i < ARRAY_SIZE(sw_events); i++)
		json_object_object_add(sw, sw_events[i].name, json_object_new_boolean(
			privileged && probe_perf_sw(sw_events[i].config)));
	json_object_object_add(doc, "perf_sw_events", sw);

	for (size_t i = 0; i < ARRAY_SIZE(vmstat_counters); i++)
		json_object_object_add(vm, vmstat_counters[i],
			vmstat_read(vmstat_counters[i], &v) ? NULL : json_object_new_uint64(v));
	json_object_object_add(doc, "vmstat", vm);

	for (const struct tracer *const *t = tracer_list(); *t; t++) {
		struct json_object *o = json_object_new_object();

		if ((*t)->probe && privileged)
			(*t)->probe(o);
		else if (!privileged)
			json_object_object_add(o, "auto", json_object_new_string("unknown (needs root)"));
		json_object_object_add(tr, (*t)->name, o);
	}
	json_object_object_add(doc, "tracers", tr);
	return doc;
}

static const char *yesno(struct json_object *f)
{
	struct json_object *a;

	if (json_object_get_type(f) == json_type_boolean)
		return json_object_get_boolean(f) ? "yes" : "no";
	if (json_object_object_get_ex(f, "available", &a))
		return json_object_get_boolean(a) ? "yes" : "no";
	return "?";
}

static void print_feature(const char *name, struct json_object *f)
{
	struct json_object *why;

	printf("  %-36s %-4s", name, yesno(f));
	if (json_object_object_get_ex(f, "why", &why))
		printf(" (%s)", json_object_get_string(why));
	putchar('\n');
}

static void print_mode(const char *name, struct json_object *modes)
{
	struct json_object *m, *via;

	if (!json_object_object_get_ex(modes, name, &m))
		return;
	printf("      %-11s %-4s", name, yesno(m));
	/* null (not applicable) and absent are the same to a reader */
	if (json_object_object_get_ex(m, "via", &via) && via)
		printf(" via %s", json_object_get_string(via));
	if (json_object_object_get_ex(m, "why", &via) && via)
		printf(" (%s)", json_object_get_string(via));
	putchar('\n');
}

static void print_text(struct json_object *doc)
{
	struct json_object *o, *host, *k;

	json_object_object_get_ex(doc, "host", &host);
	json_object_object_get_ex(host, "kernel", &k);
	printf("Kernel %s\n\nAttach methods:\n", json_object_get_string(k));
	json_object_object_get_ex(doc, "attach", &o);
	json_object_object_foreach(o, an, av)
		print_feature(an, av);
	printf("\nTracepoints:\n");
	json_object_object_get_ex(doc, "tracepoints", &o);
	json_object_object_foreach(o, tn, tv)
		print_feature(tn, tv);
	printf("\nPerf software events:\n");
	json_object_object_get_ex(doc, "perf_sw_events", &o);
	json_object_object_foreach(o, sn, sv)
		print_feature(sn, sv);
	printf("\n/proc/vmstat counters:\n");
	json_object_object_get_ex(doc, "vmstat", &o);
	json_object_object_foreach(o, vn, vv)
		printf("  %-36s %s\n", vn, vv ? "yes" : "no");
	printf("\nTracers (mode --mode auto picks):\n");
	json_object_object_get_ex(doc, "tracers", &o);
	json_object_object_foreach(o, name, t) {
		struct json_object *a, *modes;

		printf("  %-10s auto -> %s\n", name,
		       json_object_object_get_ex(t, "auto", &a) ?
		       json_object_get_string(a) : "unknown");
		if (json_object_object_get_ex(t, "modes", &modes)) {
			print_mode("precise", modes);
			print_mode("tracepoint", modes);
		}
	}
}

static struct cmd_desc desc = {
	.name = "probe",
	.summary = "Report what this kernel supports (BTF, fentry, kprobes, tracepoints,\n"
		   "perf software events, vmstat counters, MAP_SHARED_PT) and which mode each\n"
		   "tracer would use. Run as root for the full answer.",
	.extra = (const struct extra_opt[]) {
		{ { "json", no_argument, NULL, 'j' }, NULL, "print one JSON document" },
		{ { "verbose", no_argument, NULL, 'v' }, NULL, "print libbpf debug messages" },
		{ { NULL } },
	},
	.no_common = true,
};

static bool json_out, verbose;

static int parse(int key, const char *arg, void *ctx)
{
	if (key == 'j')
		json_out = true;
	else if (key == 'v')
		verbose = true;
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	struct common_opts o;
	struct json_object *doc;
	bool privileged;
	int err;

	desc.parse_extra = parse;
	err = opts_parse(argc, argv, &desc, &o);
	if (err)
		return err > 0 ? 0 : 2;
	tracer_libbpf_setup(verbose);
	/* Without privileges we still say what we can, and say we could not. */
	privileged = have_bpf_privileges();
	if (!privileged)
		err_msg("probe: without root or CAP_BPF+CAP_PERFMON, fentry, kprobes and perf events are not probed");
	doc = collect(privileged);
	if (json_out) {
		doc_emit(doc);
		return 0;
	}
	print_text(doc);
	json_object_put(doc);
	return 0;
}
