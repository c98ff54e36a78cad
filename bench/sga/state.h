/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A record, on disk, of the system settings this sga-bench changed (the
 * hugepage pool, the shmem THP policy), written before each change, so they
 * are given back even when sga-bench dies by SIGKILL: by its reaper (a tiny
 * child that waits for sga-bench to die), else by the next sga-bench start or
 * `sga-bench --cleanup`. One file per sga-bench, named by pid, under
 * SGA_STATE_DIR (tmpfs: the settings do not outlive a reboot either).
 */
#ifndef SGA_STATE_H
#define SGA_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#define SGA_STATE_DIR "/run/mmscope"

struct sga_state {
	long long hp_before;	/* vm.nr_hugepages before we grew it */
	long long hp_added;	/* pages we added (0: none) */
	char thp_saved[32];	/* shmem_enabled before we set advise ("": unchanged) */
};

/* Write (or, when nothing is changed, remove) this process's record. 0 / -1. */
int sga_state_save(const struct sga_state *s);
/* Remove this process's record; async-signal-safe. */
void sga_state_forget(void);
/*
 * Give back what dead sga-bench processes changed (their records; only_pid
 * > 0: that one's only) and remove the records. Prints a note per record
 * restored (who, what); returns how many were restored, -1 on error.
 */
int sga_state_recover(pid_t only_pid);
/*
 * Fork the reaper: it waits (in its own session, deaf to INT/TERM/HUP) until
 * this process and its children are gone, then recovers this process's
 * record, if any is left. 0, or -1 (printed; the record still covers us).
 */
int sga_reaper_start(void);

#endif
