# SPDX-License-Identifier: GPL-2.0
# Bench drivers (bench/): sga-bench and pfbench, linked against libmmscope.a.
# Uses $(OUT)/$(CC)/$(CFLAGS)/$(LDFLAGS)/$(LDLIBS) so `make static` works too.
.PHONY: bench
bench: $(OUT)/sga-bench $(OUT)/pfbench

BENCH_COMMON := bench/common.c
BENCH_HDRS   := $(wildcard bench/*.h bench/sga/*.h bench/pf/*.h) $(HEADERS)
SGA_SRCS     := bench/sga-bench.c $(wildcard bench/sga/*.c) $(BENCH_COMMON)
PF_SRCS      := bench/pfbench.c $(wildcard bench/pf/*.c) $(BENCH_COMMON)

# sga-bench runs the faultlat tracer in-process (bench/sga/trace.c): it
# links user/faultlat.o, which loads through the fault bracket in libmmscope.a.
SGA_OBJS     := $(OUT)/user/faultlat.o

$(OUT)/sga-bench: $(SGA_SRCS) $(BENCH_HDRS) $(SGA_OBJS) $(OUT)/libmmscope.a | $(OUT)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -Ibench -Iuser $(LDFLAGS) -o $@ $(SGA_SRCS) $(SGA_OBJS) \
		$(OUT)/libmmscope.a $(LDLIBS)

$(OUT)/pfbench: $(PF_SRCS) $(BENCH_HDRS) $(OUT)/libmmscope.a | $(OUT)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -Ibench $(LDFLAGS) -o $@ $(PF_SRCS) $(OUT)/libmmscope.a $(LDLIBS)
