#!/usr/bin/env bash
# Builds (or reuses) every image the end-to-end run needs, all locally: no registry is involved.
#   kupcake-e2e/debian:bookworm        debootstrap minbase rootfs, imported (tarball cached)
#   kupcake-e2e/foundry:v<version>     the real anvil + cast from node_modules/@foundry-rs
#   kupcake-e2e/prometheus:<deb-ver>   Debian's prometheus package, laid out like prom/prometheus
#   kupcake-e2e/standin-base:<key>     node + the bundle of test/e2e/standin/main.ts
#   kupcake-e2e/<service>:<tag>-standin  one per service that cannot run for real here
#   kupcake-e2e/op-conductor:<tag>-real  the real op-conductor built from the optimism Go module
#                                      (not in the map; KUPCAKE_E2E_REAL_CONDUCTOR=0 skips it)
# Every image carries the label kupcake.e2e.key=<hash of its build inputs> and is reused while an
# image with that name and key exists. Prints one `built|reused NAME SECONDS` line per image on
# stderr, and the service -> image map (the stack's `kupcake:images`) on stdout or into --out FILE.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: test/e2e/images.sh [--out FILE] [--verify] [--rebuild] [--help]
  --out FILE   write the {"<serviceKey>": "<image>"} map to FILE instead of stdout
  --verify     after building, smoke-test the images (runs containers on a throwaway network)
  --rebuild    ignore the build keys and rebuild every image (the rootfs tarball is still reused)
environment:
  KUPCAKE_E2E_CACHE      cache directory (default /var/cache/kupcake/e2e): rootfs tarballs, logs
  KUPCAKE_E2E_MIRROR     Debian mirror for debootstrap (default: the one apt on this machine uses)
  KUPCAKE_STANDIN_ENTRY  stand-in entry file (default test/e2e/standin/main.ts)
EOF
}

out="" verify=0 rebuild=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || { echo "images.sh: --out needs a file" >&2; exit 2; }; out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --verify) verify=1; shift ;;
    --rebuild) rebuild=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "images.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/test/e2e/images
CACHE=${KUPCAKE_E2E_CACHE:-/var/cache/kupcake/e2e}
ENTRY=${KUPCAKE_STANDIN_ENTRY:-$ROOT/test/e2e/standin/main.ts}
SUITE=bookworm
VARIANT=minbase
LABEL=kupcake.e2e.key
REPO=kupcake-e2e
export DOCKER_BUILDKIT=0   # Debian's docker.io has no buildx: the classic builder

