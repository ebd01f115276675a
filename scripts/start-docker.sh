#!/usr/bin/env bash
# Start the Docker Engine in the background unless it already answers; wait for it.
# Idempotent. (The daemon must outlive this script and the terminal that ran it.)
set -euo pipefail
LOG_DIR="${PAAS_HOST_LOG_DIR:-/var/log/paas-host}"
mkdir -p "$LOG_DIR"

if docker info >/dev/null 2>&1; then
  echo "start-docker: Docker Engine running"
  exit 0
fi
echo "start-docker: starting dockerd (log: $LOG_DIR/dockerd.log)"
if [ "$(id -u)" -eq 0 ]; then
  setsid dockerd >>"$LOG_DIR/dockerd.log" 2>&1 < /dev/null &
else
  sudo setsid dockerd >>"$LOG_DIR/dockerd.log" 2>&1 < /dev/null &
fi
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && { echo "start-docker: Docker Engine running"; exit 0; }
  sleep 1
done
echo "start-docker: dockerd did not start; see $LOG_DIR/dockerd.log" >&2
exit 1
