// SPDX-License-Identifier: GPL-2.0
/*
 * Create K VMAs by splitting one mapping with mprotect on every other page,
 * and report the slab memory they cost: vm_area_struct, and vma_lock on
 * kernels that still have a separate per-VMA lock object (< 6.15). The VMA
 * count is checked against /proc/self/maps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "common.h"
#include "jsonout.h"
#include "util.h"
#include "pf/vma_footprint.h"

struct slab {
	bool present;
	long long active, total, objsize, objs_per_slab, pages_per_slab, slabs;
};

static int read_slab(const char *name, struct slab *s)
{
	char line[512], n[64];
	FILE *f = fopen("/proc/slabinfo", "r");
	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		long long slabs_active;

		if (sscanf(line, "%63s %lld %lld %lld %lld %lld : tunables %*d %*d %*d : "
			   "slabdata %lld %lld", n, &s->active, &s->total, &s->objsize, &s->objs_per_slab,
			   &s->pages_per_slab, &slabs_active, &s->slabs) == 8 &&
		    !strcmp(n, name)) {
			s->present = true;
			break;
		}
	}
	fclose(f);
	return 0;
}

static long count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static double slab_bytes(const struct slab *s)
{
	return (double)s->slabs * s->pages_per_slab * PAGE_4K;
}

/* Slab memory one object really costs: its share of a slab. */
static double bytes_per_obj(const struct slab *s)
{
	return s->objs_per_slab ? (double)s->pages_per_slab * PAGE_4K / s->objs_per_slab : 0;
}

int vma_footprint_run(long k, bool k_given, bool json)
{
	long long max_map = read_sysctl_ll("/proc/sys/vm/max_map_count");
	long maps0, maps1, room, vmas;
	struct slab v0, v1, l0, l1;
	char *p;
	long i;
	double obj_delta, bytes_delta, lock_bytes = 0, lock_objs = 0, per1000;

	if (read_slab("vm_area_struct", &v0) < 0) {
		bench_err("vma-footprint: cannot read /proc/slabinfo: %s (needs root)",
			  strerror(errno));
		return 1;
	}
	if (!v0.present) {
		bench_err("vma-footprint: no vm_area_struct cache in /proc/slabinfo "
			  "(merged into another cache? boot with slab_nomerge)");
		return 1;
	}
	maps0 = count_maps();
	room = max_map - maps0 - 1000;
	if (max_map <= 0 || maps0 < 0 || room < 1000) {
		bench_err("vma-footprint: vm.max_map_count (%lld) leaves no room for VMAs", max_map);
		return 1;
	}
	if (k > room) {
		if (k_given) {
			bench_err("vma-footprint: %ld VMAs exceed vm.max_map_count %lld (%ld in use); "
				  "use -k %ld or raise it: sysctl vm.max_map_count=%ld", k, max_map,
				  maps0, room, k + maps0 + 1000);
			return 2;
		}
		bench_note("vma-footprint: %ld VMAs limited to %ld by vm.max_map_count %lld",
			   k, room, max_map);
		k = room;
	}
	read_slab("vma_lock", &l0);
	p = mmap(NULL, k * PAGE_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED) {
		bench_err("vma-footprint: mmap of %ld pages: %s", k, strerror(errno));
		return 1;
	}
	/* Alternate protections so no two neighbours can merge: K VMAs. */
	for (i = 1; i < k; i += 2)
		if (mprotect(p + i * PAGE_4K, PAGE_4K, PROT_READ | PROT_WRITE) < 0) {
			bench_err("vma-footprint: mprotect #%ld: %s", i / 2, strerror(errno));
			munmap(p, k * PAGE_4K);
			return 1;
		}
	maps1 = count_maps();
	read_slab("vm_area_struct", &v1);
	read_slab("vma_lock", &l1);
	munmap(p, k * PAGE_4K);

	vmas = maps1 - maps0;
	obj_delta = v1.active - v0.active;
	bytes_delta = slab_bytes(&v1) - slab_bytes(&v0);
	if (l0.present) {
		lock_bytes = slab_bytes(&l1) - slab_bytes(&l0);
		lock_objs = l1.active - l0.active;
	}
	/*
	 * Object counts, not slab pages: new objects first fill free slots of
	 * partial slabs other processes left, so the page delta undercounts.
	 */
	per1000 = (obj_delta * bytes_per_obj(&v0) + lock_objs * bytes_per_obj(&l0)) / vmas * 1000;
	if (vmas <= 0) {
		bench_err("vma-footprint: /proc/self/maps did not grow (%ld -> %ld)", maps0, maps1);
		return 1;
	}
	if (json) {
		struct json_object *d = doc_new("pfbench", "result", "vma-footprint");

		doc_add_host(d);
		json_object_object_add(d, "vma_objsize_bytes", json_object_new_int64(v0.objsize));
		json_object_object_add(d, "vma_lock_cache", json_object_new_boolean(l0.present));
		doc_metric(d, "vmas_requested_count", k);
		doc_metric(d, "vmas_created_count", vmas);
		doc_metric(d, "vma_objs_delta_count", obj_delta);
		doc_metric(d, "vma_objsize_bytes", v0.objsize);
		doc_metric(d, "vma_slab_bytes_delta", bytes_delta);
		doc_metric(d, "vma_lock_slab_bytes_delta", lock_bytes);
		doc_metric(d, "vma_lock_objs_delta_count", lock_objs);
		doc_metric(d, "kernel_bytes_per_1000_vmas", per1000);
		doc_metric(d, "pages_per_1000_vmas", per1000 / PAGE_4K);
		doc_emit(d);
	}
	fprintf(json ? stderr : stdout,
		"pfbench vma-footprint: %ld VMAs created (/proc/self/maps %ld -> %ld), "
		"vm_area_struct objects +%.0f (objsize %lld B)\n"
		"  vma_lock objects +%.0f%s => %s per 1000 VMAs (%.1f pages); slab pages grew "
		"%s (noisy: shared with every process)\n",
		vmas, maps0, maps1, obj_delta, v0.objsize, lock_objs,
		l0.present ? "" : " (no vma_lock cache: lock inside vm_area_struct)",
		fmt_bytes(per1000), per1000 / PAGE_4K, fmt_bytes(bytes_delta + lock_bytes));
	return 0;
}
