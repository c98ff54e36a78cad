// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "probe.h"
#include "util.h"

static char last_error[128];

const char *probe_last_error(void)
{
	return last_error;
}

static void set_error(const char *what, int err)
{
	snprintf(last_error, sizeof(last_error), "%s: %s", what, strerror(err));
}

static struct btf *vmlinux_btf(void)
{
	static struct btf *btf;
	static bool tried;

	if (!tried) {
		tried = true;
		btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(btf))
			btf = NULL;
	}
	return btf;
}

bool probe_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0 && vmlinux_btf();
}

bool probe_tp_btf(const char *name)
{
	char tname[128];
	struct btf *btf = vmlinux_btf();

	if (!btf)
		return false;
	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	return btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF) > 0;
}

bool probe_fentry(const char *func)
{
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* r0 = 0 */
		{ .code = 0x95 },				/* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY);
	struct btf *btf = vmlinux_btf();
	int id, fd, link;

	if (!btf) {
		set_error("fentry", ENOENT);
		return false;
	}
	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0) {
		snprintf(last_error, sizeof(last_error), "fentry: %s not in BTF", func);
		return false;
	}
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "mmscope_probe", "GPL", insns,
			   ARRAY_SIZE(insns), &opts);
	if (fd < 0) {
		set_error("fentry load", errno);
		return false;
	}
	link = bpf_raw_tracepoint_open(NULL, fd);
	if (link < 0) {
		set_error("fentry attach", errno);
		close(fd);
		return false;
	}
	close(link);
	close(fd);
	return true;
}

static int read_int_file(const char *path, int *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%d", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int retprobe_bit(void)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/format/retprobe", "r");
	int bit = 0;

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			sscanf(buf, "config:%d", &bit);
		fclose(f);
	}
	return bit;
}

bool probe_kprobe(const char *func, bool retprobe)
{
	struct perf_event_attr attr;
	int type, fd;

	if (read_int_file("/sys/bus/event_source/devices/kprobe/type", &type)) {
		snprintf(last_error, sizeof(last_error),
			 "kprobe: no kprobe PMU (CONFIG_KPROBES off?)");
		return false;
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = retprobe ? 1ULL << retprobe_bit() : 0;
	attr.config1 = (__u64)(unsigned long)func;
	attr.config2 = 0;
	fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		set_error(retprobe ? "kretprobe" : "kprobe", errno);
		return false;
	}
	close(fd);
	return true;
}

/*
 * MMSCOPE_IGNORE_PATCH_TP=1: behave as on a kernel without the mmscope
 * series (its vma_lock, pgtable, ptshare and exceptions:page_fault_done
 * tracepoints unseen), so the paths stock kernels take can be tested on the
 * patched guest kernel.
 */
static bool patch_tp_ignored(const char *cat, const char *name)
{
	const char *v = getenv("MMSCOPE_IGNORE_PATCH_TP");

	return v && *v && strcmp(v, "0") &&
	       (!strcmp(cat, "vma_lock") || !strcmp(cat, "pgtable") ||
		!strcmp(cat, "ptshare") ||
		(!strcmp(cat, "exceptions") && !strcmp(name, "page_fault_done")));
}

bool probe_tracepoint(const char *cat, const char *name)
{
	char path[256];
	const char *root = tracefs_root();

	if (patch_tp_ignored(cat, name)) {
		snprintf(last_error, sizeof(last_error),
			 "tracepoint %s:%s ignored (MMSCOPE_IGNORE_PATCH_TP)", cat, name);
		return false;
	}

	if (!root) {
		snprintf(last_error, sizeof(last_error), "tracefs not mounted");
		return false;
	}
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", root, cat, name);
	if (access(path, R_OK)) {
		snprintf(last_error, sizeof(last_error), "tracepoint %s:%s missing",
			 cat, name);
		return false;
	}
	return true;
}

bool probe_perf_sw(__u64 config)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = config;
	fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		set_error("perf software event", errno);
		return false;
	}
	close(fd);
	return true;
}

enum precise_kind probe_precise(const char *const *funcs, bool need_ret)
{
	const char *const *f;
	bool ok = true;

	for (f = funcs; *f && ok; f++)
		ok = probe_fentry(*f);
	if (ok)
		return PRECISE_FENTRY;
	ok = true;
	for (f = funcs; *f && ok; f++)
		ok = probe_kprobe(*f, false) && (!need_ret || probe_kprobe(*f, true));
	return ok ? PRECISE_KPROBE : PRECISE_NONE;
}

const char *precise_kind_name(enum precise_kind k)
{
	switch (k) {
	case PRECISE_FENTRY: return "fentry";
	case PRECISE_KPROBE: return "kprobe";
	default: return "none";
	}
}

int mode_resolve(const char *cmd, enum attach_mode req,
		 bool precise_ok, const char *precise_why,
		 bool tp_ok, const char *tp_why, enum attach_mode *out)
{
	switch (req) {
	case MODE_PRECISE:
		if (!precise_ok) {
			err_msg("%s: precise mode unavailable on this kernel: %s (try --mode tracepoint)",
				cmd, precise_why);
			return -1;
		}
		*out = MODE_PRECISE;
		return 0;
	case MODE_TRACEPOINT:
		if (!tp_ok) {
			err_msg("%s: tracepoint mode unavailable on this kernel: %s",
				cmd, tp_why);
			return -1;
		}
		*out = MODE_TRACEPOINT;
		return 0;
	default:
		if (precise_ok) {
			*out = MODE_PRECISE;
			return 0;
		}
		if (tp_ok) {
			*out = MODE_TRACEPOINT;
			return 0;
		}
		err_msg("%s: no usable attach mode: precise: %s; tracepoint: %s",
			cmd, precise_why, tp_why);
		return -1;
	}
}

int prog_rules_apply(const char *cmd, struct bpf_object *obj, const struct prog_rule *rules,
		     size_t n, unsigned int facts)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		bool listed = false, load = false;

		for (size_t i = 0; i < n; i++) {
			if (rules[i].prog != prog)
				continue;
			listed = true;
			load |= (facts & rules[i].need) == rules[i].need && !(facts & rules[i].never);
		}
		if (!listed) {
			err_msg("%s: BPF program %s has no row in its tracer's program table",
				cmd, bpf_program__name(prog));
			return -1;
		}
		bpf_program__set_autoload(prog, load);
	}
	return 0;
}
