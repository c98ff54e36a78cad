// SPDX-License-Identifier: GPL-2.0
/* Reading BPF state from user space (bpfread.h). */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfread.h"

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

__u64 map_percpu_sum(int fd, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v, sum = 0;

	if (ncpu <= 0 || !(v = calloc(ncpu, sizeof(*v))))
		return 0;
	if (!bpf_map_lookup_elem(fd, &key, v))
		for (int i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

int iter_read_all(struct bpf_link *iter, size_t rec_size, void **out, size_t *n)
{
	char *v = NULL;
	size_t cap = 0, len = 0;
	int fd = bpf_iter_create(bpf_link__fd(iter));
	ssize_t r = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		/* room for at least 64 records per read */
		if (cap - len < 64 * rec_size) {
			char *p;

			cap = cap ? cap * 2 : 256 * rec_size;
			p = realloc(v, cap);
			if (!p) {
				free(v);
				close(fd);
				return -ENOMEM;
			}
			v = p;
		}
		r = read(fd, v + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	if (r < 0) {
		free(v);
		return -errno;
	}
	*out = v;
	*n = len / rec_size;
	return 0;
}
