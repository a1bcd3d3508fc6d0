#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + pgvector server for the tests.
#
#   scripts/pg-test-server.sh start   # install/build what is missing, start, print NEWSWEAVE_TEST_PG=…
#   scripts/pg-test-server.sh env     # print the variables of the running server
#   scripts/pg-test-server.sh stop    # stop the server and delete its cluster
#   scripts/pg-test-server.sh halt    # stop the server abruptly, keep the cluster (fault tests)
#   scripts/pg-test-server.sh resume  # start a halted server again on the same port
#
# On a fresh Debian machine, as root: installs postgresql-15 and postgresql-server-dev-15 with
# apt-get if missing, builds pgvector from the next Debian release's source package (this release
# does not package it) with a private apt sources list whose URI is copied at run time from the
# machine's own Debian entry, and caches the build so that later runs only copy it in.
# Only stdout carries the variables (for `eval`); progress goes to stderr.
set -euo pipefail

PG_MAJOR=15
NEXT_SUITE="${NEWSWEAVE_PGVECTOR_SUITE:-trixie}"   # the release after bookworm packages pgvector
STATE="${NEWSWEAVE_PG_STATE:-${TMPDIR:-/tmp}/newsweave-pg-test}"
CACHE="${NEWSWEAVE_PG_CACHE:-/var/cache/newsweave-pgvector}"
PGBIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=900)

log() { echo "pg-test-server: $*" >&2; }
die() { log "error: $*"; exit 1; }
as_pg() { runuser -u postgres -- "$@"; }

need_root() {
    [ "$(id -u)" = 0 ] || die "run as root (installs packages and runs the server as user postgres)"
}

install_packages() {
    local missing=()
    for p in "postgresql-${PG_MAJOR}" "postgresql-server-dev-${PG_MAJOR}" dpkg-dev build-essential; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    apt-get -q -o DPkg::Lock::Timeout=900 update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install "${APT_OPTS[@]}" --no-install-recommends \
        "${missing[@]}" >&2
    # Debian's package creates and starts a "main" cluster; the tests never use it.
    pg_ctlcluster "${PG_MAJOR}" main stop 2>/dev/null || true
}

# The machine's own Debian archive URI (deb822 .sources first, then one-line sources.list).
debian_uri() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # a stanza whose Suites name the plain release (not -security/-updates/-backports)
        uri=$(awk -v RS= '
            /(^|\n)Suites:[^\n]*[[:space:]][a-z]+([[:space:]]|$)/ && !/(^|\n)Enabled: *no/ {
                if (match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/)) {
                    s = substr($0, RSTART, RLENGTH); sub(/^\n?URIs:[ \t]*/, "", s); print s; exit
                }
            }' "$f")
        if [ -n "$uri" ]; then echo "$uri"; return 0; fi
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk '$1 ~ /^deb(-src)?$/ && $0 !~ /security/ {
                     for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit } }' "$f" \
              | head -n1)
        if [ -n "$uri" ]; then echo "$uri"; return 0; fi
    done
    return 1
}

vector_installed() {
    [ -f "$(pg_config_15 --sharedir)/extension/vector.control" ] &&
        [ -f "$(pg_config_15 --pkglibdir)/vector.so" ]
}

pg_config_15() { "${PGBIN}/pg_config" "$@" 2>/dev/null || /usr/bin/pg_config "$@"; }

build_pgvector() {
    if vector_installed; then return 0; fi
    local stamp="${CACHE}/built-for-pg${PG_MAJOR}"
    if [ ! -f "$stamp" ]; then
        local tmp uri
        tmp=$(mktemp -d)
        uri=$(debian_uri) || die "no Debian source entry found in /etc/apt to copy the archive URI from"
        log "fetching pgvector source ($NEXT_SUITE) and building it"
        mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/src" "$tmp/parts"
        cat > "$tmp/sources.list" <<EOF
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${uri} ${NEXT_SUITE} main
EOF
        local opts=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=$tmp/parts"
                    -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
                    -o "Dir::Cache::Archives=$tmp/archives" -o "APT::Sandbox::User=root"
                    -o "Debug::NoLocking=1")
        apt-get -q "${opts[@]}" update >&2
        (cd "$tmp/src" && apt-get -q "${opts[@]}" source --only-source pgvector >&2)
        local srcdir
        srcdir=$(find "$tmp/src" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
        [ -n "$srcdir" ] || die "apt-get source pgvector gave no source folder"
        rm -rf "$CACHE"
        mkdir -p "$CACHE"
        cp -a "$srcdir" "$CACHE/src"
        rm -rf "$tmp"
        make -C "$CACHE/src" -s PG_CONFIG="${PGBIN}/pg_config" OPTFLAGS="" >&2
        touch "$stamp"
    fi
    log "installing the cached pgvector build"
    make -C "$CACHE/src" -s PG_CONFIG="${PGBIN}/pg_config" OPTFLAGS="" install >&2
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

print_env() {
    [ -f "$STATE/env" ] || die "no test server is running (start it first)"
    cat "$STATE/env"
}

pg_start() {
    as_pg "${PGBIN}/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 60 \
        -o "-p $(cat "$STATE/port") -k $STATE/sock -c listen_addresses=127.0.0.1 -c fsync=off" \
        start >&2
}

start() {
    need_root
    if [ -f "$STATE/env" ] && as_pg "${PGBIN}/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1; then
        log "already running"
        print_env
        return 0
    fi
    [ -d "$STATE" ] && stop
    # Two runs starting at once (each with its own STATE) take turns at apt-get and the build.
    (
        flock 9
        install_packages
        build_pgvector
    ) 9>"${NEWSWEAVE_PG_LOCK:-/var/lock/newsweave-pg-test.lock}"
    trap 'log "start failed"; stop' ERR
    mkdir -p "$STATE/sock"
    local pw port dsn
    pw=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    port=$(free_port)
    echo "$port" > "$STATE/port"
    printf '%s\n' "$pw" > "$STATE/pw"
    chown -R postgres:postgres "$STATE"
    chmod 700 "$STATE"
    as_pg "${PGBIN}/initdb" -D "$STATE/data" -U newsweave --pwfile="$STATE/pw" \
        --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    pg_start
    dsn="postgresql://newsweave:${pw}@127.0.0.1:${port}/newsweave"
    # vector in template1 so every test database created from it has the extension already
    "${PGBIN}/psql" -q -v ON_ERROR_STOP=1 "${dsn%/newsweave}/template1" \
        -c "CREATE EXTENSION IF NOT EXISTS vector" -c "CREATE DATABASE newsweave" >&2
    printf 'NEWSWEAVE_TEST_PG=%s\nNEWSWEAVE_TEST_PG_STATE=%s\n' "$dsn" "$STATE" > "$STATE/env"
    trap - ERR
    log "started on 127.0.0.1:${port} (cluster in $STATE)"
    print_env
}

stop() {
    if [ -d "$STATE/data" ]; then
        as_pg "${PGBIN}/pg_ctl" -D "$STATE/data" -m fast -w stop >&2 2>/dev/null || true
    fi
    rm -rf "$STATE"
    log "stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    halt) as_pg "${PGBIN}/pg_ctl" -D "$STATE/data" -m immediate -w stop >&2 ;;
    resume) pg_start ;;
    *) echo "usage: $0 start|stop|env|halt|resume" >&2; exit 2 ;;
esac
