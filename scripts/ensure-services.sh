#!/usr/bin/env bash
# Make sure a PostgreSQL and a Redis server are reachable for the test suite.
#
# Uses the servers already answering on 127.0.0.1:5432 and 127.0.0.1:6379 when there are any (and they let
# us in without a password); otherwise installs the Debian packages if needed and starts PRIVATE servers
# whose data lives under build/ (trust auth, bound to 127.0.0.1, free ports from 54329 and 63799).
#
# Writes build/services.env (sourced by scripts/test.sh) and prints the same `export` lines on stdout,
# so `eval "$(scripts/ensure-services.sh)"` also works. Progress messages go to stderr.
# scripts/stop-services.sh stops what this script started.
#
# Every knob can be overridden from the environment:
#   PG_HOST=127.0.0.1  PG_PORT_PROBE=5432  PG_PRIVATE_PORT=54329  PG_USER=postgres  PG_DB=rehab
#   REDIS_HOST=127.0.0.1  REDIS_PORT_PROBE=6379  REDIS_PRIVATE_PORT=63799
#   REHAB_BUILD_DIR=<repo>/build  PYTHON=<repo>/.venv/bin/python
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${REHAB_BUILD_DIR:-$ROOT/build}"
PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT_PROBE="${PG_PORT_PROBE:-5432}"
PG_PRIVATE_PORT="${PG_PRIVATE_PORT:-54329}"
PG_USER="${PG_USER:-postgres}"
PG_DB="${PG_DB:-rehab}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT_PROBE="${REDIS_PORT_PROBE:-6379}"
REDIS_PRIVATE_PORT="${REDIS_PRIVATE_PORT:-63799}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

