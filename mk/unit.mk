# Unit tests: tests/unit/test_*.c, each linked against libmmscope.a (a
# test may open a BPF skeleton without loading it).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

$(OUT)/tests/%: tests/unit/%.c tests/unit/unit.h $(OUT)/libmmscope.a $(HEADERS) $(SKELS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(OUT)/libmmscope.a $(LDLIBS)

unit: $(UNIT_BINS)
test: $(UNIT_BINS)