log() { printf '%s\n' "$*" >&2; }
die() { log "images.sh: $*"; exit 1; }
now() { local t=${EPOCHREALTIME:-}; [ -n "$t" ] && printf '%s' "${t/,/.}" || date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
sha() { sha256sum | cut -d' ' -f1; }
str_sha() { printf '%s' "$1" | sha; }

# sha256 of a file, remembered per (path, device, inode, size, mtime): node, anvil and cast are
# ~200 MB together and a warm run should not read them again.
file_sha() {
  local f id rec
  f=$(readlink -f "$1")
  id=$(stat -Lc '%d %i %s %Y' "$f")
  rec="$CACHE/filehash/$(str_sha "$f")"
  if [ -f "$rec" ] && [ "$(sed -n 1p "$rec")" = "$id" ]; then sed -n 2p "$rec"; return; fi
  local h; h=$(sha256sum "$f" | cut -d' ' -f1)
  mkdir -p "$CACHE/filehash" && printf '%s\n%s\n' "$id" "$h" >"$rec.tmp" && mv -f "$rec.tmp" "$rec"
  printf '%s\n' "$h"
}

# Hash of a folder's files: names, modes and contents.
dir_sha() {
  (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r stat -c '%a %n' \
    && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha
}

image_key() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }
report() { printf '%-7s %-52s %6ss\n' "$1" "$2" "$3" >&2; }

WORK=""
VERIFY=kupcake-e2e-verify-$$   # prefix of every container, volume and network --verify creates
ROOTFS_TMP=""
cleanup() {
  local rc=$?
  if [ "$verify" = 1 ] && declare -F verify_cleanup >/dev/null; then verify_cleanup; fi
  if [ -n "$ROOTFS_TMP" ] && [ -d "$ROOTFS_TMP" ]; then
    # debootstrap mounts /proc and /sys inside the target; never recurse into a mount.
    awk -v d="$ROOTFS_TMP/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$ROOTFS_TMP" 2>/dev/null || true
  fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# docker build NAME KEY CONTEXT [extra docker build args...]; the build log stays in $CACHE/logs.
docker_build() {
  local name=$1 key=$2 ctx=$3; shift 3
  local logf="$CACHE/logs/$(printf '%s' "$name" | tr '/:' '__').log"
  local flags=(--rm --force-rm --label "$LABEL=$key" -t "$name")
  [ "$rebuild" = 1 ] && flags+=(--no-cache)
  if ! docker build "${flags[@]}" "$@" "$ctx" >"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    die "building $name failed (full log: $logf)"
  fi
}

# ensure NAME KEY FOLDER [extra build args...]: reuse NAME if it carries KEY, else build FOLDER's
# Dockerfile (the context is a copy of FOLDER plus whatever the caller put in $WORK/ctx-<folder>).
ensure() {
  local name=$1 key=$2 folder=$3; shift 3
  local t0; t0=$(now)
  if [ "$rebuild" = 0 ] && [ "$(image_key "$name")" = "$key" ]; then
    report reused "$name" "$(since "$t0")"; return
  fi
  local ctx="$WORK/ctx-$folder"
  mkdir -p "$ctx" && cp -a "$HERE/$folder/." "$ctx/"
  docker_build "$name" "$key" "$ctx" "$@"
  report built "$name" "$(since "$t0")"
}

# Hard-links (or copies) a host file into a build context.
stage() { ln -f "$1" "$2" 2>/dev/null || cp -f "$1" "$2"; }

# The Debian mirror apt on this machine uses for $SUITE (one-line or deb822 sources).
find_mirror() {
  if [ -n "${KUPCAKE_E2E_MIRROR:-}" ]; then printf '%s\n' "$KUPCAKE_E2E_MIRROR"; return; fi
  local m=""
  if [ -f /etc/apt/sources.list ]; then
    m=$(awk -v s="$SUITE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($(i + 1) == s) { print $i; exit } }' /etc/apt/sources.list)
  fi
  if [ -z "$m" ]; then
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      m=$(awk -v s="$SUITE" '
        function flush() { if (deb && on && suite && uri != "" && !found) { print uri; found = 1 } deb = 0; on = 1; suite = 0; uri = "" }
        BEGIN { on = 1 }
        /^[ \t]*$/ { flush(); next }
        /^#/ { next }
        tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
        tolower($1) == "enabled:" { if (tolower($2) == "no") on = 0 }
        tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) suite = 1 }
        tolower($1) == "uris:" { uri = $2 }
        END { flush() }' "$f")
      [ -n "$m" ] && break
    done
  fi
  [ -n "$m" ] || die "no apt source for Debian $SUITE on this machine; set KUPCAKE_E2E_MIRROR"
  printf '%s\n' "$m"
}

# ---------------------------------------------------------------------------------------------
command -v docker >/dev/null || die "docker CLI not found"
docker version --format '{{ .Server.APIVersion }}' >/dev/null 2>&1 || die "Docker Engine not reachable (docker version failed)"
NODE=$(command -v node) || die "node not found on PATH"
NODE=$(readlink -f "$NODE")
ESBUILD=$ROOT/node_modules/.bin/esbuild
[ -x "$ESBUILD" ] || die "$ESBUILD missing: run npm ci first"
case "$(uname -m)" in x86_64) ARCH=amd64 ;; aarch64) ARCH=arm64 ;; *) die "unsupported machine $(uname -m)" ;; esac

