#!/bin/sh
# Run the statically built 6.12 mm selftests (scripts/kernel/selftests.sh).
# kselftest exit codes: 0 pass, 4 skip, else fail. Results: selftests.json
. /scenarios/lib.sh
TMO=$(arg test_timeout 300)
[ -d /selftests ] || { echo "no /selftests in the initramfs"; exit 1; }
# what run_vmtests.sh reserves: 256 MiB of huge pages, at least 2 per CPU
# for the userfaultfd hugetlb tests
ncpu=$(grep -c '^processor' /proc/cpuinfo)
hp=128
[ $((ncpu * 2)) -gt $hp ] && hp=$((ncpu * 2))
echo $hp > /proc/sys/vm/nr_hugepages
echo "huge pages: $(cat /proc/sys/vm/nr_hugepages) of $hp wanted; $(grep MemTotal /proc/meminfo)"
# ptshare's shmem and file variants: a tmpfs at /dev/shm, a ramfs (page
# cache without shmem) for the file; its memcg test needs cgroup v2
mkdir -p /dev/shm /tmp/ramfs /sys/fs/cgroup
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
mount -t ramfs ramfs /tmp/ramfs 2>/dev/null && export PTSHARE_FILE_DIR=/tmp/ramfs
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
cd /tmp || exit 1
pass=0 fail=0 skip=0 list="" xlist=""
for t in /selftests/*; do
	n=$(basename $t)
	# arguments as run_vmtests.sh gives them
	case $n in
	transhuge-stress) args="-d 20" ;;
	*) args= ;;
	esac
	echo "=== $n $args"
	timeout $TMO $t $args > /tmp/$n.out 2>&1
	rc=$?
	tail -15 /tmp/$n.out
	cp /tmp/$n.out $R/selftest-$n.out
	case $rc in
	0) pass=$((pass + 1)); st=pass ;;
	4) skip=$((skip + 1)); st=skip ;;
	*) fail=$((fail + 1)); st=fail ;;
	esac
	# kselftest expected failures (open findings of ptshare) pass, listed
	xf=$(grep -c '^ok .* # XFAIL' /tmp/$n.out)
	[ "$xf" -gt 0 ] && grep '^ok .* # XFAIL' /tmp/$n.out
	echo "=== $n: $st ($rc, $xf xfail)"
	list="$list${list:+, }\"$n\": \"$st\""
	[ "$xf" -gt 0 ] && xlist="$xlist${xlist:+, }\"$n\": $xf"
done
cat > $R/selftests.json <<JSON
{"kernel": "$(uname -r)", "pass": $pass, "fail": $fail, "skip": $skip, "tests": {$list}, "xfail": {$xlist}}
JSON
cat $R/selftests.json
exit 0
