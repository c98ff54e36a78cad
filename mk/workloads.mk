# SPDX-License-Identifier: GPL-2.0
# Test workload programs: every tests/workloads/NAME.c becomes
# $(OUT)/tests/wl_NAME (the wl_ prefix keeps tests/run from running them as
# unit tests). Workloads may use libmmscope.a (perf counters, JSON).
# `make static` builds them static in build/static/tests/ too: the QEMU
# guest's tracers scenario runs the integration tests with them.
WL_SRCS := $(wildcard tests/workloads/*.c)
WL_BINS := $(patsubst tests/workloads/%.c,$(OUT)/tests/wl_%,$(WL_SRCS))

$(OUT)/tests/wl_%: tests/workloads/%.c $(wildcard tests/workloads/*.h) $(OUT)/libmmscope.a $(HEADERS) $(SKELS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -Itests/workloads $(LDFLAGS) -o $@ $< $(OUT)/libmmscope.a $(LDLIBS)

.PHONY: workloads
workloads: $(WL_BINS)
test: $(WL_BINS)
