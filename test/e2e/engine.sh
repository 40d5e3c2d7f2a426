#!/usr/bin/env bash
# Makes a Docker Engine answer on this machine (Debian/Ubuntu, as root): installs Debian's
# docker.io (plus debootstrap, used to build the e2e base image) when missing, starts dockerd in
# the background when nothing answers, and waits for /_ping. Does nothing when an engine answers.
#   bash test/e2e/engine.sh [--help]
# KUPCAKE_DOCKER_ROOT=DIR puts the engine's images, containers and volumes (DIR/data, dockerd
# --data-root) and its runtime state (DIR/exec, --exec-root) under DIR, e.g. on a tmpfs.
set -euo pipefail
case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bash test/e2e/engine.sh [--help]" >&2; exit 2 ;;
esac

answers() { docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }
if answers; then echo "engine: a Docker engine answers (API $(docker version --format '{{.Server.APIVersion}}'))"; exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "engine: no Docker engine answers and this is not root: start Docker yourself (or run this script as root)" >&2
  exit 1
fi
started=$(date +%s)
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "engine: installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
log=${KUPCAKE_DOCKERD_LOG:-/var/log/kupcake-dockerd.log}
echo "engine: starting dockerd (log: $log)"
args=()
if [ -n "${KUPCAKE_DOCKER_ROOT:-}" ]; then
  mkdir -p "$KUPCAKE_DOCKER_ROOT/data" "$KUPCAKE_DOCKER_ROOT/exec"
  args=(--data-root "$KUPCAKE_DOCKER_ROOT/data" --exec-root "$KUPCAKE_DOCKER_ROOT/exec" --pidfile "$KUPCAKE_DOCKER_ROOT/dockerd.pid")
  echo "engine: data and runtime state under $KUPCAKE_DOCKER_ROOT"
fi
nohup dockerd "${args[@]}" >"$log" 2>&1 &
for _ in $(seq 1 120); do
  if answers; then
    echo "engine: Docker engine up (API $(docker version --format '{{.Server.APIVersion}}')) in $(( $(date +%s) - started )) s"
    exit 0
  fi
  sleep 0.5
done
echo "engine: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 20 "$log" >&2
exit 1
