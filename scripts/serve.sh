#!/usr/bin/env bash
# Serves QG on http://$QG_HOST:$QG_PORT with a Celery worker and Celery beat.
#   scripts/serve.sh       as production does (`make run`): gunicorn with several workers and
#                          a request timeout (gunicorn.conf.py), static files collected and
#                          served by WhiteNoise;
#   scripts/serve.sh dev   Django's development server, reloaded when the code changes (`make dev`);
#   scripts/serve.sh web-command [dev]   prints the web server's command line and exits.
# Ctrl-C stops everything this script started, PostGIS and Redis included when
# it was this run that started them. `scripts/serve.sh stop` stops a detached run.
source "$(dirname "$0")/common.sh"
QG_HOST=${QG_HOST:-127.0.0.1}
QG_PORT=${QG_PORT:-8000}
RUN="$QG_STATE_DIR/run"
mkdir -p "$RUN" "$QG_STATE_DIR/log"
cd "$ROOT"

stop_pidfile() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

stop_workers() {
  # The auto-reloading development server runs the site in a child process that outlives
  # its parent: its children are noted first and stopped after it (gunicorn's workers are
  # gone by then, stopped by their master).
  local children=""
  [ -f "$RUN/web.pid" ] && children=$(pgrep -P "$(cat "$RUN/web.pid")" || true)
  stop_pidfile "$RUN/web.pid"
  for child in $children; do kill -TERM "$child" 2>/dev/null || true; done
  stop_pidfile "$RUN/beat.pid"
  stop_pidfile "$RUN/worker.pid"
}

check_port() {
  if port_in_use "$QG_PORT"; then
    die "le port $QG_PORT est déjà pris (un autre « make run » ?). Arrêtez-le ou choisissez-en un autre : QG_PORT=8001 make run"
  fi
}

# The web server: gunicorn (workers, timeout, bind and logs from gunicorn.conf.py; WEB_CONCURRENCY
# and GUNICORN_TIMEOUT change them), or runserver in development mode.
web_command() {
  if [ "$1" = dev ]; then
    WEB=("$VENV/bin/python" manage.py runserver "$QG_HOST:$QG_PORT")
  else
    WEB=("$VENV/bin/gunicorn" --config "$ROOT/gunicorn.conf.py" --bind "$QG_HOST:$QG_PORT" config.wsgi)
  fi
}

MODE=run
case "${1:-}" in
  stop) stop_workers; exit 0 ;;
  # `make run` asks first, before a set-up that would be wasted on a busy port.
  check-port) check_port; exit 0 ;;
  web-command) web_command "${2:-run}"; echo "${WEB[*]}"; exit 0 ;;
  dev) MODE=dev ;;
  "") ;;
  *) echo "usage: $0 [dev|stop|check-port|web-command [dev]]" >&2; exit 2 ;;
esac
web_command "$MODE"
if [ "$MODE" = run ]; then
  # Static files from STATIC_ROOT (collected by `make setup`), hashed names, as in production.
  export QG_SERVE_COLLECTED_STATIC=true
fi

check_port

cleanup() {
  trap - INT TERM EXIT
  say "arrêt de QG"
  stop_workers
  if [ "${QG_KEEP_SERVICES:-0}" != 1 ]; then
    "$ROOT/scripts/services.sh" stop
  fi
}
trap cleanup INT TERM EXIT

"$VENV/bin/celery" -A config worker --loglevel=INFO --concurrency=2 \
  --logfile="$QG_STATE_DIR/log/worker.log" >/dev/null 2>&1 &
echo $! > "$RUN/worker.pid"
"$VENV/bin/celery" -A config beat --loglevel=INFO \
  --schedule="$QG_STATE_DIR/celerybeat-schedule" \
  --logfile="$QG_STATE_DIR/log/beat.log" >/dev/null 2>&1 &
echo $! > "$RUN/beat.pid"

if [ "$MODE" = dev ]; then
  say "QG (développement, rechargé à chaque modification) : http://$QG_HOST:$QG_PORT/  (journaux de Celery dans $QG_STATE_DIR/log ; Ctrl-C pour tout arrêter)"
else
  say "QG (gunicorn, comme en production) : http://$QG_HOST:$QG_PORT/  (journaux de Celery dans $QG_STATE_DIR/log ; Ctrl-C pour tout arrêter)"
fi
"${WEB[@]}" &
echo $! > "$RUN/web.pid"
wait "$(cat "$RUN/web.pid")"
