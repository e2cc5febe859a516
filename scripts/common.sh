# Shared settings of the project's scripts; sourced, never run.
# The private services live outside the checkout: a clone inside root's home
# (mode 700) is not reachable by the `postgres` user that must own the cluster.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QG_STATE_DIR=${QG_STATE_DIR:-/var/tmp/qg-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)}
QG_PG_PORT=${QG_PG_PORT:-55432}
QG_REDIS_PORT=${QG_REDIS_PORT:-56379}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGDATA="$QG_STATE_DIR/pg"
VENV="$ROOT/.venv"
export QG_STATE_DIR QG_PG_PORT QG_REDIS_PORT

say() { printf '\033[1m[qg]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[qg] erreur :\033[0m %s\n' "$*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