mkdir -p "$CACHE/logs" "$CACHE/rootfs" || die "cannot create $CACHE (set KUPCAKE_E2E_CACHE)"
exec 9>"$CACHE/.lock"
flock -w 3600 9 || die "another images.sh holds $CACHE/.lock"
WORK=$(mktemp -d "$CACHE/work.XXXXXX")
T_ALL=$(now)

# What the project pins: DEFAULT_IMAGES tags and the foundry npm version, read, never retyped.
FACTS=$(cd "$ROOT" && ARCH=$ARCH "$NODE" --import tsx -e '
  const { DEFAULT_IMAGES, parseImageRef } = require("./components/images.ts");
  const pkg = require("./package.json");
  const want = (name) => (pkg.optionalDependencies ?? {})[name] ?? (pkg.devDependencies ?? {})[name] ?? (pkg.dependencies ?? {})[name];
  const have = (name) => { try { return require(`./node_modules/${name}/package.json`).version; } catch { return "missing"; } };
  const a = `@foundry-rs/anvil-linux-${process.env.ARCH}`, c = `@foundry-rs/cast-linux-${process.env.ARCH}`;
  const lines = [`foundry ${want(a)} ${have(a)} ${have(c)} ${want(c)}`];
  for (const [k, ref] of Object.entries(DEFAULT_IMAGES)) lines.push(`image ${k} ${parseImageRef(ref)?.tag ?? "-"} ${ref}`);
  console.log(lines.join("\n"));') || die "could not read components/images.ts and package.json"
declare -A TAG UPSTREAM
KEYS=()
while read -r kind a b c d e; do
  case "$kind" in
    foundry) FOUNDRY_VERSION=$a; [ "$b" = "$a" ] && [ "$c" = "$a" ] && [ "$d" = "$a" ] \
      || die "package.json pins foundry $a/$d but node_modules has anvil $b, cast $c: run npm ci" ;;
    image) KEYS+=("$a"); TAG[$a]=$b; UPSTREAM[$a]=$c ;;
  esac
done <<<"$FACTS"
[ "${FOUNDRY_VERSION:-undefined}" != undefined ] || die "package.json does not pin @foundry-rs/anvil-linux-$ARCH"
[ "${TAG[anvil]}" = "v$FOUNDRY_VERSION" ] || log "images.sh: note: DEFAULT_IMAGES.anvil is ${TAG[anvil]}, the npm foundry is v$FOUNDRY_VERSION"
declare -A IMAGE

# 1. Debian base: debootstrap once, keep the tarball, import it when the image is missing.
BASE=$REPO/debian:$SUITE
PREP=$HERE/debian/prepare-rootfs.sh
TARBALL=$CACHE/rootfs/debian-$SUITE-$ARCH-$VARIANT.tar
RECIPE=$(str_sha "debootstrap --variant=$VARIANT --arch=$ARCH $SUITE; $(cat "$PREP")")
t0=$(now)
if [ ! -f "$TARBALL" ] || [ "$(cat "$TARBALL.recipe" 2>/dev/null)" != "$RECIPE" ] || [ ! -f "$TARBALL.sha256" ]; then
  command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"
  [ "$(id -u)" = 0 ] || die "debootstrap needs root (no cached rootfs at $TARBALL)"
  MIRROR=$(find_mirror)
  log "images.sh: debootstrap $VARIANT $SUITE/$ARCH from $MIRROR"
  ROOTFS_TMP=$(mktemp -d "$CACHE/rootfs/tmp.XXXXXX")
  if ! debootstrap --variant="$VARIANT" --arch="$ARCH" "$SUITE" "$ROOTFS_TMP/root" "$MIRROR" >"$CACHE/logs/debootstrap.log" 2>&1; then
    tail -n 30 "$CACHE/logs/debootstrap.log" >&2
    die "debootstrap failed (full log: $CACHE/logs/debootstrap.log)"
  fi
  sh "$PREP" "$ROOTFS_TMP/root"
  tar --numeric-owner -C "$ROOTFS_TMP/root" -cf "$ROOTFS_TMP/rootfs.tar" .
  sha256sum "$ROOTFS_TMP/rootfs.tar" | cut -d' ' -f1 >"$TARBALL.sha256.tmp"
  mv -f "$ROOTFS_TMP/rootfs.tar" "$TARBALL"
  mv -f "$TARBALL.sha256.tmp" "$TARBALL.sha256"
  printf '%s\n' "$RECIPE" >"$TARBALL.recipe"
  rm -rf --one-file-system "$ROOTFS_TMP"; ROOTFS_TMP=""
