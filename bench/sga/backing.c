// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "mmscope_uapi.h"
#include "util.h"
#include "sga/backing.h"
#include "sga/progress.h"
#include "sga/state.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

const char *const sga_mode_names[SGA_NR_MODES] = {
	"shmem", "thp", "hugetlb", "ptshare",
};

#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define THP_SHMEM	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

/*
 * What we changed, kept in plain globals so the fatal-signal path can undo
 * it without allocating. hugepages_added is a delta, not a saved value:
 * other users may resize the pool meanwhile and we only take back ours.
 */
static volatile long long hugepages_added;
static volatile bool thp_changed;
static char thp_saved[32];
static long long hugepages_before;
static int thp_noted;		/* the note once per run, not per calibration run */

/*
 * Put on disk what is (or is about to be) changed, before changing it, so
 * that a SIGKILL between here and the restore still gets it restored (by
 * the reaper, the next start or --cleanup: sga/state.h). pending_* is the
 * change about to be made.
 */
static int record_state(long long pending_pages, const char *pending_thp)
{
	struct sga_state st = { .hp_before = hugepages_before };

	st.hp_added = hugepages_added + pending_pages;
	if (thp_changed || pending_thp)
		snprintf(st.thp_saved, sizeof(st.thp_saved), "%s",
			 pending_thp ? pending_thp : thp_saved);
	return sga_state_save(&st);
}

static long long read_ll_raw(const char *path)
{
	char buf[32];
	long long v = 0;
	int fd = open(path, O_RDONLY), n, i;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (buf[i] - '0');
	return i ? v : -1;
}

static void release_hugepages(void)
{
	long long cur;

	if (hugepages_added <= 0)
		return;
	cur = read_ll_raw(NR_HUGEPAGES);
	if (cur >= 0)
		write_sysctl_ll(NR_HUGEPAGES, cur > hugepages_added ? cur - hugepages_added : 0);
	hugepages_added = 0;
	if (!thp_changed)
		sga_state_forget();
}

static void restore_thp(void)
{
	int fd;

	if (!thp_changed)
		return;
	fd = open(THP_SHMEM, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, thp_saved, strlen(thp_saved)) < 0) {
			/* nothing more we can do on this path */
		}
		close(fd);
	}
	thp_changed = false;
	if (hugepages_added <= 0)
		sga_state_forget();
}

void sga_backing_emergency_restore(void)
{
	release_hugepages();
	restore_thp();
}

/* The bracketed word of a sysfs policy file ("always [advise] never"). */
static int read_policy(const char *path, char *out, size_t len)
{
	char buf[256], *a, *b;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return -1;
	*b = 0;
	snprintf(out, len, "%s", a + 1);
	return 0;
}

static bool thp_policy_allows(const char *p)
{
	return !strcmp(p, "always") || !strcmp(p, "within_size") ||
	       !strcmp(p, "advise") || !strcmp(p, "force");
}

bool sga_mode_uses_ptes(enum sga_mode m)
{
	return m == SGA_SHMEM || m == SGA_PTSHARE;
}

