#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mmscope export --listen under hostile or slow clients (faultlat as root
# with BTF, else --tracers none: the collection loop runs every --interval
# either way):
#  - 15 idle connections do not delay a /metrics scrape beyond 1 s;
#  - 40 idle connections are all accepted and each is answered when it
#    finally sends its request;
#  - a client trickling its request one byte per 0.1 s delays neither a
#    concurrent scrape nor the collection interval (the exposition's
#    mmscope_last_collection_timestamp_seconds stays within an interval
#    and a bit of the scrape time, mmscope_collections_total keeps pace);
#  - bounds per connection: a request over 8 KiB is answered 431 and
#    closed, an idle connection is closed after the request timeout;
#  - only GET/HEAD of / and /metrics: traversal 404, POST 405, garbage 400.
. "$(dirname "$0")/lib.sh"
require_cmd curl
require_cmd python3
need_bin "$MMSCOPE"

tracers=none
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] && "$MMSCOPE" --help | grep -q '^  faultlat '; then
	tracers=faultlat
fi
spawn "$TMP/exp.out" "$TMP/exp.err" "$MMSCOPE" export --listen=127.0.0.1:0 --tracers $tracers \
	--interval 0.2 --duration 120
EXP=$SPAWNED
wait_for_line "$TMP/exp.err" 'serving http://127.0.0.1:[0-9]+/metrics' 20 || fail "exporter: $(cat "$TMP/exp.err")"
port=$(sed -n 's|.*serving http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$TMP/exp.err")
log "exporter on port $port, tracers: $tracers"

cat > "$TMP/clients.py" <<'PY'
import socket, sys, threading, time
port = int(sys.argv[1]); what = sys.argv[2]

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    return s

def scrape(path="/metrics"):
    """(seconds, status, body) of one GET, 5 s at most."""
    t = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % path.encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return time.monotonic() - t, int(head.split()[1]), body.decode()

def gauge(body, name):
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    sys.exit("FAIL: %s missing from the exposition" % name)

if what == "idle":                  # N idle connections, then a timed scrape
    n = int(sys.argv[3])
    socks = [connect() for _ in range(n)]
    time.sleep(0.3)                 # the server has seen them all
    dt, code, _ = scrape()
    print("scrape with %d idle connections: %.3f s, status %d" % (n, dt, code))
    if code != 200 or dt > 1.0:
        sys.exit("FAIL: scrape took %.3f s (status %d) beside %d idle connections" % (dt, code, n))
    # every idle one was accepted: each gets its answer now
    for i, s in enumerate(socks):
        s.settimeout(5)
        s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        r = s.recv(64)
        if not r.startswith(b"HTTP/1.0 200"):
            sys.exit("FAIL: idle connection %d got %r" % (i, r))
        s.close()
    print("all %d idle connections answered" % n)

elif what == "trickle":             # slow scraper vs. scrapes and collection
    interval = float(sys.argv[3])
    stop = threading.Event()
    def trickle():
        s = connect()
        for c in b"GET /metrics HTTP/1.0\r\nX-Slow: " + b"y" * 40:
            if stop.is_set():
                break
            try:
                s.send(bytes([c]))
            except OSError:
                break
            time.sleep(0.1)
        s.close()
    th = threading.Thread(target=trickle); th.start()
    time.sleep(0.3)
    _, _, body = scrape()
    c0, t0 = gauge(body, "mmscope_collections_total"), time.time()
    worst = 0
    for _ in range(6):
        time.sleep(0.5)
        dt, code, body = scrape()
        age = time.time() - gauge(body, "mmscope_last_collection_timestamp_seconds")
        worst = max(worst, age)
        print("scrape %.3f s, status %d, last collection %.3f s old" % (dt, code, age))
        if code != 200 or dt > 1.0:
            sys.exit("FAIL: scrape took %.3f s beside a trickling client" % dt)
    c1, t1 = gauge(body, "mmscope_collections_total"), time.time()
    stop.set(); th.join()
    rate = (c1 - c0) / (t1 - t0)
    print("collections: %.1f/s (interval %.2f s), oldest %.3f s" % (rate, interval, worst))
    if worst > interval + 0.5:
        sys.exit("FAIL: collection %.3f s old beside a trickling client" % worst)
    if rate < 0.6 / interval:
        sys.exit("FAIL: %.1f collections/s, expected about %.1f" % (rate, 1 / interval))

elif what == "big":                 # > 8 KiB of request: 431 and closed
    s = connect()
    s.settimeout(5)
    data = b"GET /metrics HTTP/1.0\r\n" + b"X-Big: " + b"z" * 65536 + b"\r\n\r\n"
    got = b""
    try:
        s.sendall(data)
    except OSError:
        pass                        # closed while sending: also bounded
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except OSError:
        pass
    print("oversized request answered %r" % got[:40])
    if got and not got.startswith(b"HTTP/1.0 431"):
        sys.exit("FAIL: oversized request answered %r" % got[:60])

elif what == "timeout":             # an idle connection is closed by the server
    limit = float(sys.argv[3])
    s = connect()
    t = time.monotonic()
    s.settimeout(limit + 5)
    try:
        r = s.recv(64)
    except socket.timeout:
        sys.exit("FAIL: idle connection still open after %.1f s" % (limit + 5))
    except OSError:
        r = b""
    dt = time.monotonic() - t
    print("idle connection closed after %.2f s (%r)" % (dt, r[:30]))
    if dt > limit + 1:
        sys.exit("FAIL: idle connection lasted %.2f s, bound %.1f s" % (dt, limit))
PY

# the request timeout check runs in the background while the rest goes on
python3 "$TMP/clients.py" "$port" timeout 5 > "$TMP/timeout.log" 2>&1 &
TO=$!
python3 "$TMP/clients.py" "$port" idle 15 || fail "15 idle connections"
python3 "$TMP/clients.py" "$port" idle 40 || fail "40 idle connections"
python3 "$TMP/clients.py" "$port" trickle 0.2 || fail "trickling client"
python3 "$TMP/clients.py" "$port" big || fail "oversized request"

code() { curl -s -o /dev/null -w '%{http_code}' -m 5 "$@"; }
[ "$(code "http://127.0.0.1:$port/metrics")" = 200 ] || fail "GET /metrics"
[ "$(code -I "http://127.0.0.1:$port/metrics")" = 200 ] || fail "HEAD /metrics"
[ "$(code --path-as-is "http://127.0.0.1:$port/../../etc/passwd")" = 404 ] || fail "traversal not 404"
[ "$(code --path-as-is "http://127.0.0.1:$port/metrics/../../etc/passwd")" = 404 ] || fail "traversal not 404"
[ "$(code "http://127.0.0.1:$port/$(printf '%0300d' 0)")" = 414 ] || fail "300-byte target not 414"
[ "$(code -X POST "http://127.0.0.1:$port/metrics")" = 405 ] || fail "POST not 405"
[ "$(code -X DELETE "http://127.0.0.1:$port/")" = 405 ] || fail "DELETE not 405"
r=$(printf 'garbage\r\n\r\n' | timeout 5 python3 -c "
import socket,sys; s=socket.create_connection(('127.0.0.1',$port)); s.sendall(sys.stdin.buffer.read()); print(s.recv(40).decode())")
case $r in "HTTP/1.0 400"*) ;; *) fail "garbage request answered '$r'" ;; esac

wait $TO || fail "request timeout: $(cat "$TMP/timeout.log")"
cat "$TMP/timeout.log"
kill -TERM $EXP; wait_exit $EXP 10; rc=$?
[ $rc -eq 0 ] || fail "exporter exit $rc on SIGTERM"
pass "concurrent, bounded, collection never delayed by a client"