fi
BASE_KEY=$(str_sha "base $RECIPE $(cat "$TARBALL.sha256")")
if [ "$rebuild" = 0 ] && [ "$(image_key "$BASE")" = "$BASE_KEY" ]; then
  report reused "$BASE" "$(since "$t0")"
else
  docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' -c "LABEL $LABEL=$BASE_KEY" \
    -m "kupcake e2e: debootstrap --variant=$VARIANT $SUITE ($ARCH)" \
    "$TARBALL" "$BASE" >/dev/null
  report built "$BASE" "$(since "$t0")"
fi

# 2. Foundry: the real anvil and cast from the npm packages.
FOUNDRY=$REPO/foundry:v$FOUNDRY_VERSION
ANVIL=$ROOT/node_modules/@foundry-rs/anvil-linux-$ARCH/bin/anvil
CAST=$ROOT/node_modules/@foundry-rs/cast-linux-$ARCH/bin/cast
[ -f "$ANVIL" ] && [ -f "$CAST" ] || die "anvil/cast binaries missing under node_modules/@foundry-rs: run npm ci"
key=$(str_sha "foundry $(dir_sha "$HERE/foundry") $BASE_KEY $(file_sha "$ANVIL") $(file_sha "$CAST")")
mkdir -p "$WORK/ctx-foundry" && stage "$ANVIL" "$WORK/ctx-foundry/anvil" && stage "$CAST" "$WORK/ctx-foundry/cast"
ensure "$FOUNDRY" "$key" foundry --build-arg "BASE=$BASE" --label "kupcake.e2e.upstream=${UPSTREAM[anvil]}"
IMAGE[anvil]=$FOUNDRY

# 3. Prometheus from Debian: the tag is the package version, known only once it is installed.
t0=$(now)
key=$(str_sha "prometheus $(dir_sha "$HERE/prometheus") $BASE_KEY")
PROM=""
if [ "$rebuild" = 0 ]; then
  PROM=$(docker images --filter "label=$LABEL=$key" --format '{{ .Repository }}:{{ .Tag }}' "$REPO/prometheus" | grep -v ':build-' | head -n 1 || true)
fi
if [ -n "$PROM" ]; then
  report reused "$PROM" "$(since "$t0")"
