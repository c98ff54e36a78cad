# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets (fuzz/fuzz_*.c) with ASan + UBSan, built by clang-19
# (needs libclang-rt-19-dev). `make fuzz` builds them and runs each for
# FUZZ_TIME seconds (default 20) from its seed corpus fuzz/corpus/NAME;
# new inputs go to $(OUT)/fuzz/work/NAME, findings (crash-*, leak-*, ...)
# to $(OUT)/fuzz/artifacts/, and the first one fails the make.
#   make fuzz                      every target, 20 s each
#   make fuzz FUZZ_TIME=300        longer
#   make fuzz FUZZ_TARGETS=import  one target
#   make fuzz-build                build only
# The http target fuzzes the exporter's request parser (user/lib/httpd.c)
# and is built only where that file exists.
.PHONY: fuzz fuzz-build

FUZZ_TIME    ?= 20
FUZZ_CC      ?= $(CLANG)
FUZZ_OUT     := $(OUT)/fuzz
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=all -D_GNU_SOURCE -Iinclude -Iuser/lib -I$(OUT)
FUZZ_ALL     := scenario import $(if $(wildcard user/lib/httpd.c),http)
FUZZ_TARGETS ?= $(FUZZ_ALL)
# the parsers and what they use: nothing that loads BPF
FUZZ_LIB_SRCS := $(filter-out user/lib/perfev.c user/lib/probe.c user/lib/tracer.c \
				 user/lib/fault_bracket.c user/lib/bpfread.c,$(LIB_SRCS))
FUZZ_LIB_OBJS := $(patsubst user/lib/%.c,$(FUZZ_OUT)/lib/%.o,$(FUZZ_LIB_SRCS))

$(FUZZ_OUT)/lib/%.o: user/lib/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/libfuzzlib.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OUT)/libfuzzlib.a $(HEADERS)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OUT)/libfuzzlib.a \
		-ljson-c -lsqlite3 -lcrypto -lm -lpthread

fuzz-build: $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS))

# -max_len: scenarios and requests are short, an export with a few runs is not
fuzz: fuzz-build
	@mkdir -p $(FUZZ_OUT)/artifacts
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_OUT)/work/$$t; \
		echo "  FUZZ    $$t for $(FUZZ_TIME) s"; \
		$(FUZZ_OUT)/fuzz_$$t $(FUZZ_OUT)/work/$$t fuzz/corpus/$$t \
			-max_total_time=$(FUZZ_TIME) -max_len=16384 -timeout=10 -rss_limit_mb=1024 \
			-artifact_prefix=$(FUZZ_OUT)/artifacts/$$t- -print_final_stats=1 \
			>$(FUZZ_OUT)/$$t.log 2>&1 || { tail -n 40 $(FUZZ_OUT)/$$t.log; \
			echo "fuzz: $$t found a problem: $$(ls $(FUZZ_OUT)/artifacts/$$t-* 2>/dev/null)"; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' $(FUZZ_OUT)/$$t.log | \
			sed "s/^/        $$t /"; \
	done
