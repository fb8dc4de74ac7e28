#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the test suite and prints its URL.
# Installs Debian's postgresql package when no server is installed. Idempotent: a server already
# running in the data folder is reused.
#   usage: scripts/postgres.sh start|stop   (env: SIGNET_PG_PORT, default 54329)
set -euo pipefail
PORT="${SIGNET_PG_PORT:-54329}"
DATA="${SIGNET_PG_DATA:-/tmp/signet-pg-$PORT}"

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  return 1
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ]; then
  echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN="$(find_bin)"
fi

# PostgreSQL refuses to run as root: run it as the postgres user when we are root.
as_pg() {
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

case "${1:-start}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" = "0" ] && chown postgres "$DATA"
      as_pg "'$BIN/initdb' -D '$DATA' -U signet --auth=trust -E UTF8 --no-locale" >/dev/null
    fi
    if ! as_pg "'$BIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1; then
      as_pg "'$BIN/pg_ctl' -D '$DATA' -l '$DATA/server.log' -w -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200\" start" >/dev/null
    fi
    echo "postgres://signet@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_pg "'$BIN/pg_ctl' -D '$DATA' -m fast stop" >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