else
  tmp=$REPO/prometheus:build-${key:0:12}
  mkdir -p "$WORK/ctx-prometheus" && cp -a "$HERE/prometheus/." "$WORK/ctx-prometheus/"
  docker_build "$tmp" "$key" "$WORK/ctx-prometheus" --build-arg "BASE=$BASE" --label "kupcake.e2e.upstream=${UPSTREAM[prometheus]}"
  ver=$(docker run --rm --entrypoint dpkg-query "$tmp" -W -f '${Version}' prometheus) || die "cannot read the prometheus package version"
  ver=${ver#*:}                                   # no epoch
  PROM=$REPO/prometheus:$(printf '%s' "$ver" | tr -c 'A-Za-z0-9_.-' '_')
  docker tag "$tmp" "$PROM" && docker rmi "$tmp" >/dev/null
  report built "$PROM" "$(since "$t0")"
fi
IMAGE[prometheus]=$PROM

# 4. Stand-ins: one base with node and the bundle, then one thin image per service.
[ -f "$ENTRY" ] || die "stand-in entry $ENTRY not found (set KUPCAKE_STANDIN_ENTRY to build with another one)"
mkdir -p "$WORK/ctx-standin-base"
if ! (cd "$ROOT" && "$ESBUILD" "$ENTRY" --bundle --platform=node --target=node20 --log-level=warning \
      --outfile="$WORK/ctx-standin-base/standin.js"); then
  die "esbuild could not bundle $ENTRY"
fi
stage "$NODE" "$WORK/ctx-standin-base/node"
key=$(str_sha "standin-base $(dir_sha "$HERE/standin-base") $BASE_KEY $(file_sha "$NODE") $(sha <"$WORK/ctx-standin-base/standin.js")")
STANDIN_BASE=$REPO/standin-base:${key:0:16}
ensure "$STANDIN_BASE" "$key" standin-base --build-arg "BASE=$BASE"
STANDIN_KEY=$key

STANDINS=(opDeployer opReth konaNode opConductor opBatcher opProposer opChallenger grafana)
declare -A FOLDER=(
  [opDeployer]=op-deployer [opReth]=op-reth [konaNode]=kona-node [opConductor]=op-conductor
  [opBatcher]=op-batcher [opProposer]=op-proposer [opChallenger]=op-challenger [grafana]=grafana
)
for k in "${STANDINS[@]}"; do
  folder=${FOLDER[$k]}
  [ "${TAG[$k]:-}" != "" ] && [ "${TAG[$k]}" != "-" ] || die "DEFAULT_IMAGES.$k has no tag"
  name=$REPO/$folder:${TAG[$k]}-standin
  key=$(str_sha "standin $folder $(dir_sha "$HERE/$folder") $STANDIN_KEY")
  ensure "$name" "$key" "$folder" --build-arg "BASE=$STANDIN_BASE" --label "kupcake.e2e.upstream=${UPSTREAM[$k]}"
  IMAGE[$k]=$name
done

# 5. The REAL op-conductor: built from the optimism Go module (test/e2e/toolchain/op-conductor,
#    cached by version) and laid out like the upstream image. Not part of the map (the stack's
#    conductors are still the stand-in); test/e2e/realConductor.test.ts runs it.
#    KUPCAKE_E2E_REAL_CONDUCTOR=0 skips it (no Go toolchain needed then).
REAL_CONDUCTOR=""
if [ "${KUPCAKE_E2E_REAL_CONDUCTOR:-1}" != 0 ]; then
  t0=$(now)
  OC_BIN=$("$ROOT/test/e2e/toolchain/op-conductor/build.sh" --print-bin) \
    || die "building the real op-conductor failed (test/e2e/toolchain/op-conductor/build.sh; needs go on PATH and the Go module proxy)"
  REAL_CONDUCTOR=$REPO/op-conductor:${TAG[opConductor]}-real
  mkdir -p "$WORK/ctx-op-conductor-real" && stage "$OC_BIN" "$WORK/ctx-op-conductor-real/op-conductor"
  key=$(str_sha "op-conductor-real $(dir_sha "$HERE/op-conductor-real") $BASE_KEY $(file_sha "$OC_BIN")")
  ensure "$REAL_CONDUCTOR" "$key" op-conductor-real --build-arg "BASE=$BASE" --label "kupcake.e2e.upstream=${UPSTREAM[opConductor]}"
fi

# Old builds whose tags moved on: drop the untagged ones (only images with our label), then the
# stand-in bases of earlier bundles (their tag is their key, so nothing else moves them).
docker image prune -f --filter "label=$LABEL" >/dev/null 2>&1 || true
for t in $(docker images --format '{{ .Tag }}' "$REPO/standin-base"); do
  [ "$REPO/standin-base:$t" = "$STANDIN_BASE" ] || docker rmi "$REPO/standin-base:$t" >/dev/null 2>&1 || true
done

# The map, in DEFAULT_IMAGES order.
map="{"
sep=""
# Services the e2e stacks never run (kupcake:sequencerClient stays kona-node there): no image,
# left out of the map, so the stack keeps their default reference and never pulls it.
NOT_IN_E2E=" opNode "
for k in "${KEYS[@]}"; do
  if [ -z "${IMAGE[$k]:-}" ]; then
    case "$NOT_IN_E2E" in *" $k "*) log "skip    DEFAULT_IMAGES.$k (not run by the e2e stacks)"; continue ;; esac
    die "no e2e image for DEFAULT_IMAGES.$k"
  fi
  map+="$sep\"$k\": \"${IMAGE[$k]}\""; sep=", "
