#!/usr/bin/env bash
# Installs what QG needs on a Debian machine: system packages (only the missing
# ones) and a .venv with the pinned requirements (only when they changed).
source "$(dirname "$0")/common.sh"

DEBIAN_PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
  libgdal32 libgeos-c1v5 libproj25 proj-data gdal-bin
  redis-server
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
  poppler-utils chromium gettext python3-venv wrk
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    die "paquets Debian manquants : ${missing[*]} — installez-les (apt-get install) ou relancez en root."
  fi
  say "installation des paquets Debian : ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    PY=$candidate; break
  fi
done
[ -n "$PY" ] || die "Python 3.11 est requis (Django 5.2 et les paquets épinglés)."

stamp="$VENV/.requirements.sha1"
want=$(sha1sum "$ROOT/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "préparation de .venv (requirements.txt)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements.txt"
  echo "$want" > "$stamp"
fi
