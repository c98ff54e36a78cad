/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fault bracket's user-space half (user/lib/fault_bracket.c), used by
 * vmalock, faultlat and sga-bench: probe the kernel, pick the mode, choose
 * which programs of bpf/fault.bpf.c load, attach them, and share one fault
 * object between the tracers of a process. The structs it shares with the
 * BPF side are in include/vmalock.h.
 */
#ifndef MMSCOPE_FAULT_BRACKET_H
#define MMSCOPE_FAULT_BRACKET_H

#include <stdbool.h>
#include <linux/types.h>
#include <json-c/json.h>

#include "opts.h"
#include "probe.h"
#include "vmalock.h"

struct bpf_object;
struct bpf_link;

struct fb_plan {
	enum attach_mode mode;
	enum precise_kind precise;	/* fentry or kprobe in precise mode */
	bool entry_tp;		/* exceptions:page_fault_user exists */
	bool kernel_tp;		/* exceptions:page_fault_kernel exists */
	bool patch_tp;		/* vma_lock:* patch tracepoints exist */
	bool done_tp;		/* exceptions:page_fault_done (patches/0004)
				 * closes each fault, both modes */
	bool need_lock_vma_under_rcu;		/* vmalock: lock_vma_under_rcu in precise mode */
	bool events;		/* faultlat --events: the "_ev" closing programs */
	bool raw_entry;		/* page_fault_* as raw tracepoints (BTF args) */
	bool raw_mmap;		/* mmap_lock:* as raw tracepoints (6.x args) */
	char precise_why[160];
	char tp_why[160];
	bool precise_ok, tp_ok;
};

struct fb_links {
	struct bpf_link *links[32];
	int n;
	struct bpf_link **perf;	/* perf_sw_attach_all links, per CPU x2 */
	int nperf;
	void *pl[2];		/* struct perf_links * */
};

/* Probe everything and fill plan (no mode chosen yet). */
void fb_plan_probe(struct fb_plan *p, bool need_lock_vma_under_rcu);
/*
 * The fault object (bpf/fault.bpf.c) of this process, shared by vmalock and
 * faultlat when both run (mmscope top): one set of per-fault programs.
 * fb_inst_get() joins the running instance when the filters and --mode
 * match (else loads another one) and turns on `use` (FB_USE_*, see
 * fb_inst_use(): the fault entry is attached the first time latencies are
 * wanted). NULL after a one-line error. fb_inst_put() turns `use` off and
 * frees the last reference.
 */
struct fault_bpf;
struct fb_inst;
struct fb_inst *fb_inst_get(const char *cmd, const struct common_opts *o,
			    unsigned use, bool need_lock_vma_under_rcu);
/* Turn on more uses of an instance one holds; -1 after a one-line error. */
int fb_inst_use(const char *cmd, struct fb_inst *fi, unsigned use);
void fb_inst_put(struct fb_inst *fi, unsigned use);
struct fault_bpf *fb_inst_skel(struct fb_inst *fi);
const struct fb_plan *fb_inst_plan(struct fb_inst *fi);
/* Which hooks bracket each fault under this plan (the JSON "fault_hooks"). */
const char *fb_hooks_name(const struct fb_plan *p);
/* The {"modes":{...},"auto":...} object `mmscope probe` prints. */
void fb_probe_json(struct json_object *out, bool need_lock_vma_under_rcu);
/*
 * A process's names across exec (struct fb_exec): when it exec'd while
 * traced, the current name into comm, the name its rows had before into
 * first ("" if none) and the number of execs; returns 0, else -1 (no exec
 * seen: keep the row's own name).
 */
int fb_exec_name(struct fault_bpf *skel, __u32 tgid, char comm[16],
		 char first[16], __u32 *execs);
/* Forget the execs of processes seen exited at an earlier read. */
void fb_execs_gc(struct fault_bpf *skel);
/* Add "comm" (and "comm_at_start", "execs" when it exec'd) to a row. */
void fb_name_json(struct json_object *row, const char *comm,
		  const char *first, __u32 execs);

#endif
