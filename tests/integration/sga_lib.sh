# SPDX-License-Identifier: GPL-2.0
# Helpers for the sga-bench tests (source after lib.sh):
#   sga_comm PID    the comm of sga-bench PID's children: sga-child-<PID in
#                   base 36> (bench/sga/children.h), so that pgrep -x finds
#                   this run's children and no other run's
#   sga_memfd_left  true while any process still has an SGA memfd open
#                   (memfd_create("mmscope-sga"), bench/sga/backing.c)

sga_comm() {
	local n=$1 d=0123456789abcdefghijklmnopqrstuvwxyz s=
	while :; do s=${d:n%36:1}$s; n=$((n / 36)); [ $n -eq 0 ] && break; done
	echo "sga-child-$s"
}

sga_memfd_left() {
	ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q 'memfd:mmscope-sga'
}
