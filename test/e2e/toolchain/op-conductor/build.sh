#!/usr/bin/env bash
# Builds (or reuses) the real op-conductor binary from the optimism Go module, with the Go
# toolchain only: `go build` of github.com/ethereum-optimism/optimism/op-conductor/cmd in the
# wrapper module next to this script (go.mod pins the optimism release whose op-conductor/ tree is
# identical to the pinned op-conductor tag; see README.md). Static (CGO_ENABLED=0), like upstream's
# justfile build. Cached under
#   ${KUPCAKE_TOOLCHAIN_CACHE:-/var/cache/kupcake/toolchain}/op-conductor-<pin>_optimism-<module>_<go>/bin/op-conductor
# and rebuilt only when the stamp (versions + Go + hash of this folder's files) changes.
#
# Usage: test/e2e/toolchain/op-conductor/build.sh [--print-bin | --help]
#   (no args)     build or reuse; prints `built|reused op-conductor <pin> <seconds>s` and the binary
#   --print-bin   progress on stderr; stdout gets only the binary's path
# Environment: KUPCAKE_TOOLCHAIN_CACHE, GOPROXY/GOMODCACHE/GOCACHE as usual for the go command.
# Exit status: 0 the binary is present and runs; 1 the build failed; 2 bad arguments.
set -euo pipefail

print_bin=0
for arg in "$@"; do
  case "$arg" in
    --print-bin) print_bin=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "op-conductor/build.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
if [ "$print_bin" = 1 ]; then exec 3>&1 1>&2; else exec 3>&1; fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
command -v go >/dev/null || { echo "op-conductor/build.sh: go is not on PATH (install Go >= 1.24, e.g. the golang package or go.dev/dl)" >&2; exit 1; }
command -v node >/dev/null || { echo "op-conductor/build.sh: node is not on PATH" >&2; exit 1; }

# The pinned op-conductor version (the image tag the plan uses) and the optimism module version.
pin="$(node -p 'require(process.argv[1]).tag' "$root/conformance/pins/opConductor.json")"
module="$(awk '$1 == "require" && $2 == "github.com/ethereum-optimism/optimism" { print $3 }' "$here/go.mod")"
[ -n "$module" ] || { echo "op-conductor/build.sh: $here/go.mod does not require github.com/ethereum-optimism/optimism" >&2; exit 1; }
# The tree this module version carries must be the pin's: README.md records which release that is.
grep -q "^| pin | \`$pin\` |" "$here/README.md" || {
  echo "op-conductor/build.sh: conformance/pins/opConductor.json pins $pin but $here/README.md does not record that pin: re-check which optimism release carries op-conductor/$pin and update go.mod and README.md" >&2
  exit 1
}

export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOFLAGS="${GOFLAGS:-} -mod=readonly" CGO_ENABLED=0
go_v="$(go env GOVERSION)"
key="op-conductor-${pin}_optimism-${module}_${go_v}"
dir="${KUPCAKE_TOOLCHAIN_CACHE:-/var/cache/kupcake/toolchain}/$key"
bin="$dir/bin"
mkdir -p "$bin" "$dir/stamps"
stamp="$({ echo "$pin $module $go_v"; (cd "$here" && find . -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum); } | sha256sum | cut -d' ' -f1)"

report() { printf '%-7s %-31s %-10s %5ss\n' "$1" op-conductor "$pin" "$2"; }
start=$(date +%s)
if [ -x "$bin/op-conductor" ] && [ "$(cat "$dir/stamps/op-conductor" 2>/dev/null)" = "$stamp" ]; then
  report reused 0
else
  tmp="$bin/.op-conductor.tmp.$$"
  rm -f "$tmp"
  # `// commit <module> <version> <commit> <commit unix time>` in go.mod: what upstream's justfile
  # stamps into the binary (GITCOMMIT, GITDATE), here the optimism release commit.
  read -r commit date < <(awk -v m="$module" '$1 == "//" && $2 == "commit" && $3 == "github.com/ethereum-optimism/optimism" && $4 == m { print $5, $6 }' "$here/go.mod")
  [ -n "${commit:-}" ] || { echo "op-conductor/build.sh: $here/go.mod has no '// commit github.com/ethereum-optimism/optimism $module <commit> <unix time>' line" >&2; exit 1; }
  if ! (cd "$here" && go build -trimpath -o "$tmp" \
    -ldflags "-s -w -X main.Version=$pin -X main.GitCommit=$commit -X main.GitDate=$date" \
    github.com/ethereum-optimism/optimism/op-conductor/cmd); then
    rm -f "$tmp"
    report FAILED $(($(date +%s) - start))
    exit 1
  fi
  mv -f "$tmp" "$bin/op-conductor"
  echo "$stamp" >"$dir/stamps/op-conductor.tmp.$$" && mv -f "$dir/stamps/op-conductor.tmp.$$" "$dir/stamps/op-conductor"
  report built $(($(date +%s) - start))
fi
got="$("$bin/op-conductor" --version 2>&1)" || { echo "op-conductor/build.sh: $bin/op-conductor --version failed: $got" >&2; exit 1; }
echo "verify  $got"
if [ "$print_bin" = 1 ]; then echo "$bin/op-conductor" >&3; fi