log() { echo "ensure-services: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mkdir -p "$BUILD_DIR"

# --- probes -----------------------------------------------------------------------------------------------

port_open() {  # host port
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

free_port() {  # host first-port -> prints the first port from first-port on that nobody listens on
    local port="$2"
    for _ in $(seq 1 50); do
        if ! port_open "$1" "$port"; then echo "$port"; return 0; fi
        port=$((port + 1))
    done
    return 1
}

redis_answers() {  # host port: a Redis that answers PING without a password
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf "PING\r\n" >&3
        IFS= read -r -t 2 reply <&3 || exit 1
        [[ "$reply" == +PONG* ]]' _ "$1" "$2" 2>/dev/null
}

# Connects as PG_USER (no password) and creates PG_DB when missing. Exit 0 only when that worked.
pg_login_and_create_db() {  # host port
    if "$PY" -c 'import psycopg2' 2>/dev/null; then
        PGCONNECT_TIMEOUT=5 "$PY" - "$1" "$2" "$PG_USER" "$PG_DB" <<'PYEOF' >&2
import sys

import psycopg2
from psycopg2 import sql

host, port, user, dbname = sys.argv[1:5]
try:
    conn = psycopg2.connect(host=host, port=port, user=user, dbname="postgres", connect_timeout=5)
except psycopg2.Error as exc:
    print(f"ensure-services: cannot log in to PostgreSQL at {host}:{port} as {user}: {exc}".strip())
    sys.exit(1)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        print(f"ensure-services: created database {dbname}")
conn.close()
PYEOF
    elif command -v psql >/dev/null 2>&1; then
        psql -h "$1" -p "$2" -U "$PG_USER" -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 || return 1
        if [ -z "$(psql -h "$1" -p "$2" -U "$PG_USER" -d postgres -tAc \
                "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" ]; then
            createdb -h "$1" -p "$2" -U "$PG_USER" "$PG_DB" >&2
        fi
    else
        port_open "$1" "$2"  # nothing to log in with: an open port is the best we can check
    fi
}

pg_answers() {  # host port
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$1" -p "$2" -t 3 || return 1
    else
        port_open "$1" "$2" || return 1
    fi
    pg_login_and_create_db "$1" "$2"
}

# --- private PostgreSQL -----------------------------------------------------------------------------------

pg_bindir() {
    local dir
    if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return 0; fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

PG_STARTED=0
PG_DATA=""
PG_RUNAS=()
start_private_pg() {
    local bindir pg_root sock port
    bindir="$(pg_bindir || true)"
    if [ -z "$bindir" ]; then
        "$ROOT/scripts/apt-ensure.sh" postgresql >&2
        bindir="$(pg_bindir || true)"
        [ -n "$bindir" ] || die "PostgreSQL is installed but initdb was not found"
    fi

    pg_root="$BUILD_DIR/pg"
    mkdir -p "$pg_root"
    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root: the cluster belongs to the `postgres` system user.
        id postgres >/dev/null 2>&1 || "$ROOT/scripts/apt-ensure.sh" postgresql >&2
        PG_RUNAS=(runuser -u postgres --)
        chown -R postgres: "$pg_root"
        if ! "${PG_RUNAS[@]}" test -w "$pg_root" 2>/dev/null; then
            # A checkout under a directory the postgres user cannot enter (e.g. /root): keep the cluster in /tmp.
            pg_root="${TMPDIR:-/tmp}/rehab-pg-$(echo "$ROOT" | md5sum | cut -c1-10)"
            mkdir -p "$pg_root"
            chown -R postgres: "$pg_root"
            chmod 700 "$pg_root"
            log "postgres cannot write under $BUILD_DIR; using $pg_root"
        fi
    fi
    PG_DATA="$pg_root/data"
    sock="$pg_root"
    # Unix socket paths are limited to ~107 bytes.
    if [ "${#sock}" -gt 90 ]; then sock="${TMPDIR:-/tmp}"; fi

    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
        log "initialising a private PostgreSQL cluster in $PG_DATA"
        rm -rf "$PG_DATA"
        "${PG_RUNAS[@]}" "$bindir/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-locale >"$pg_root/initdb.log" 2>&1 \
            || { cat "$pg_root/initdb.log" >&2; die "initdb failed"; }
    fi

    PG_CTL="$bindir/pg_ctl"
    if "${PG_RUNAS[@]}" "$bindir/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        PG_PORT="$(sed -n 4p "$PG_DATA/postmaster.pid")"
        log "private PostgreSQL already running on port $PG_PORT"
        return 0
    fi
    port="$(free_port "$PG_HOST" "$PG_PRIVATE_PORT")" || die "no free port for PostgreSQL from $PG_PRIVATE_PORT"
    log "starting private PostgreSQL on $PG_HOST:$port (data $PG_DATA)"
    # Durability is pointless for throw-away test data; fsync off makes the suite noticeably faster.
    "${PG_RUNAS[@]}" "$bindir/pg_ctl" -D "$PG_DATA" -l "$pg_root/postgres.log" -w -t 60 \
        -o "-p $port -k $sock -c listen_addresses=$PG_HOST -F -c synchronous_commit=off -c full_page_writes=off" \
        start >&2 || { tail -n 30 "$pg_root/postgres.log" >&2 || true; die "could not start PostgreSQL"; }
    PG_PORT="$port"
    PG_STARTED=1
}

# --- private Redis ----------------------------------------------------------------------------------------

REDIS_STARTED=0
REDIS_DIR="$BUILD_DIR/redis"
start_private_redis() {
    local port pid
    command -v redis-server >/dev/null 2>&1 || "$ROOT/scripts/apt-ensure.sh" redis-server >&2
    mkdir -p "$REDIS_DIR"
    if [ -s "$REDIS_DIR/redis.pid" ] && [ -s "$REDIS_DIR/port" ]; then
        pid="$(cat "$REDIS_DIR/redis.pid")"
        port="$(cat "$REDIS_DIR/port")"
        if kill -0 "$pid" 2>/dev/null && redis_answers "$REDIS_HOST" "$port"; then
            log "private Redis already running on port $port"
            REDIS_PORT="$port"
            return 0
        fi
    fi
    port="$(free_port "$REDIS_HOST" "$REDIS_PRIVATE_PORT")" || die "no free port for Redis from $REDIS_PRIVATE_PORT"
    log "starting private Redis on $REDIS_HOST:$port (dir $REDIS_DIR)"
    rm -f "$REDIS_DIR/redis.pid"
    redis-server --port "$port" --bind "$REDIS_HOST" --save "" --appendonly no --daemonize yes \
        --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >&2
    echo "$port" >"$REDIS_DIR/port"
    for _ in $(seq 1 50); do
        redis_answers "$REDIS_HOST" "$port" && break
        sleep 0.2
    done
    redis_answers "$REDIS_HOST" "$port" || { tail -n 30 "$REDIS_DIR/redis.log" >&2 || true; die "could not start Redis"; }
    REDIS_PORT="$port"
    REDIS_STARTED=1
}

# --- main -------------------------------------------------------------------------------------------------

if pg_answers "$PG_HOST" "$PG_PORT_PROBE"; then
    PG_PORT="$PG_PORT_PROBE"
    log "using PostgreSQL at $PG_HOST:$PG_PORT"
else
    log "no usable PostgreSQL at $PG_HOST:$PG_PORT_PROBE"
    start_private_pg
    pg_login_and_create_db "$PG_HOST" "$PG_PORT" || die "private PostgreSQL on port $PG_PORT does not let us in"
fi

if redis_answers "$REDIS_HOST" "$REDIS_PORT_PROBE"; then
    REDIS_PORT="$REDIS_PORT_PROBE"
    log "using Redis at $REDIS_HOST:$REDIS_PORT"
else
    log "no usable Redis at $REDIS_HOST:$REDIS_PORT_PROBE"
    start_private_redis
fi

ENV_FILE="$BUILD_DIR/services.env"
{
    echo "# Written by scripts/ensure-services.sh; sourced by scripts/test.sh."
    echo "export DATABASE_URL=postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
    echo "export CELERY_BROKER_URL=redis://$REDIS_HOST:$REDIS_PORT/14"
    echo "export CELERY_RESULT_BACKEND=redis://$REDIS_HOST:$REDIS_PORT/14"
    echo "export REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT/13"
} >"$ENV_FILE.tmp"
# What scripts/stop-services.sh needs to stop only what was started here.
{
    echo "REHAB_PG_STARTED=$PG_STARTED"
    echo "REHAB_PG_DATA='$PG_DATA'"
    echo "REHAB_PG_CTL='${PG_CTL:-}'"
    echo "REHAB_REDIS_STARTED=$REDIS_STARTED"
    echo "REHAB_REDIS_PIDFILE='$REDIS_DIR/redis.pid'"
} >>"$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"
grep '^export ' "$ENV_FILE"
