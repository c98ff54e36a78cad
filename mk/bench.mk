# SPDX-License-Identifier: GPL-2.0
# Bench drivers (bench/): sga-bench and pfbench, linked against libmmscope.a.
# Uses $(OUT)/$(CC)/$(CFLAGS)/$(LDFLAGS)/$(LDLIBS) so `make static` works too.
.PHONY: bench
bench: $(OUT)/sga-bench $(OUT)/pfbench

BENCH_COMMON := bench/common.c
BENCH_HDRS   := $(wildcard bench/*.h bench/sga/*.h bench/pf/*.h) $(HEADERS)
SGA_SRCS     := bench/sga-bench.c $(wildcard bench/sga/*.c) $(BENCH_COMMON)
PF_SRCS      := bench/pfbench.c $(wildcard bench/pf/*.c) $(BENCH_COMMON)

# sga-bench links the faultlat tracer in-process (bench/sga/trace.c). The
# mmscope command objects go in as an archive, so only what the tracer needs
# is pulled in (user/faultlat.c and the fault-bracket code it uses); -u
# because trace.c refers to faultlat_tracer weakly (tracer.h).
SGA_CMD_OBJS := $(filter-out $(OUT)/user/mmscope.o,$(CMD_OBJS))

$(OUT)/libmmscope-cmds.a: $(SGA_CMD_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(OUT)/sga-bench: $(SGA_SRCS) $(BENCH_HDRS) $(OUT)/libmmscope-cmds.a $(OUT)/libmmscope.a | $(OUT)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -Ibench $(LDFLAGS) -Wl,--undefined=faultlat_tracer -o $@ $(SGA_SRCS) \
		$(OUT)/libmmscope-cmds.a $(OUT)/libmmscope.a $(LDLIBS)

$(OUT)/pfbench: $(PF_SRCS) $(BENCH_HDRS) $(OUT)/libmmscope.a | $(OUT)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -Ibench $(LDFLAGS) -o $@ $(PF_SRCS) $(OUT)/libmmscope.a $(LDLIBS)