static int probe_ptshare(void)
{
	size_t len = 2 * MiB;
	int fd = memfd_create("sga-ptshare-probe", MFD_CLOEXEC), err = 0;
	void *resv, *p;
	unsigned long base;

	if (fd < 0 || ftruncate(fd, len) < 0) {
		err = errno;
		goto out;
	}
	/* The patch wants a PMD-aligned address: give it one. */
	resv = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (resv == MAP_FAILED) {
		err = errno;
		goto out;
	}
	base = ((unsigned long)resv + len - 1) & ~(len - 1);
	p = mmap((void *)base, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED_VALIDATE | MAP_SHARED_PT | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		err = errno;
	munmap(resv, 2 * len);
out:
	if (fd >= 0)
		close(fd);
	return err;
}

bool sga_mode_available(enum sga_mode m, bool thp_force, char *why, size_t len)
{
	char pol[32];
	int err;

	switch (m) {
	case SGA_SHMEM:
		return true;
	case SGA_THP:
		if (read_policy(THP_SHMEM, pol, sizeof(pol)) < 0) {
			snprintf(why, len, "thp: %s missing (kernel without CONFIG_TRANSPARENT_HUGEPAGE)",
				 THP_SHMEM);
			return false;
		}
		if (!thp_policy_allows(pol) && !thp_force) {
			snprintf(why, len, "thp: shmem THP is off (%s is [%s]); "
				 "add --thp-force to set it to advise for the run",
				 THP_SHMEM, pol);
			return false;
		}
		return true;
	case SGA_HUGETLB:
		if (meminfo_kb("Hugepagesize") != 2048) {
			snprintf(why, len, "hugetlb: needs 2 MiB default hugepages (Hugepagesize is %lld kB)",
				 meminfo_kb("Hugepagesize"));
			return false;
		}
		if (access(NR_HUGEPAGES, W_OK) < 0) {
			snprintf(why, len, "hugetlb: cannot write %s (needs root)", NR_HUGEPAGES);
			return false;
		}
		return true;
	case SGA_PTSHARE:
		err = probe_ptshare();
		if (err == EOPNOTSUPP || err == EINVAL) {
			snprintf(why, len, "ptshare: MAP_SHARED_PT is not supported by this kernel "
				 "(mmap answered %s; needs the MAP_SHARED_PT patch)", strerror(err));
			return false;
		}
		if (err) {
			snprintf(why, len, "ptshare: probe mapping failed: %s", strerror(err));
			return false;
		}
		return true;
	default:
		return false;
	}
}

bool sga_inject_short_pool;

/* Errors that mean "not enough of something on this host now". */
static bool host_short(int err)
{
	return err == ENOMEM || err == ENOSPC || err == EAGAIN || err == EMFILE ||
	       err == ENFILE;
}

static int reserve_hugepages(size_t size, char *why, size_t len)
{
	long long need = size / (2 * MiB), free_pages, rsvd, cur, got, want;

	free_pages = meminfo_kb("HugePages_Free");
	rsvd = meminfo_kb("HugePages_Rsvd");
	cur = read_sysctl_ll(NR_HUGEPAGES);
	if (free_pages < 0 || rsvd < 0 || cur < 0) {
		bench_err("hugetlb: cannot read the hugepage pool state");
		return SGA_FAILED;
	}
	/* The test hook must meet a short pool even where free pages are left
	 * over from someone else: it grows the pool by the whole SGA (less one). */
	if (free_pages - rsvd >= need && !sga_inject_short_pool)
		return SGA_OK;
	want = sga_inject_short_pool ? need : need - (free_pages - rsvd);
	hugepages_before = cur;
	if (record_state(want, NULL) < 0)
		return SGA_FAILED;
	if (write_sysctl_ll(NR_HUGEPAGES, cur + want - (sga_inject_short_pool ? 1 : 0)) < 0) {
		snprintf(why, len, "hugetlb: cannot grow %s to %lld: %s", NR_HUGEPAGES,
			 cur + want, strerror(errno));
		record_state(0, NULL);
		return SGA_UNAVAILABLE;
	}
	got = read_sysctl_ll(NR_HUGEPAGES) - cur;
	hugepages_added = got > 0 ? got : 0;
	record_state(0, NULL);
	if (got < want) {
		release_hugepages();
		snprintf(why, len, "hugetlb: could reserve only %lld of %lld 2 MiB hugepages "
			 "(memory fragmented or in use)", got > 0 ? got : 0, want);
		return SGA_UNAVAILABLE;
	}
	return SGA_OK;
}

static int set_thp_advise(char *why, size_t len)
{
	char pol[32];
	int fd;

	if (read_policy(THP_SHMEM, pol, sizeof(pol)) < 0) {
		snprintf(why, len, "thp: cannot read %s", THP_SHMEM);
		return SGA_UNAVAILABLE;
	}
	if (thp_policy_allows(pol))
		return SGA_OK;
	snprintf(thp_saved, sizeof(thp_saved), "%s", pol);
	if (record_state(0, thp_saved) < 0)
		return SGA_FAILED;
	fd = open(THP_SHMEM, O_WRONLY);
	if (fd < 0 || write(fd, "advise", 6) != 6) {
		snprintf(why, len, "thp: cannot set %s to advise: %s", THP_SHMEM, strerror(errno));
		if (fd >= 0)
			close(fd);
		record_state(0, NULL);
		return SGA_UNAVAILABLE;
	}
	close(fd);
	thp_changed = true;
	if (!thp_noted++)
		bench_note("thp: %s set to advise for this run (was %s; restored at exit)",
		   THP_SHMEM, thp_saved);
	return SGA_OK;
}

#define POPULATE_STEP (64UL * 1024 * 1024)

/*
 * Write every page through a temporary mapping: THP under "advise" needs a
 * VMA with VM_HUGEPAGE, and 4 KiB shmem pages must be uptodate (fallocate
 * leaves them not) or read fault-around skips them and the first child pays.
 * 0 or -errno.
 */
static int populate_through_mapping(int fd, size_t size, int advice)
{
	void *p = mmap(NULL, size + 2 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long base;
	int ret = 0;

	if (p == MAP_FAILED)
		return -errno;
	base = ((unsigned long)p + 2 * MiB - 1) & ~(2 * MiB - 1);
	if (mmap((void *)base, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 fd, 0) == MAP_FAILED ||
	    madvise((void *)base, size, advice) < 0)
		ret = -errno;
	/* In steps, so progress shows and a stop is seen on a slow machine. */
	for (size_t off = 0; !ret && off < size; off += POPULATE_STEP) {
		size_t len = size - off < POPULATE_STEP ? size - off : POPULATE_STEP;

		if (bench_stop)
			ret = -EINTR;
		else if (madvise((void *)(base + off), len, MADV_POPULATE_WRITE) < 0)
			ret = -errno;
		else
			sga_progress_add(len);
	}
	munmap(p, size + 2 * MiB);
	return ret;
}

/*
 * A step of creating the SGA failed with err: the host being short of
 * memory, hugepages or descriptors makes the mode unavailable (the reason in
 * why); anything else is an error, printed. populate: MADV_POPULATE_WRITE's
 * EFAULT is "a SIGBUS would have been raised": no memory for the page.
 */
static int create_failed(enum sga_mode m, const char *what, int err, bool populate,
			 char *why, size_t len)
{
	if (host_short(err) || (populate && err == EFAULT)) {
		snprintf(why, len, "%s: %s: %s", sga_mode_names[m], what, strerror(err));
		return SGA_UNAVAILABLE;
	}
	bench_err("%s: %s: %s", sga_mode_names[m], what, strerror(err));
	return SGA_FAILED;
}

int sga_backing_create(struct sga_backing *b, enum sga_mode m, size_t size,
		       bool thp_force, char *why, size_t len)
{
	unsigned int mfd_flags = MFD_CLOEXEC;
	long long huge0 = meminfo_kb("ShmemHugePages");
	char what[96];
	int ret, err;

	memset(b, 0, sizeof(*b));
	b->mode = m;
	b->fd = -1;
	b->size = size;
	b->map_flags = MAP_SHARED;
	/* Default fault_around_bytes: a read fault maps 16 pages. */
	b->fault_stride = 64 * KiB;

	switch (m) {
	case SGA_THP:
		if (thp_force && (ret = set_thp_advise(why, len)) != SGA_OK)
			goto fail;
		b->madvice = MADV_HUGEPAGE;
		b->fault_stride = 2 * MiB;
		break;
	case SGA_HUGETLB:
		if ((ret = reserve_hugepages(size, why, len)) != SGA_OK)
			goto fail;
		mfd_flags |= MFD_HUGETLB;
		b->fault_stride = 2 * MiB;
		break;
	case SGA_PTSHARE:
		b->map_flags = MAP_SHARED_VALIDATE | MAP_SHARED_PT;
		b->madvice = MADV_NOHUGEPAGE;
		break;
	default:
		/* 4 KiB pages even where shmem_enabled is "always". */
		b->madvice = MADV_NOHUGEPAGE;
		break;
	}
	b->fd = memfd_create("mmscope-sga", mfd_flags);
	if (b->fd < 0) {
		ret = create_failed(m, "memfd_create", errno, false, why, len);
		goto fail;
	}
	if (ftruncate(b->fd, size) < 0) {
		err = errno;
		snprintf(what, sizeof(what), "ftruncate to %zu bytes", size);
		ret = create_failed(m, what, err, false, why, len);
		goto fail;
	}
	/* Populate once here so children only map: they measure mapping cost. */
	if (m != SGA_HUGETLB) {
		err = -populate_through_mapping(b->fd, size, b->madvice);
		if (err) {
			snprintf(what, sizeof(what), "populating the %s SGA", fmt_bytes(size));
			ret = create_failed(m, what, err, true, why, len);
			goto fail;
		}
		b->thp_huge_bytes = (meminfo_kb("ShmemHugePages") - huge0) * 1024;
	} else {
		for (size_t off = 0; off < size; off += POPULATE_STEP) {
			size_t l = size - off < POPULATE_STEP ? size - off : POPULATE_STEP;

			if (bench_stop || fallocate(b->fd, 0, off, l) < 0) {
				err = bench_stop ? EINTR : errno;
				snprintf(what, sizeof(what), "allocating the %s SGA",
					 fmt_bytes(size));
				ret = create_failed(m, what, err, false, why, len);
				goto fail;
			}
			sga_progress_add(l);
		}
	}
	return SGA_OK;
fail:
	sga_backing_destroy(b);
	return ret;
}

void sga_backing_destroy(struct sga_backing *b)
{
	if (b->fd >= 0) {
		close(b->fd);
		b->fd = -1;
	}
	release_hugepages();
	restore_thp();
}
