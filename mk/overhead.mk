# SPDX-License-Identifier: GPL-2.0
# bench/overhead.c: tracer overhead on page-fault throughput (build/overhead).
# It loads bpf/floor.bpf.c itself for --floor.
.PHONY: bench
bench: $(OUT)/overhead

$(OUT)/overhead: bench/overhead.c $(OUT)/floor.skel.h $(OUT)/libmmscope.a $(HEADERS) | $(OUT)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ bench/overhead.c $(OUT)/libmmscope.a $(LDLIBS)
