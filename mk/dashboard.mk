# SPDX-License-Identifier: GPL-2.0
# Results layer (run, runs, compare, dashboard, export, import):
#  - the mmscope commit baked into `mmscope run` records (git describe), rebuilt
#    whenever the description changes;
#  - the dashboard's assets (web/dashboard.html and Debian's Chart.js) linked
#    into the binary, so `mmscope dashboard` writes a self-contained page.

MMSCOPE_GIT_DESC := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CHARTJS ?= /usr/share/javascript/chart.js/chart.min.js

# Rewritten only when the description changes, so it triggers a rebuild then.
$(OUT)/commit.stamp: FORCE | $(OUT)
	@echo '$(MMSCOPE_GIT_DESC)' | cmp -s - $@ || echo '$(MMSCOPE_GIT_DESC)' > $@
.PHONY: FORCE
FORCE:

RESULTS_OBJS := $(OUT)/user/run.o $(OUT)/user/export.o $(OUT)/user/dashboard.o
$(RESULTS_OBJS): CFLAGS += -DMMSCOPE_COMMIT='"$(MMSCOPE_GIT_DESC)"'
$(RESULTS_OBJS): $(OUT)/commit.stamp
