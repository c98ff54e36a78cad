// SPDX-License-Identifier: GPL-2.0
/* Reading a BPF hash map's keys from user space (mapkeys.h). */
#include <stdlib.h>
#include <bpf/bpf.h>

#include "mapkeys.h"

int map_keys_all(int fd, size_t key_size, void **out, size_t *n)
{
	size_t cap = 0;
	char *keys = NULL, *prev = NULL;

	*n = 0;
	for (;;) {
		if (*n == cap) {
			char *k = realloc(keys, (cap = cap ? 2 * cap : 256) * key_size);

			if (!k) {
				free(keys);
				return -1;
			}
			keys = k;
			prev = *n ? keys + (*n - 1) * key_size : NULL;
		}
		if (bpf_map_get_next_key(fd, prev, keys + *n * key_size))
			break;
		prev = keys + (*n)++ * key_size;
	}
	*out = keys;
	return 0;
}