done
map+="}"
log "total   $(since "$T_ALL")s"

# ---------------------------------------------------------------------------------------------
# --verify: smoke tests of what the plan relies on, using the plan's own command lines.
check() { # check DESCRIPTION COMMAND...: runs COMMAND, prints ok/FAIL and its output
  local d=$1 o; shift
  if o=$("$@" 2>&1); then log "ok    $d${o:+: $(printf '%s' "$o" | tr '\n' ' ' | cut -c1-160)}"
  else log "FAIL  $d: $(printf '%s' "$o" | tr '\n' ' ' | cut -c1-400)"; FAILED=$((FAILED + 1)); fi
}
fails() { ! "$@"; }
expect_eq() { local want=$1 got; shift; got=$("$@") || return 1; [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }; echo "$got"; }
cfg() { docker image inspect -f "$2" "$1"; }
nul_array() { mapfile -d '' -t "$1" <"$2"; }
# GET a loopback URL with node (curl may not be installed): body on stdout, fails unless 2xx.
http_get() {
  "$NODE" -e 'fetch(process.argv[1]).then(async (r) => { process.stdout.write(await r.text()); process.exit(r.ok ? 0 : 1); }, () => process.exit(1))' "$1"
}

verify_cleanup() {
  local ids
  ids=$(docker ps -aq --filter "name=^$VERIFY-" 2>/dev/null) && [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
  ids=$(docker volume ls -q --filter "name=^$VERIFY-" 2>/dev/null) && [ -n "$ids" ] && docker volume rm -f $ids >/dev/null 2>&1
  docker network rm "$VERIFY" >/dev/null 2>&1 || true
}

# The plan's prometheus, anvil and kona-node containers, as files under $WORK/plan.
plan_extract() {
  mkdir -p "$WORK/plan"
  (cd "$ROOT" && "$NODE" --import tsx scripts/plan.ts --json) >"$WORK/plan/plan.json" || { echo "npm run plan -- --json failed"; return 1; }
  "$NODE" -e '
    const fs = require("fs"), dir = process.argv[1];
    const plan = JSON.parse(fs.readFileSync(dir + "/plan.json", "utf8"));
    const of = (svc) => plan.resources.find((r) => r.type === "docker:index/container:Container"
      && (r.inputs.labels ?? []).some((l) => l.label === "kupcake.service" && l.value === svc))?.inputs
      ?? (() => { throw new Error(`no ${svc} container in the plan`); })();
    const nul = (name, a) => fs.writeFileSync(`${dir}/${name}`, (a ?? []).map((x) => x + "\0").join(""));
    const prom = of("prometheus"), anvil = of("anvil"), kona = of("kona-node");
    nul("prometheus.cmd", prom.command);
    fs.writeFileSync(dir + "/prometheus.yml", prom.uploads.find((u) => u.file === "/etc/prometheus/prometheus.yml").content, { mode: 0o444 });
    nul("anvil.entrypoint", anvil.entrypoints); nul("anvil.cmd", anvil.command);
    fs.writeFileSync(dir + "/anvil.user", anvil.user ?? "");
    fs.writeFileSync(dir + "/anvil.health", anvil.healthcheck.tests[1]);
    fs.writeFileSync(dir + "/chain-id", String(plan.config.l1ChainId));
    nul("kona.entrypoint", kona.entrypoints); nul("kona.cmd", kona.command);
  ' "$WORK/plan"
}

# Prometheus with the plan's flags and generated config (uploaded like the plan does), a fresh
# volume at /prometheus, on a network of its own, published on 127.0.0.1 only: /-/ready answers.
prometheus_ready() {
  local img=$1 ctr=$VERIFY-prometheus port i cmd
  nul_array cmd "$WORK/plan/prometheus.cmd"
  docker create --name "$ctr" --network "$VERIFY" -p 127.0.0.1::9090 -v "$ctr:/prometheus" "$img" "${cmd[@]}" >/dev/null || return 1
  docker cp "$WORK/plan/prometheus.yml" "$ctr:/etc/prometheus/prometheus.yml" || return 1
  docker start "$ctr" >/dev/null || return 1
  port=$(docker port "$ctr" 9090/tcp | head -n 1 | sed 's/.*://')
  for i in $(seq 1 60); do
    if http_get "http://127.0.0.1:$port/-/ready" 2>/dev/null; then
      docker exec "$ctr" promtool check config /etc/prometheus/prometheus.yml >/dev/null || { echo "promtool check config failed"; return 1; }
      echo " on 127.0.0.1:$port with ${cmd[*]}"; docker rm -f "$ctr" >/dev/null; return 0
    fi
    sleep 0.5
  done
  docker logs --tail 20 "$ctr" 2>&1; return 1
}

# The real anvil with the plan's entrypoint script, command and user: its healthcheck passes and
# the host reaches it on 127.0.0.1 with the real cast.
anvil_healthy() {
  local img=$1 ctr=$VERIFY-anvil port i ep cmd health user got
  nul_array ep "$WORK/plan/anvil.entrypoint"; nul_array cmd "$WORK/plan/anvil.cmd"
  health=$(cat "$WORK/plan/anvil.health"); user=$(cat "$WORK/plan/anvil.user")
  docker run -d --name "$ctr" --network "$VERIFY" ${user:+--user "$user"} -p 127.0.0.1::8545 -v "$ctr:/data" \
    --entrypoint "${ep[0]}" "$img" "${ep[@]:1}" "${cmd[@]}" >/dev/null || return 1
  port=$(docker port "$ctr" 8545/tcp | head -n 1 | sed 's/.*://')
  for i in $(seq 1 60); do
    if docker exec "$ctr" /bin/sh -c "$health" >/dev/null 2>&1; then
      got=$("$CAST" chain-id --rpc-url "http://127.0.0.1:$port") || return 1
      [ "$got" = "$(cat "$WORK/plan/chain-id")" ] || { echo "chain id $got"; return 1; }
      echo "chain $got on 127.0.0.1:$port; $(docker logs "$ctr" 2>&1 | grep -m1 'kupcake: L1 live')"; docker rm -f "$ctr" >/dev/null; return 0
    fi
    sleep 0.5
  done
  docker logs --tail 20 "$ctr" 2>&1; return 1
}

# The plan's kona-node entrypoint override and command, as uid 10001: without a JWT it refuses
# with 78 (needs sh, grep -E and id); with a 0444 JWT uploaded the way the plan does (a tar
# extracted at /) it gets past the check and execs kona-node (still running or exited != 78).
kona_jwt_check() {
  local img=$1 ctr=$VERIFY-kona rc=0 ep cmd state
  nul_array ep "$WORK/plan/kona.entrypoint"; nul_array cmd "$WORK/plan/kona.cmd"
  docker run --rm --network "$VERIFY" --entrypoint "${ep[0]}" "$img" "${ep[@]:1}" "${cmd[@]}" >/dev/null 2>&1 || rc=$?
  [ "$rc" = 78 ] || { echo "without a JWT: exit $rc, want 78"; return 1; }
  mkdir -p "$WORK/kona/run/kupcake"
  printf '0x%064d\n' 0 >"$WORK/kona/run/kupcake/jwt.hex" && chmod 0444 "$WORK/kona/run/kupcake/jwt.hex"
  docker create --name "$ctr" --network "$VERIFY" --entrypoint "${ep[0]}" "$img" "${ep[@]:1}" "${cmd[@]}" >/dev/null || return 1
  tar -C "$WORK/kona" --owner=0 --group=0 -c run | docker cp - "$ctr:/" || return 1
  docker start "$ctr" >/dev/null || return 1
  sleep 2
  state=$(docker inspect -f '{{ .State.Status }} {{ .State.ExitCode }}' "$ctr")
  docker rm -f "$ctr" >/dev/null
  case "$state" in *" 78") echo "with a JWT: still refused ($state)"; return 1 ;; esac
  echo "refused (78) without a JWT; with one: $state"
}

