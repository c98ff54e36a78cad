# SPDX-License-Identifier: GPL-2.0
# A throwaway PostgreSQL cluster for the store tests (source after lib.sh):
#   pg_start           initdb into $TMP/pg, start it on a Unix socket there
#                      (no TCP), stopped and removed when the test ends,
#                      pass or fail; skips when PostgreSQL is not installed
#   pg_url DB          the store URL of database DB
#   pg_createdb DB...  create databases
#   pg_sql DB SQL      run SQL, unaligned rows on stdout
# PostgreSQL refuses to run as root: as root the cluster runs as the
# `postgres` user the Debian package creates.

pg_start() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
		skip "needs PostgreSQL (apt-get install postgresql, or make setup)"
	"$MMSCOPE" runs --help | grep -q 'postgresql://' ||
		skip "this mmscope was built without PostgreSQL stores (the static build)"
	PG_DIR="$TMP/pg"
	PG_PORT=5432	# names the socket file in $PG_DIR; nothing listens on TCP
	mkdir -p "$PG_DIR"
	PG_AS=()
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || skip "needs the postgres user (apt-get install postgresql)"
		chmod 711 "$TMP"
		chown postgres: "$PG_DIR"
		PG_AS=(runuser -u postgres --)
	fi
	at_exit pg_stop
	"${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log"; fail "initdb"; }
	"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
		-o "-k $PG_DIR -c listen_addresses= -p $PG_PORT -c fsync=off -c max_connections=40" \
		start >/dev/null || { cat "$PG_DIR/log"; fail "pg_ctl start"; }
	PG_STARTED=1
}

pg_stop() {
	[ -n "${PG_STARTED:-}" ] || return 0
	"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	PG_STARTED=
}

pg_url() { echo "postgresql:///$1?host=$PG_DIR&port=$PG_PORT&user=postgres"; }

pg_createdb() {
	local db
	for db; do
		"$PG_BIN/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres "$db" || fail "createdb $db"
	done
}

pg_sql() { "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$1" -AtqX -v ON_ERROR_STOP=1 -c "$2"; }
