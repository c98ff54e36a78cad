#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages mmscope needs to build and test.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

PKGS=(make gcc clang-19 llvm-19 libbpf-dev bpftool libelf-dev zlib1g-dev
      libzstd-dev libjson-c-dev libsqlite3-dev libssl-dev sqlite3 pkg-config dwarves
      libpq-dev postgresql
      linux-perf procps util-linux jq help2man tmux)
PKGS+=(libjs-chart.js chromium prometheus nodejs curl)	# results layer: dashboard Chart.js, its headless-browser test, the Prometheus exporter test
PKGS+=(bpftrace)	# overhead --peer bpftrace and the docs' cross-check one-liners
PKGS+=(python3)	# the exporter tests' clients (export_http.sh, export_prometheus.sh)
PKGS+=(libclang-rt-19-dev)	# make fuzz: libFuzzer and the sanitizer runtimes of clang-19
PKGS+=(${MMSCOPE_EXTRA_PKGS:-})

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup-deps: need root to install: ${missing[*]} (run: sudo make setup)" >&2
	exit 1
fi
echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
