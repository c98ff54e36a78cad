// SPDX-License-Identifier: GPL-2.0
/*
 * wl_pt_loadcheck: load (not attach) every program of the ptmem and ptshare
 * BPF objects that this kernel lets us load, so the verifier checks the
 * precise-mode variants too on hosts that cannot attach them: kprobe
 * programs load without CONFIG_KPROBES, tracepoint programs load without the
 * tracepoint (the patch series'). fentry/fexit need an attachable target at
 * load time; they are loaded only when the kernel accepts them (argv[1] ==
 * "fentry"). Prints one line per object; exit 0 when all loaded.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "ptmem.skel.h"
#include "ptshare.skel.h"

static int load_all(struct bpf_object *obj, const char *name, bool fentry)
{
	struct bpf_program *p;
	int n = 0, err;

	bpf_object__for_each_program(p, obj) {
		const char *sec = bpf_program__section_name(p);
		bool tracing = !strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6);

		bpf_program__set_autoload(p, fentry || !tracing);
		n += fentry || !tracing;
	}
	err = bpf_object__load(obj);
	printf("%s: %d programs %s\n", name, n, err ? "FAILED to load" : "loaded");
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	bool fentry = argc > 1 && !strcmp(argv[1], "fentry");
	struct ptmem_bpf *a = ptmem_bpf__open();
	struct ptshare_bpf *b = ptshare_bpf__open();
	int rc = 0;

	if (!a || !b) {
		fprintf(stderr, "wl_pt_loadcheck: cannot open the BPF objects\n");
		return 1;
	}
	rc |= load_all(a->obj, "ptmem", fentry);
	rc |= load_all(b->obj, "ptshare", fentry);
	ptmem_bpf__destroy(a);
	ptshare_bpf__destroy(b);
	return rc;
}
