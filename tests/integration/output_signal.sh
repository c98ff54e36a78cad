#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An end while a result file is being written leaves nothing behind.
# outfile.c writes into an unnamed file (O_TMPFILE) and only names it at
# the end, to link it as PATH.tmp.PID and rename that over PATH: a SIGKILL
# (an OOM kill, a runner's hard timeout) in the middle leaves neither
# PATH.tmp.PID nor a partial PATH. INT, TERM or HUP (Ctrl-C, a CI timeout,
# a closed terminal) end the command by that signal as before, nothing
# left either. On a filesystem that refuses O_TMPFILE (some FUSE, 9p) the
# file is written as PATH.tmp.PID, which INT/TERM/HUP remove; that
# fallback is checked with an open() that refuses O_TMPFILE as such a
# filesystem does. The export of a store of 200 runs keeps its output
# open long enough to be caught in the act.
. "$(dirname "$0")/lib.sh"
require_jq
need_bin "$MMSCOPE"
FIX="$(cd "$(dirname "$0")/.." && pwd)/fixtures/sga-faultlat.jsonl"
DB="$TMP/s.db"
for i in $(seq 200); do
	"$MMSCOPE" import --db "$DB" --tag "t$i" "$FIX" >/dev/null || fail "import $i"
done

# output_open PID: PID holds a file in $TMP open other than the store and
# the error log: its output, named (PATH.tmp.PID) or not ("#INODE (deleted)").
# One ls a look: the output is open for a fraction of a second.
output_open() {
	local line

	while IFS= read -r line; do
		case $line in
		*" -> $TMP"/s.db*|*" -> $TMP/err") ;;
		*" -> $TMP"/*) return 0 ;;
		esac
	done < <(ls -l /proc/"$1"/fd 2>/dev/null)
	return 1
}

# caught SIG [ENV=VALUE...]: export (in that environment), signal it while
# its output is open; it must die by SIG and leave no out.json*.
# $named: whether out.json.tmp.* existed when it was signalled.
caught() {
	local sig=$1 pid rc i; shift
	rm -f "$TMP"/out.json*
	# a background job of a script starts with SIGINT ignored: give it back
	env --default-signal=INT "$@" "$MMSCOPE" export --json --db "$DB" -o "$TMP/out.json" \
		>/dev/null 2>"$TMP/err" &
	pid=$!
	for i in $(seq 5000); do
		output_open $pid && break
	done
	output_open $pid || { wait $pid; skip "export finished before it could be signalled"; }
	named=false
	compgen -G "$TMP/out.json.tmp.*" >/dev/null && named=true
	kill -"$sig" $pid
	wait $pid
	rc=$?
	[ $rc -eq $((128 + $(kill -l "$sig"))) ] ||
		fail "SIG$sig: exit $rc, expected death by the signal: $(cat "$TMP/err")"
	compgen -G "$TMP/out.json*" >/dev/null &&
		fail "SIG$sig${1:+ ($*)}: left $(ls "$TMP"/out.json*)"
	log "SIG$sig during the write${1:+ ($*)}: exit $rc, nothing left"
}
caught INT
caught TERM
caught HUP
caught KILL

# and a finished export still lands whole
"$MMSCOPE" export --json --db "$DB" -o "$TMP/out.json" >/dev/null 2>&1 || fail "plain export"
[ "$(jq '.runs | length' "$TMP/out.json")" -eq 200 ] || fail "plain export: not 200 runs"

# Two stand-ins for what this host does not do: open() refusing O_TMPFILE
# with EOPNOTSUPP, as FUSE or 9p do (the PATH.tmp.PID fallback), and
# linkat(AT_EMPTY_PATH) refused with ENOENT, as kernels before 6.10 do
# without CAP_DAC_READ_SEARCH (the /proc/self/fd link)
command -v cc >/dev/null || skip "no cc to build the stand-ins"
cat >"$TMP/refuse.c" <<'SRC'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#ifdef NO_TMPFILE
static int refuse(const char *sym, const char *path, int flags, va_list ap)
{
	int (*real)(const char *, int, ...) = dlsym(RTLD_NEXT, sym);
	mode_t mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ?
		      va_arg(ap, mode_t) : 0;

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return real(path, flags, mode);
}

/* open and open64: the same stand-in under both names */
#define REFUSING_OPEN(name)					\
int name(const char *path, int flags, ...)			\
{								\
	va_list ap;						\
	int fd;							\
								\
	va_start(ap, flags);					\
	fd = refuse(#name, path, flags, ap);			\
	va_end(ap);						\
	return fd;						\
}
REFUSING_OPEN(open)
REFUSING_OPEN(open64)
#else
int linkat(int olddirfd, const char *old, int newdirfd, const char *new, int flags)
{
	int (*real)(int, const char *, int, const char *, int) = dlsym(RTLD_NEXT, "linkat");

	if (flags & AT_EMPTY_PATH) {
		errno = ENOENT;
		return -1;
	}
	return real(olddirfd, old, newdirfd, new, flags);
}
#endif
SRC
cc -shared -fPIC -DNO_TMPFILE -o "$TMP/notmpfile.so" "$TMP/refuse.c" -ldl &&
	cc -shared -fPIC -o "$TMP/noflink.so" "$TMP/refuse.c" -ldl || fail "cannot build the stand-ins"
for sig in INT TERM; do
	caught $sig LD_PRELOAD="$TMP/notmpfile.so"
	$named || fail "without O_TMPFILE no out.json.tmp.* while writing: not the fallback"
done
for so in notmpfile noflink; do
	rm -f "$TMP"/out.json*
	LD_PRELOAD="$TMP/$so.so" "$MMSCOPE" export --json --db "$DB" -o "$TMP/out.json" \
		>/dev/null 2>"$TMP/err" || fail "export ($so): $(cat "$TMP/err")"
	[ "$(jq '.runs | length' "$TMP/out.json")" -eq 200 ] || fail "export ($so): not 200 runs"
	compgen -G "$TMP/out.json.tmp.*" >/dev/null && fail "export ($so) left $(ls "$TMP"/out.json*)"
	log "export ($so): whole, nothing left"
done
pass
