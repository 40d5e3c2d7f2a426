#!/usr/bin/env bash
# Wrapper behind `npm run up|preview|destroy|refresh [-- --stack NAME] [pulumi flags...]`.
# - state in a local file backend inside the project (.pulumi/) unless PULUMI_BACKEND_URL is set;
# - an empty PULUMI_CONFIG_PASSPHRASE unless one is set (devnet secrets, local state);
# - one stack (default: dev, or KUPCAKE_STACK): up/preview need its Pulumi.<stack>.yaml, as the
#   offline plan does, and create the stack in the backend on first use; destroy/refresh need the
#   stack to exist in the backend and never create it;
# - before `up`, a port preflight (ops/preflight.ts, before anything is pulled or created): refuses
#   when a host port the stack publishes is taken by anything but this stack's own running
#   containers (KUPCAKE_PREFLIGHT=off skips it);
# - runs the policy pack in policies/ unless KUPCAKE_POLICIES=off (see README "Policies").
# Exit codes: pulumi's own; 2 usage errors, unknown stacks, invalid config (preflight); 1 a missing
# engine or a taken host port.
# Written for bash 3.2 too (macOS): no empty-array expansion under `set -u`.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: npm run up|preview|destroy|refresh [-- [--stack NAME | -s NAME] [pulumi flags...]]
  up        create or update the stack (default: dev); needs Pulumi.<stack>.yaml; first checks
            that the host ports it publishes are free or its own (KUPCAKE_PREFLIGHT=off skips that)
  preview   what up would change; needs Pulumi.<stack>.yaml
  destroy   remove the stack's containers, volumes and network; the stack must exist
  refresh   read the containers' real state into the stack; the stack must exist
  Flags other than --stack/-s go to pulumi as they are, e.g. npm run up -- --stack multi-sequencer --yes.
  Write the -- : without it npm takes -s as its own --silent and the wrapper refuses the stray name.
  Environment: PULUMI_BACKEND_URL (default file://./.pulumi), PULUMI_CONFIG_PASSPHRASE (default
  empty), KUPCAKE_STACK (default stack), KUPCAKE_POLICIES=off, KUPCAKE_PREFLIGHT=off.
EOF
}
usage_error() {
  echo "kupcake: $1" >&2
  usage >&2
  exit 2
}

case "${1:-}" in
  up|preview|destroy|refresh) cmd=$1; shift ;;
  -h|--help) usage; exit 0 ;;
  "") usage_error "which command? up, preview, destroy or refresh" ;;
  *) usage_error "unknown command '$1'" ;;
esac

stack=""
stack_flag=""
choose_stack() { # NAME FLAG
  if [ -z "$1" ]; then usage_error "$2 needs a stack name"; fi
  if [ -n "$stack" ] && [ "$stack" != "$1" ]; then usage_error "two stacks given ($stack_flag $stack and $2 $1); pick one"; fi
  stack=$1
  stack_flag=$2
}
args=()
# Whether the previous argument was a pulumi option that may take a value (--target URN, -m MSG).
after_option=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --stack|-s)
      if [ $# -lt 2 ] || [ "${2#-}" != "$2" ]; then usage_error "$1 needs a stack name"; fi
      choose_stack "$2" "$1"; shift 2; after_option=0; continue ;;
    --stack=*|-s=*) choose_stack "${1#*=}" "${1%%=*}"; after_option=0 ;;
    --*=*) args+=("$1"); after_option=0 ;;
    -*) args+=("$1"); after_option=1 ;;
    *)
      if [ "$after_option" = 0 ]; then
        hint=""
        if [ "${npm_config_loglevel:-}" = "silent" ]; then hint=" (npm took -s as its own --silent flag)"; fi
        usage_error "unexpected argument '$1'$hint. To pick a stack write: npm run $cmd -- --stack $1"
      fi
      args+=("$1"); after_option=0 ;;
  esac
  shift
done
stack=${stack:-${KUPCAKE_STACK:-dev}}
case "$stack" in
  *[!A-Za-z0-9._-]*|-*|.*) usage_error "'$stack' is not a stack name (letters, digits, '.', '_', '-')" ;;
esac

# A stack is defined by its config file, for every command that runs the program (as for npm run plan).
stack_file="Pulumi.$stack.yaml"
if [ "$cmd" = up ] || [ "$cmd" = preview ]; then
  if [ ! -f "$stack_file" ]; then
    known=$(ls Pulumi.*.yaml 2>/dev/null | sed -e 's/^Pulumi\.//' -e 's/\.yaml$//' | tr '\n' ' ' | sed 's/ $//')
    echo "kupcake: no stack file $stack_file, so there is no stack '$stack' to $cmd (npm run plan -- --stack $stack refuses the same way)." >&2
    echo "  Fix: create it from an example, e.g. cp Pulumi.dev.yaml $stack_file (set kupcake:network and kupcake:portOffset if another devnet runs), or pick one of: ${known:-none}" >&2
    exit 2
  fi
fi

if ! command -v pulumi >/dev/null 2>&1; then
  echo "kupcake: the Pulumi CLI is not installed; see https://www.pulumi.com/docs/iac/download-install/ (the offline plan needs none: npm run plan)" >&2
  exit 127
fi
# The docker provider pings the engine when it is configured, so preview and destroy need it too.
if ! docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; then
  echo "kupcake: no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}; start Docker (or dockerd) or point DOCKER_HOST at a running engine, then retry" >&2
  exit 1
fi

if [ "$cmd" = up ] && [ "${KUPCAKE_PREFLIGHT:-on}" != "off" ]; then
  # Every host port of the stack's offline plan must be free or held by its own containers.
  node --import tsx ops/preflight.ts --stack "$stack" --dir "$PWD"
fi

if [ -z "${PULUMI_BACKEND_URL:-}" ]; then
  mkdir -p .pulumi
  export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
fi
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"

if [ "$cmd" = up ] || [ "$cmd" = preview ]; then
  pulumi stack select --create "$stack" >/dev/null
else
  # destroy/refresh of a stack that does not exist must not create it first.
  if ! err=$(pulumi stack select "$stack" 2>&1 >/dev/null); then
    case "$err" in
      *"no stack named"*)
        echo "kupcake: there is no stack '$stack' in $PULUMI_BACKEND_URL, so nothing to $cmd (nothing was created). List them: pulumi stack ls" >&2
        exit 2 ;;
    esac
    printf '%s\n' "$err" >&2
    exit 1
  fi
fi

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
