#!/usr/bin/env bash
# The project's own PostgreSQL+PostGIS cluster and Redis server, on local ports.
# Usage: scripts/services.sh start|stop|status|running
# Development and test only: trust authentication on 127.0.0.1 and fsync off.
# Production points DATABASE_URL and REDIS_URL at real servers instead.
source "$(dirname "$0")/common.sh"

SOCK="$QG_STATE_DIR/sock"
PGLOG="$QG_STATE_DIR/log/postgres.log"
REDIS_PID="$QG_STATE_DIR/redis.pid"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }
# Redis removes its pidfile as it stops: read it once, quietly.
redis_running() { local pid; pid=$(cat "$REDIS_PID" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; }
psql_admin() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$QG_PG_PORT" -U postgres "$@"; }

# Both ports are checked before anything is created or started, so that a busy port
# gives one sentence and leaves nothing half-started behind.
check_ports() {
  if ! pg_running && port_in_use "$QG_PG_PORT"; then
    die "le port $QG_PG_PORT (PostgreSQL) est déjà pris par un autre programme. Libérez-le ou choisissez-en un autre : QG_PG_PORT=55433 make …"
  fi
  if ! redis_running && port_in_use "$QG_REDIS_PORT"; then
    die "le port $QG_REDIS_PORT (Redis) est déjà pris par un autre programme. Libérez-le ou choisissez-en un autre : QG_REDIS_PORT=56380 make …"
  fi
}

start_pg() {
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 introuvable dans $PG_BIN : lancez d'abord scripts/setup.sh."
  mkdir -p "$QG_STATE_DIR/log" "$SOCK"
  chmod 755 "$QG_STATE_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$QG_STATE_DIR/log" "$SOCK"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    say "création du cluster PostgreSQL dans $PGDATA"
    mkdir -p "$PGDATA"
    [ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth=trust --no-sync >/dev/null
  fi
  if pg_running; then
    return
  fi
  say "démarrage de PostgreSQL sur 127.0.0.1:$QG_PG_PORT"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 start -o \
    "-p $QG_PG_PORT -c listen_addresses=127.0.0.1 -k $SOCK -c fsync=off \
     -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB \
     -c work_mem=32MB -c maintenance_work_mem=256MB -c max_wal_size=2GB" >/dev/null \
    || die "PostgreSQL n'a pas démarré ; voir $PGLOG"
}

ensure_database() {
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='qg'" | grep -q 1 \
    || psql_admin -d postgres -c "CREATE ROLE qg LOGIN SUPERUSER"
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='qg'" | grep -q 1 \
    || psql_admin -d postgres -c "CREATE DATABASE qg OWNER qg"
  for db in template1 qg; do
    psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null \
      || die "l'extension PostGIS est introuvable : installez postgresql-15-postgis-3 (scripts/setup.sh le fait)."
  done
}

start_redis() {
  if redis_running; then return; fi
  say "démarrage de Redis sur 127.0.0.1:$QG_REDIS_PORT"
  mkdir -p "$QG_STATE_DIR/log" "$QG_STATE_DIR/redis"
  redis-server --port "$QG_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$QG_STATE_DIR/log/redis.log" \
    --dir "$QG_STATE_DIR/redis" || die "Redis n'a pas démarré ; voir $QG_STATE_DIR/log/redis.log"
  for _ in $(seq 50); do
    redis-cli -p "$QG_REDIS_PORT" ping 2>/dev/null | grep -q PONG && return
    sleep 0.1
  done
  die "Redis ne répond pas sur le port $QG_REDIS_PORT ; voir $QG_STATE_DIR/log/redis.log"
}

stop_all() {
  if redis_running; then
    say "arrêt de Redis"
    kill "$(cat "$REDIS_PID")"
    for _ in $(seq 50); do redis_running || break; sleep 0.1; done
  fi
  if pg_running; then
    say "arrêt de PostgreSQL"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
}

case "${1:-}" in
  start) check_ports; start_pg; ensure_database; start_redis ;;
  # Exit status 0 when both already run (`make run` then leaves them running on Ctrl-C).
  running) pg_running && redis_running ;;
  stop) stop_all ;;
  status)
    pg_running && echo "postgresql: en marche (127.0.0.1:$QG_PG_PORT, $PGDATA)" || echo "postgresql: arrêté"
    redis_running && echo "redis: en marche (127.0.0.1:$QG_REDIS_PORT)" || echo "redis: arrêté" ;;
  *) echo "usage: $0 start|stop|status|running" >&2; exit 2 ;;
esac
