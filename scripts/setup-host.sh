#!/usr/bin/env bash
# Prepare a Debian host for paas, idempotently: Debian packages, uv, the Python
# workspace, and a running Docker Engine. Every step checks before it acts, so
# running this again on a prepared machine costs a few seconds.
#
#   scripts/setup-host.sh            # packages + uv + deps + dockerd
#   scripts/setup-host.sh --postgres # also start the Debian PostgreSQL cluster (tests)
set -euo pipefail

WITH_POSTGRES=0
for arg in "$@"; do
  case "$arg" in
    --postgres) WITH_POSTGRES=1 ;;
    *) echo "setup-host: unknown option $arg" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_DIR="${PAAS_HOST_LOG_DIR:-/var/log/paas-host}"
mkdir -p "$LOG_DIR"
say() { echo "setup-host: $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages -------------------------------------------------------
# docker.io: the engine; postgresql: the production store, exercised by tests;
# git: the client and http-backend; debootstrap: stack base images without a registry.
PACKAGES=(docker.io git debootstrap ca-certificates curl wrk openssl)
[ "$WITH_POSTGRES" -eq 1 ] && PACKAGES+=(postgresql)
missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt.log"
else
  say "Debian packages present"
fi

# --- uv and the workspace ----------------------------------------------------
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  say "installing uv"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi
say "syncing Python dependencies (uv sync --frozen)"
(cd "$ROOT" && uv sync --frozen --all-packages --quiet)

# --- Docker Engine -------------------------------------------------------------
"$ROOT/scripts/start-docker.sh"

# --- PostgreSQL (tests) ------------------------------------------------------
if [ "$WITH_POSTGRES" -eq 1 ]; then
  "$ROOT/scripts/start-postgres.sh"
fi
