# SPDX-License-Identifier: GPL-2.0
# Packaging: `mmscope --version`, man pages, bash completion, make install.
#   make man                 build/man/*.1 from the --help texts (help2man)
#   make install             PREFIX=/usr/local, DESTDIR= (staged installs):
#     $(PREFIX)/bin/{mmscope,sga-bench,pfbench} (run finds the benches beside
#     mmscope), $(PREFIX)/share/man/man1/mmscope*.1,
#     $(PREFIX)/share/bash-completion/completions/mmscope
#   make uninstall           the same files removed

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
HELP2MAN ?= help2man
INSTALL ?= install

# The version is the commit (mk/dashboard.mk's description), as `run` records.
$(OUT)/user/mmscope.o: CFLAGS += -DMMSCOPE_COMMIT='"$(MMSCOPE_GIT_DESC)"'
$(OUT)/user/mmscope.o: $(OUT)/commit.stamp

# Subcommands with a man page each: mmscope-NAME(1).
MAN_CMDS := vmalock ptmem faultlat ptshare top probe run runs compare dashboard export import
MAN_PAGES := $(OUT)/man/mmscope.1 $(patsubst %,$(OUT)/man/mmscope-%.1,$(MAN_CMDS))
INSTALL_BINS := $(OUT)/mmscope $(OUT)/sga-bench $(OUT)/pfbench

.PHONY: man install uninstall
man: $(MAN_PAGES)

# help2man runs a program for its --help; a subcommand gets a two-line
# wrapper named after its page. The NAME line is the summary --help prints.
$(OUT)/man/mmscope.1: $(OUT)/mmscope mk/install.mk
	@mkdir -p $(dir $@)
	@echo "  MAN     $@"
	$(Q)command -v $(HELP2MAN) >/dev/null || { echo "make man: help2man missing (make setup)" >&2; exit 1; }
	$(Q)$(HELP2MAN) -N --no-discard-stderr --version-string='$(MMSCOPE_GIT_DESC)' \
		-n 'eBPF observability and benchmarking for Linux memory management' \
		-o $@ $(abspath $(OUT)/mmscope)

$(OUT)/man/mmscope-%.1: $(OUT)/mmscope mk/install.mk
	@mkdir -p $(OUT)/man/bin
	@echo "  MAN     $@"
	$(Q)command -v $(HELP2MAN) >/dev/null || { echo "make man: help2man missing (make setup)" >&2; exit 1; }
	$(Q)printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(abspath $(OUT)/mmscope)' '$*' > $(OUT)/man/bin/mmscope-$*
	$(Q)chmod +x $(OUT)/man/bin/mmscope-$*
	$(Q)$(HELP2MAN) -N --no-discard-stderr --version-string='$(MMSCOPE_GIT_DESC)' \
		-n "$$($(OUT)/mmscope $* --help | sed -n '2p')" \
		-o $@ $(OUT)/man/bin/mmscope-$*

install: all bench man
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 755 $(INSTALL_BINS) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/
	$(INSTALL) -m 644 completion/mmscope.bash $(DESTDIR)$(BASHCOMPDIR)/mmscope

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(INSTALL_BINS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/,$(notdir $(MAN_PAGES)))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/mmscope
