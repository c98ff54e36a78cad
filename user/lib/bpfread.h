/* SPDX-License-Identifier: GPL-2.0 */
/* Reading BPF state from user space: map keys, per-CPU sums, iterators. */
#ifndef MMSCOPE_BPFREAD_H
#define MMSCOPE_BPFREAD_H

#include <stddef.h>
#include <linux/types.h>

struct bpf_link;

/*
 * All keys of the hash map fd (key_size bytes each), collected before any
 * is deleted: get_next_key on a deleted key starts over from the first one.
 * *out is malloc'ed (NULL when the map is empty), *n the count; -1 when out
 * of memory.
 */
int map_keys_all(int fd, size_t key_size, void **out, size_t *n);
/* Entry key of the per-CPU array fd summed over the CPUs; 0 when unreadable. */
__u64 map_percpu_sum(int fd, __u32 key);
/*
 * Run the BPF iterator iter once and read all it writes: records of
 * rec_size bytes into *out (malloc'ed), *n of them. 0 or -errno.
 */
int iter_read_all(struct bpf_link *iter, size_t rec_size, void **out, size_t *n);

#endif
