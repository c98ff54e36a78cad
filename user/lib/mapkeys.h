/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a BPF hash map's keys from user space. */
#ifndef MMSCOPE_MAPKEYS_H
#define MMSCOPE_MAPKEYS_H

#include <stddef.h>

/*
 * All keys of the hash map fd (key_size bytes each), collected before any
 * is deleted: get_next_key on a deleted key starts over from the first one.
 * *out is malloc'ed (NULL when the map is empty), *n the count; -1 when out
 * of memory.
 */
int map_keys_all(int fd, size_t key_size, void **out, size_t *n);

#endif
