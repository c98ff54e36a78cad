#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope top on a terminal behaves like top, driven in tmux:
#  - a frame fits the window: the header is the first row, every tracer's
#    section is on screen (each trimmed to its share of the rows);
#  - a resize redraws at once (SIGWINCH), still fitting;
#  - p sorts the process tables by pid, at once; q quits (exit 0).
# The interval is 3 s, so what happens between frames is the keys' and the
# resize's doing, not the next report's.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd tmux
need_bin "$MMSCOPE"
SOCK="mmscope-test-$$"
T() { tmux -L "$SOCK" "$@"; }
at_exit "tmux -L $SOCK kill-server"
cap() { T capture-pane -p -t top >"$TMP/pane"; }
titles() { grep -c '^== \(vmalock\|faultlat\|ptmem\|ptshare\) (' "$TMP/pane"; }

T new-session -d -s top -x 100 -y 30 \
	"'$MMSCOPE' top --interval 3 ${MODE_ARGS[*]} 2>'$TMP/err'; echo EXIT=\$? >'$TMP/exit'; sleep 60"
# the first frame
for ((i = 0; i < 100 * SLOW; i++)); do
	cap; head -n 1 "$TMP/pane" | grep -q '^mmscope top ' && break
	sleep 0.1
done
head -n 1 "$TMP/pane" | grep -q '^mmscope top ' ||
	fail "no frame with the header on the first row: $(head -n 5 "$TMP/pane"; cat "$TMP/err")"
[ "$(titles)" = 4 ] || fail "100x30: $(titles) of 4 sections on screen: $(cat "$TMP/pane")"
grep -q 'more lines' "$TMP/pane" || fail "100x30: no section trimmed to its share"
log "100x30: header on row 1, 4 sections, trimmed"

# resize: redrawn before the next frame
T resize-window -t top -x 60 -y 16
sleep 0.5
cap
[ "$(wc -l <"$TMP/pane")" -le 16 ] || fail "pane has more than 16 rows?"
head -n 1 "$TMP/pane" | grep -q '^mmscope top ' || fail "60x16: header not on the first row: $(cat "$TMP/pane")"
[ "$(titles)" = 4 ] || fail "60x16: $(titles) of 4 sections on screen: $(cat "$TMP/pane")"
awk 'length > 60 { exit 1 }' "$TMP/pane" || fail "60x16: a line wider than the window"
log "resized to 60x16: redrawn, header on row 1, 4 sections"

# p: sorted by pid at once
T resize-window -t top -x 120 -y 60
sleep 0.3
T send-keys -t top p
sleep 0.5
cap
head -n 1 "$TMP/pane" | grep -q 'sort: pid' || fail "p: header does not say 'sort: pid': $(head -n 1 "$TMP/pane")"
pids=$(awk '/^== vmalock/ { on = 1; next } /^==/ { on = 0 } on && /^ +[0-9]+ / { print $1 }' "$TMP/pane")
[ -n "$pids" ] || fail "no vmalock process rows: $(cat "$TMP/pane")"
[ "$pids" = "$(echo "$pids" | sort -n)" ] || fail "p: vmalock rows not in pid order: $(echo $pids)"
log "p: sorted by pid ($(echo "$pids" | wc -l) vmalock rows)"

# q quits
T send-keys -t top q
for ((i = 0; i < 50 * SLOW; i++)); do [ -s "$TMP/exit" ] && break; sleep 0.1; done
[ -s "$TMP/exit" ] || fail "q did not quit top"
[ "$(cat "$TMP/exit")" = EXIT=0 ] || fail "top exited with $(cat "$TMP/exit"): $(cat "$TMP/err")"
pass
