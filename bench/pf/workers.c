// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "pf/workers.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

const char *const pf_test_names[PF_NR_TESTS] = {
	"anon", "shared-file", "private-cow", "contention",
};
const char *const pf_test_desc[PF_NR_TESTS] = {
	"anonymous private mapping, fresh each iteration (page_fault1)",
	"MAP_SHARED of a populated memfd: shared write faults (page_fault3)",
	"MAP_PRIVATE of a populated memfd: COW write faults",
	"anon faults while one extra thread mmaps/mprotects/munmaps small regions",
};

static void record_failure(struct pf_shared *sh, int err)
{
	__atomic_compare_exchange_n(&sh->failed, &(int){ 0 }, err, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	sh->stop = 1;
}

int pf_task_prepare(struct pf_task_arg *a)
{
	void *p;

	a->fd = -1;
	if (a->test != PF_SHARED_FILE && a->test != PF_PRIVATE_COW)
		return 0;
	a->fd = memfd_create("pfbench", MFD_CLOEXEC);
	if (a->fd < 0)
		return -errno;
	if (ftruncate(a->fd, a->size) < 0)
		goto fail;
	/* Page cache populated up front: the measured faults only map. */
	p = mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	madvise(p, a->size, MADV_NOHUGEPAGE);
	if (madvise(p, a->size, MADV_POPULATE_WRITE) < 0) {
		munmap(p, a->size);
		goto fail;
	}
	munmap(p, a->size);
	return 0;
fail:
	{
		int err = -errno;

		close(a->fd);
		a->fd = -1;
		return err;
	}
}

void pf_task_cleanup(struct pf_task_arg *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

void *pf_task_run(void *arg)
{
	struct pf_task_arg *a = arg;
	struct pf_shared *sh = a->sh;
	volatile uint64_t *ops = &sh->task[a->idx].ops;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS, fd = -1;
	size_t off;

	if (a->test == PF_SHARED_FILE) {
		flags = MAP_SHARED;
		fd = a->fd;
	} else if (a->test == PF_PRIVATE_COW) {
		flags = MAP_PRIVATE;
		fd = a->fd;
	}
	while (!sh->started)
		usleep(1000);
	while (!sh->stop) {
		char *p = mmap(NULL, a->size, PROT_READ | PROT_WRITE, flags, fd, 0);

		if (p == MAP_FAILED) {
			record_failure(sh, errno);
			break;
		}
		/* One fault per 4 KiB page: the op we count and perf counts. */
		madvise(p, a->size, MADV_NOHUGEPAGE);
		for (off = 0; off < a->size; off += PAGE_4K) {
			p[off] = 1;
			*ops = *ops + 1;
		}
		munmap(p, a->size);
	}
	return NULL;
}

void *pf_churn_run(void *arg)
{
	struct pf_task_arg *a = arg;
	struct pf_shared *sh = a->sh;
	size_t len = 4 * PAGE_4K;

	while (!sh->started)
		usleep(1000);
	/* Never touched: changes the address space without faulting. */
	while (!sh->stop) {
		char *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			record_failure(sh, errno);
			break;
		}
		mprotect(p, PAGE_4K, PROT_READ);
		mprotect(p, len, PROT_READ | PROT_WRITE);
		munmap(p, len);
		sh->churn_ops = sh->churn_ops + 1;
	}
	return NULL;
}
