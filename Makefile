# SPDX-License-Identifier: GPL-2.0
# mmscope top-level Makefile.
#   make            build build/mmscope (all tracers) and the bench drivers
#   make static     statically linked binaries in build/static/ (for the QEMU guest)
#   make test       unit + integration tests (root; tracepoint mode on this host)
#   make setup      install the Debian packages the build and tests need
#   make run        the main job (see README.md)
#   make install    binaries, man pages, bash completion (PREFIX, DESTDIR)
#   make V=1        show every command in full

CLANG    ?= $(shell command -v clang-19 2>/dev/null || echo clang)
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
CC       ?= gcc
ARCH     := x86
OUT      ?= build
STATIC   ?=

# make V=1: every command in full (the default prints one short line each)
ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS   ?= -g -O2
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	    -D_GNU_SOURCE -Iinclude -Iuser/lib -I$(OUT)
# Libraries from pkg-config (--static for `make static`: their private
# dependencies too); libelf's zstd is not in Debian's libelf.pc. Asked on
# first use, not when the Makefile is read: in `make setup run` on a fresh
# machine the packages arrive only when setup's recipe has run.
PKG_CONFIG ?= pkg-config
PKGS_LIBS := libbpf libelf json-c sqlite3 zlib libcrypto
# The PostgreSQL results store (user/lib/store_pg.c) in the dynamic build
# only: Debian has no static libraries for libpq's Kerberos and LDAP.
ifeq ($(STATIC),)
PKGS_LIBS += libpq
CFLAGS   += -DMMSCOPE_HAVE_PG
endif
# $(call once,VAR,COMMAND): VAR becomes COMMAND's output the first time it is used
once = $(eval $1 := $$(shell $2))$($1)
ifneq ($(STATIC),)
LDFLAGS  += -static
PKG_LDLIBS = $(call once,PKG_LDLIBS,$(PKG_CONFIG) --static --libs $(PKGS_LIBS) libzstd)
LDLIBS   = $(PKG_LDLIBS) -ldl -lm -lpthread
else
PKG_LDLIBS = $(call once,PKG_LDLIBS,$(PKG_CONFIG) --libs $(PKGS_LIBS))
LDLIBS   = $(PKG_LDLIBS) -lm -lpthread
endif
PKG_CFLAGS = $(call once,PKG_CFLAGS,$(PKG_CONFIG) --cflags $(PKGS_LIBS))
CFLAGS   += $(PKG_CFLAGS)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -I$(OUT) \
	      -Wall -Wno-unused-function -Wno-compare-distinct-pointer-types

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
LIB_SRCS  := $(wildcard user/lib/*.c)
LIB_OBJS  := $(patsubst user/lib/%.c,$(OUT)/lib/%.o,$(LIB_SRCS))
CMD_SRCS  := $(wildcard user/*.c)
CMD_OBJS  := $(patsubst user/%.c,$(OUT)/user/%.o,$(CMD_SRCS))
HEADERS   := $(wildcard include/*.h user/lib/*.h user/*.h)

.PHONY: all clean static test unit setup run vmlinux-update
# Skeletons are included by test workloads and benches too: never delete
# them as make intermediates (a second `make test` would miss them).
.SECONDARY: $(BPF_OBJS) $(SKELS)
all: $(OUT)/mmscope

# vmlinux.h: one source, the checked-in copy, whatever kernel builds: the
# programs are CO-RE (relocated to the running kernel's BTF when they load),
# so the same tree builds the same objects on every machine. Refresh the
# copy from a kernel's BTF with `make vmlinux-update [VMLINUX_BTF=FILE]`.
VMLINUX_H   := include/vmlinux/$(ARCH)/vmlinux.h
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
$(OUT)/vmlinux.h: $(VMLINUX_H) | $(OUT)
	@echo "  GEN     $@"
	$(Q)cp $< $@

vmlinux-update:
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $(VMLINUX_H).tmp && \
		mv $(VMLINUX_H).tmp $(VMLINUX_H) && echo "  GEN     $(VMLINUX_H) (from $(VMLINUX_BTF))" || \
		{ rm -f $(VMLINUX_H).tmp; echo "vmlinux-update: cannot read BTF from $(VMLINUX_BTF)" >&2; exit 1; }

$(OUT)/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard bpf/*.h) $(HEADERS) | $(OUT)
	@echo "  BPF     $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	@echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(OUT)/lib/%.o: user/lib/%.c $(HEADERS) | $(OUT)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# the fault bracket's loader includes its skeleton
$(OUT)/lib/fault_bracket.o: $(OUT)/fault.skel.h

$(OUT)/user/%.o: user/%.c $(HEADERS) $(SKELS) | $(OUT)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/libmmscope.a: $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/mmscope: $(CMD_OBJS) $(OUT)/libmmscope.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(OUT)/libmmscope.a $(LDLIBS)

$(OUT):
	@mkdir -p $(OUT)

static:
	@$(MAKE) --no-print-directory OUT=build/static STATIC=1 all bench workloads

SETUP_DEPS ?= scripts/setup-deps.sh
setup:
	@bash $(SETUP_DEPS)

test: all bench
	@bash tests/run

run: all bench
	@bash scripts/main-job.sh

clean:
	rm -rf build

# Area fragments: bench drivers, unit tests, kernel flow, scenarios.
-include mk/*.mk
