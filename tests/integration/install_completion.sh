#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packaging: `mmscope --version` names the commit; `make install
# DESTDIR=... PREFIX=/usr` lays out the binaries, one man page per command
# (help2man, from --help) and the bash completion; the completion completes
# subcommands, options, tracer lists and pids.
. "$(dirname "$0")/lib.sh"
need_bin "$MMSCOPE"
require_cmd help2man
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# 1. make install into a staging directory
make -C "$ROOT" --no-print-directory -s install DESTDIR="$TMP/stage" PREFIX=/usr >"$TMP/install.log" 2>&1 ||
	fail "make install failed: $(tail -n 5 "$TMP/install.log")"
for f in usr/bin/mmscope usr/bin/sga-bench usr/bin/pfbench \
	 usr/share/man/man1/mmscope.1 usr/share/man/man1/mmscope-vmalock.1 \
	 usr/share/man/man1/mmscope-faultlat.1 usr/share/man/man1/mmscope-run.1 \
	 usr/share/bash-completion/completions/mmscope; do
	[ -f "$TMP/stage/$f" ] || fail "make install did not install /$f: $(cd "$TMP/stage" && find . -type f | head -20)"
done
[ -x "$TMP/stage/usr/bin/mmscope" ] || fail "installed mmscope is not executable"
# nothing outside PREFIX
others=$(cd "$TMP/stage" && find . -type f ! -path './usr/*')
[ -z "$others" ] || fail "files installed outside PREFIX: $others"
# the man pages carry the --help options
grep -q -- 'per\\-process' "$TMP/stage/usr/share/man/man1/mmscope-faultlat.1" ||
	fail "mmscope-faultlat.1 lacks --per-process"
grep -q '^\.TH MMSCOPE-VMALOCK' "$TMP/stage/usr/share/man/man1/mmscope-vmalock.1" ||
	fail "mmscope-vmalock.1 has no MMSCOPE-VMALOCK title: $(head -n 5 "$TMP/stage/usr/share/man/man1/mmscope-vmalock.1")"
if command -v man >/dev/null; then
	man -l "$TMP/stage/usr/share/man/man1/mmscope-vmalock.1" 2>/dev/null | grep -q -- '--top' ||
		fail "man mmscope-vmalock does not render --top"
fi

# 2. --version: the commit this tree describes (the installed binary, which
# make install has just rebuilt if the tree moved)
v=$("$TMP/stage/usr/bin/mmscope" --version) || fail "mmscope --version: exit $?"
desc=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
log "--version: $v (tree: $desc)"
[ "$v" = "mmscope $desc" ] || fail "--version says '$v', the tree is $desc"
"$MMSCOPE" --help | grep -q -- '--version' || fail "mmscope --help does not mention --version"

# 3. completion: COMPREPLY for given COMP_WORDS
comp() {	# comp WORD...: the completions of the last word
	PATH="$TMP/stage/usr/bin:$PATH" bash -c '
		. "$1"; shift
		complete -p mmscope >/dev/null || exit 3
		COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
		_mmscope; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$TMP/stage/usr/share/bash-completion/completions/mmscope" "$@"
}
got=$(comp mmscope "" | tr '\n' ' ')
for c in vmalock faultlat ptmem ptshare top probe run compare --version; do
	case " $got " in *" $c "*) ;; *) fail "'mmscope <TAB>' lacks $c: $got" ;; esac
done
[ "$(comp mmscope fa)" = faultlat ] || fail "'mmscope fa<TAB>' gave '$(comp mmscope fa)'"
[ "$(comp mmscope co)" = compare ] || fail "'mmscope co<TAB>' gave '$(comp mmscope co)'"
opts=$(comp mmscope faultlat -- | tr '\n' ' ')
for o in --per-process --top --interval --timestamp --pid --milliseconds; do
	case " $opts " in *" $o "*) ;; *) fail "'mmscope faultlat --<TAB>' lacks $o: $opts" ;; esac
done
[ "$(comp mmscope top --tracers vmalock,fa)" = vmalock,faultlat ] ||
	fail "'top --tracers vmalock,fa<TAB>' gave '$(comp mmscope top --tracers vmalock,fa)'"
comp mmscope vmalock -p "$$" | grep -qx "$$" || fail "'vmalock -p <TAB>' does not offer pid $$"
log "completion: subcommands, options, tracer lists and pids complete"
pass
