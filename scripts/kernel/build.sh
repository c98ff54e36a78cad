#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: scripts/kernel/build.sh [patched|pristine]
# Apply the series (patched) or not (pristine), configure and build the
# kernel in the cached out-of-tree directory. Prints the bzImage path.
. "$(dirname "$0")/lib.sh"
flavor=${1:-patched}
case $flavor in patched|pristine) ;; *) kdie "unknown flavor $flavor" ;; esac
kbuild "$flavor"
