# Kernel patch series (patches/) for Linux 6.12: build, boot, A/B, CI.
# Included by the top-level Makefile. See docs/kernel.md.
#
#   make kernel-setup           install the kernel flow's Debian packages
#   make kernel                 build the patched kernel (cached)
#   make kernel-pristine        build the unpatched kernel (cached)
#   make kernel-checkpatch      series applies + checkpatch --strict
#   make kernel-boot SCENARIO=ptshare [FLAVOR=pristine] [KARGS="mmscope.nproc=64"] [KMEM=3G]
#   make kernel-ab SCENARIO=ptshare [ROUNDS=3]  same scenario on both kernels (ROUNDS: ABBA... pairs)
#   make kernel-ci              CI: checkpatch, build, boot, short scenario
KSCRIPTS  := scripts/kernel
SCENARIO  ?= smoke
FLAVOR    ?= patched
KTIMEOUT  ?= 1800
KARGS     ?=
KMEM      ?=

.PHONY: kernel-setup kernel kernel-pristine kernel-checkpatch kernel-boot kernel-ab kernel-ci

kernel-setup:
	$(KSCRIPTS)/deps.sh

kernel:
	$(KSCRIPTS)/build.sh patched

kernel-pristine:
	$(KSCRIPTS)/build.sh pristine

kernel-checkpatch:
	$(KSCRIPTS)/checkpatch.sh

kernel-boot:
	$(KSCRIPTS)/boot.sh -f $(FLAVOR) -s $(SCENARIO) -t $(KTIMEOUT) -a "$(KARGS)" $(if $(KMEM),-m $(KMEM))

kernel-ab:
	$(KSCRIPTS)/ab.sh $(if $(ROUNDS),-n $(ROUNDS)) $(SCENARIO) -t $(KTIMEOUT) -a "$(KARGS)" $(if $(KMEM),-m $(KMEM))

kernel-ci:
	$(KSCRIPTS)/ci.sh
