#!/usr/bin/env bash
# Wrapper behind `npm run up|preview|destroy [-- --stack NAME] [-- pulumi flags...]`.
# - state in a local file backend inside the project (.pulumi/) unless PULUMI_BACKEND_URL is set;
# - an empty PULUMI_CONFIG_PASSPHRASE unless one is set (devnet secrets, local state);
# - selects the stack, creating it on first use (default: dev);
# - runs the policy pack in policies/ unless KUPCAKE_POLICIES=off (see README "Policies").
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:?usage: scripts/pulumi.sh up|preview|destroy [--stack NAME] [pulumi flags...]}
shift
stack=${KUPCAKE_STACK:-dev}
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack=${2:?--stack needs a name}; shift 2 ;;
    --stack=*) stack=${1#--stack=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

if ! command -v pulumi >/dev/null 2>&1; then
  echo "kupcake: the Pulumi CLI is not installed; see https://www.pulumi.com/docs/iac/download-install/ (the offline plan needs none: npm run plan)" >&2
  exit 127
fi
if [ "$cmd" != "destroy" ] && ! docker info >/dev/null 2>&1; then
  echo "kupcake: no Docker engine answers (docker info failed); start Docker or set DOCKER_HOST" >&2
  exit 1
fi

if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  mkdir -p .pulumi
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
fi
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

pulumi stack select --create "$stack" >/dev/null

policy=()
if [ "$cmd" != "destroy" ] && [ "${KUPCAKE_POLICIES:-on}" != "off" ] && [ -f policies/PulumiPolicy.yaml ]; then
  [ -d policies/node_modules ] || npm --prefix policies ci --no-audit --no-fund >/dev/null
  policy=(--policy-pack ./policies)
  [ -f "policies/$stack.json" ] && policy+=(--policy-pack-config "policies/$stack.json")
fi

exec pulumi "$cmd" --stack "$stack" "${policy[@]}" "${args[@]}"
