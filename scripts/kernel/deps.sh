#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages the kernel flow needs (source tarball,
# kernel build tools, QEMU, static busybox; bash, jq, bpftool and setpriv
# for the integration tests the tracers scenario runs in the guest).
# Idempotent. ci.sh runs it first, so a CI machine that only ran
# scripts/setup-deps.sh still works.
set -euo pipefail
PKGS=(linux-source-6.12 qemu-system-x86 busybox-static make gcc bc flex bison
      libssl-dev libelf-dev dwarves cpio xz-utils gzip file
      bash-static jq bpftool util-linux)	# the last line: integration tests in the guest
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "kernel deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "kernel deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
