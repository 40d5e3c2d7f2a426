#!/usr/bin/env bash
# Wrapper behind `npm run up|preview|destroy [-- --stack NAME] [-- pulumi flags...]`.
# - state in a local file backend inside the project (.pulumi/) unless PULUMI_BACKEND_URL is set;
# - an empty PULUMI_CONFIG_PASSPHRASE unless one is set (devnet secrets, local state);
# - selects the stack, creating it on first use (default: dev);
# - runs the policy pack in policies/ unless KUPCAKE_POLICIES=off (see README "Policies").
# Written for bash 3.2 too (macOS): no empty-array expansion under `set -u`.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: npm run up|preview|destroy [-- --stack NAME | -s NAME] [-- pulumi flags...]" >&2
}
case "${1:-}" in
  up|preview|destroy|refresh) cmd=$1; shift ;;
  -h|--help) usage; exit 0 ;;
  *) usage; exit 2 ;;
esac
stack=${KUPCAKE_STACK:-dev}
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --stack|-s)
      if [ $# -lt 2 ]; then echo "kupcake: $1 needs a stack name" >&2; exit 2; fi
      stack=$2; shift 2 ;;
    --stack=*) stack=${1#--stack=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

if ! command -v pulumi >/dev/null 2>&1; then
  echo "kupcake: the Pulumi CLI is not installed; see https://www.pulumi.com/docs/iac/download-install/ (the offline plan needs none: npm run plan)" >&2
  exit 127
fi
# The docker provider pings the engine when it is configured, so preview and destroy need it too.
if ! docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; then
  echo "kupcake: no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}; start Docker (or dockerd) or point DOCKER_HOST at a running engine, then retry" >&2
  exit 1
fi

if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  mkdir -p .pulumi
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
fi
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

pulumi stack select --create "$stack" >/dev/null

policy=()
if [ "$cmd" != "destroy" ] && [ "$cmd" != "refresh" ] && [ "${KUPCAKE_POLICIES:-on}" != "off" ] && [ -f policies/PulumiPolicy.yaml ]; then
  if [ ! -d policies/node_modules ]; then
    echo "kupcake: installing the policy pack's dependencies once (npm ci in policies/, about 25 s; KUPCAKE_POLICIES=off skips the pack)" >&2
    npm --prefix policies ci --no-audit --no-fund >/dev/null
  fi
  policy=(--policy-pack ./policies)
  [ -f "policies/$stack.json" ] && policy+=(--policy-pack-config "policies/$stack.json")
fi

exec pulumi "$cmd" --stack "$stack" ${policy[@]+"${policy[@]}"} ${args[@]+"${args[@]}"}