verify_all() {
  FAILED=0
  verify_cleanup
  docker network create "$VERIFY" >/dev/null || die "cannot create network $VERIFY"
  check "the plan (npm run plan -- --json)" plan_extract
  local f=${IMAGE[anvil]} p=${IMAGE[prometheus]} k img
  check "$f anvil+cast" docker run --rm "$f" 'anvil --version && cast --version'
  check "$f user foundry(1000)" expect_eq "1000 foundry" docker run --rm "$f" 'echo "$(id -u) $(id -un)"'
  check "$f no curl/wget" fails docker run --rm "$f" 'command -v curl || command -v wget'
  check "$f entrypoint" expect_eq '["/bin/sh","-c"]' cfg "$f" '{{ json .Config.Entrypoint }}'
  check "$f runs the plan's L1 script until healthy" anvil_healthy "$f"
  check "$p entrypoint/user/workdir/volume" expect_eq '["/usr/bin/prometheus"] nobody /prometheus {"/prometheus":{}}' \
    cfg "$p" '{{ json .Config.Entrypoint }} {{ .Config.User }} {{ .Config.WorkingDir }} {{ json .Config.Volumes }}'
  check "$p /bin/prometheus and promtool" docker run --rm --entrypoint /bin/sh "$p" -c '/bin/prometheus --version | head -n 1 && promtool --version | head -n 1'
  check "$p serves /-/ready with the plan's command and config" prometheus_ready "$p"
  check "$STANDIN_BASE node" docker run --rm "$STANDIN_BASE" node --version
  for k in "${STANDINS[@]}"; do
    img=${IMAGE[$k]}
    check "$img config" cfg "$img" 'user={{ .Config.User }} entrypoint={{ json .Config.Entrypoint }} cmd={{ json .Config.Cmd }} workdir={{ .Config.WorkingDir }}'
    if [ "$k" = opBatcher ]; then
      check "$img has no shell" fails docker run --rm --entrypoint /bin/sh "$img" -c true
      check "$img launcher is a node script" expect_eq '#!/usr/local/bin/node' docker run --rm --entrypoint /usr/bin/head "$img" -n 1 /usr/local/bin/op-batcher
    else
      check "$img shell + launcher" docker run --rm --entrypoint /bin/sh "$img" -c "command -v ${FOLDER[$k]} || command -v /run.sh; id -u"
    fi
  done
  check "${IMAGE[konaNode]} runs the plan's JWT check" kona_jwt_check "${IMAGE[konaNode]}"
  check "${IMAGE[opDeployer]} coreutils for the plan's sh -c" docker run --rm "${IMAGE[opDeployer]}" sh -c 'for c in cp chmod tr; do command -v $c; done'
  if [ -n "$REAL_CONDUCTOR" ]; then
    check "$REAL_CONDUCTOR layout like upstream (root, no entrypoint, CMD op-conductor)" expect_eq 'user= entrypoint=null cmd=["op-conductor"]' \
      cfg "$REAL_CONDUCTOR" 'user={{ .Config.User }} entrypoint={{ json .Config.Entrypoint }} cmd={{ json .Config.Cmd }}'
    check "$REAL_CONDUCTOR op-conductor --version" docker run --rm "$REAL_CONDUCTOR" op-conductor --version
    check "$REAL_CONDUCTOR refuses a missing required flag" fails docker run --rm "$REAL_CONDUCTOR" op-conductor --consensus.port 50050
  fi
  check "${IMAGE[grafana]} dirs owned by 472" docker run --rm --entrypoint /bin/sh "${IMAGE[grafana]}" -c 'stat -c "%u %n" /var/lib/grafana /etc/grafana/provisioning'
  verify_cleanup
  [ "$FAILED" = 0 ] || die "$FAILED verification(s) failed"
}

if [ "$verify" = 1 ]; then verify_all; fi

if [ -n "$out" ]; then
  printf '%s\n' "$map" >"$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"
  log "images.sh: wrote $out"
else
  printf '%s\n' "$map"
fi
