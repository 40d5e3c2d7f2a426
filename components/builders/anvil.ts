import { DEV_ACCOUNT_COUNT, DEV_MNEMONIC } from "../accounts";

/** Inputs of the L1 (Anvil) start command. */
export interface AnvilCommandArgs {
  chainId: number;
  /** Seconds between L1 blocks. */
  blockTime: number;
  /**
   * The chain's state file (Anvil's state JSON, gzip'd) on the L1 volume. The start script keeps
   * the previous good dump next to it (`<statePath>.prev`) and the fixed genesis timestamp in the
   * same directory (`genesis-timestamp`).
   */
  statePath: string;
  /** Address Anvil listens on inside its container. */
  host?: string;
  port: number;
  /** Created once the chain is realigned and mining; the healthcheck waits for it. */
  readyFile?: string;
}

/**
 * The EVM hardfork Anvil runs. Prague (not Anvil's newer default) keeps blob sidecars in the
 * pre-PeerDAS format every pinned OP service accepts, and matches the L1 chain config kona reads.
 */
export const L1_HARDFORK = "prague";
/**
 * Minimum seconds between the end of one state dump and the start of the next. The pause is
 * `max(ANVIL_STATE_INTERVAL, min(ANVIL_DUMP_DUTY × the last dump's duration, ANVIL_DUMP_MAX_PAUSE))`,
 * so dumps take at most 1/(1+ANVIL_DUMP_DUTY) of the time as the chain grows, and one slow dump (a
 * starved CPU) does not stretch the next pause beyond the cap. A hard kill loses the blocks mined
 * after the last completed dump: at most one pause plus one dump.
 */
export const ANVIL_STATE_INTERVAL = 2;
/** Pause after a dump, as a multiple of that dump's duration (see `ANVIL_STATE_INTERVAL`). */
export const ANVIL_DUMP_DUTY = 4;
/** Longest pause, in seconds, between two dumps, however long the last dump took. */
export const ANVIL_DUMP_MAX_PAUSE = 20;
/** Seconds one `anvil_dumpState` may take before that dump is abandoned (the previous one stays). */
export const ANVIL_DUMP_TIMEOUT = 120;
/** Seconds Anvil may take to load a state and answer RPC before the start script tries the previous state. */
export const ANVIL_LOAD_TIMEOUT = 60;
/**
 * Missed slots mined per `anvil_mine` call during the catch-up. With Prague's EIP-2935 history
 * contract full (after 8,191 blocks) Anvil needs ~11-15 ms per empty block here, so a chunk takes
 * ~1.5 s, far below `ANVIL_MINE_TIMEOUT`.
 */
export const CATCHUP_CHUNK = 100;
/** Seconds one catch-up `anvil_mine` call may take (cast's own default is 45). */
export const ANVIL_MINE_TIMEOUT = 60;
/**
 * Seconds of catch-up after which the L1 reports healthy even if slots are still being mined: it
 * then serves the same chain, on the grid, and keeps mining the missed slots in the background
 * until it reaches wall-clock time, when interval mining resumes.
 */
export const CATCHUP_READY_AFTER = 20;
// On /dev/shm (a tmpfs per container start), so a restarted container never sees a stale marker.
export const L1_READY_FILE = "/dev/shm/kupcake-l1-ready";
/**
 * Matches the start script's log line written just before it creates {@link L1_READY_FILE}:
 * `kupcake: L1 live at block N, ...` or `kupcake: ready while catching up: block N, ...`.
 */
export const L1_READY_LINE = /kupcake: (L1 live at block|ready while catching up)/;

/**
 * Anvil's own arguments. `--no-mining`: the start script enables interval mining once caught up.
 * No `--state`: Anvil would truncate and rewrite its state file in place; the start script dumps
 * over RPC and renames instead, and passes `--timestamp` and `--load-state` itself.
 */
export function anvilArgs(a: AnvilCommandArgs): string[] {
  return [
    "--host", a.host ?? "0.0.0.0",
    "--port", String(a.port),
    "--chain-id", String(a.chainId),
    "--no-mining",
    "--hardfork", L1_HARDFORK,
    "--mnemonic", DEV_MNEMONIC,
    "--accounts", String(DEV_ACCOUNT_COUNT),
  ];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const dirOf = (p: string) => (p.includes("/") ? p.slice(0, p.lastIndexOf("/")) || "/" : ".");

/** Files the start script keeps in the state directory. */
export function anvilStateFiles(statePath: string) {
  const dir = dirOf(statePath);
  return {
    dir,
    state: statePath,
    previous: `${statePath}.prev`,
    genesis: `${dir}/genesis-timestamp`,
    /** Anvil's own `--state` file of earlier versions; loaded once if nothing newer exists. */
    legacy: `${dir}/state.json`,
  };
}

/**
 * The L1 container's start script. The L1 comes back with the same chain after any stop at any
 * moment (`kill -9` included), in bounded time, and keeps kona-node's slot arithmetic valid:
 *
 * 1. Genesis: the timestamp of block 0 is fixed at the first start, kept on the volume and passed
 *    as `--timestamp` on every start, so block 0's hash and the beacon API's genesis time never move.
 * 2. State: the newest state that passes gzip's CRC check is loaded (`--load-state`); if it does
 *    not verify or Anvil cannot load it, the previous good dump is used, and the log says so.
 *    No usable state although state files exist: exit 1, files kept (never a new chain over them).
 * 3. Clock: put back to the head block (`anvil_setTime`); every block is `previous + blockTime`
 *    (`anvil_setBlockTimestampInterval`), so block n is at `genesis + n * blockTime` (slot = block
 *    number, as kona's beacon lookups assume).
 * 4. Catch-up: the slots missed while it was down are mined in chunks of `CATCHUP_CHUNK` with an
 *    explicit RPC timeout. Ready (healthcheck) when caught up, or after `CATCHUP_READY_AFTER`
 *    seconds while the rest is mined; interval mining resumes once caught up.
 * 5. Dumps: every `ANVIL_STATE_INTERVAL` seconds `anvil_dumpState` (gzip'd JSON, hex) is decoded,
 *    CRC-checked, fsynced, and renamed over the state file; the file it replaces is kept as
 *    `.prev`. A kill at any moment leaves a complete state file. SIGTERM dumps once more.
 *
 * It lives in the container's own command, so it also runs when Docker restarts the container.
 * It needs only sh, coreutils, gzip, perl and the foundry tools (present in the foundry image).
 * `cast` reads its endpoint from ETH_RPC_URL.
 */
export function anvilStartScript(a: AnvilCommandArgs): string {
  const bt = a.blockTime;
  const ready = a.readyFile ?? L1_READY_FILE;
  const f = anvilStateFiles(a.statePath);
  const args = anvilArgs(a).map(quote).join(" ");
  // Decodes cast's `"0x…"` answer to bytes.
  const unhex = `perl -e 'local $/; my $h = <STDIN>; $h = "" unless defined $h; $h =~ tr/"\\n\\r\\t //d; $h = substr($h, 2) if substr($h, 0, 2) eq "0x"; print pack("H*", $h)'`;
  // The earliest block-0 timestamp in a legacy state (restarts without --timestamp added later ones).
  const legacyGenesis = `perl -0777 -ne 'my $m; while (/"number":"0x0","gasLimit":"0x[0-9a-f]+","gasUsed":"0x[0-9a-f]+","timestamp":"(0x[0-9a-f]+)"/g) { my $t = hex $1; $m = $t if !defined $m || $t < $m } print $m if defined $m'`;
  return [
    "set -eu",
    `ready=${quote(ready)} st=${quote(f.state)} prev=${quote(f.previous)} gfile=${quote(f.genesis)} legacy=${quote(f.legacy)} dir=${quote(f.dir)}`,
    `rm -f "$ready"`,
    `log() { echo "kupcake: $*" >&2; }`,
    `export ETH_RPC_URL=http://127.0.0.1:${a.port}`,
    `pid="" dumper="" live=""`,
    // --- crash-safe dump: decode, CRC-check, fsync, keep the previous, rename into place
    `dump() {`,
    `  cast rpc --rpc-timeout ${ANVIL_DUMP_TIMEOUT} anvil_dumpState 2>/dev/null | ${unhex} > "$1" || true`,
    `  if ! gzip -t "$1" 2>/dev/null; then rm -f "$1"; return 1; fi`,
    `  sync "$1"`,
    `  if [ -e "$st" ]; then ln -f "$st" "$prev" 2>/dev/null || cp -f "$st" "$prev"; fi`,
    `  mv -f "$1" "$st"`,
    `  sync "$dir"`,
    `  if [ "$legacy" != "$st" ]; then rm -f "$legacy"; fi`,
    `}`,
    `stop() {`,
    `  trap '' TERM INT`,
    `  if [ -n "$dumper" ]; then kill -TERM "$dumper" 2>/dev/null || true; wait "$dumper" 2>/dev/null || true; fi`,
    `  if [ -n "$live" ]; then if dump "$st.final.tmp"; then log "state saved"; else log "final state dump failed; the previous dump stays"; fi; fi`,
    `  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi`,
    `  exit 0`,
    `}`,
    `trap stop TERM INT`,
    // --- 1. the fixed genesis timestamp
    `if [ -s "$gfile" ]; then genesis=$(cat "$gfile")`,
    `elif [ -s "$legacy" ]; then genesis=$(${legacyGenesis} "$legacy" || true)`,
    `else genesis=$(date +%s); fi`,
    `case "$genesis" in ''|*[!0-9]*) log "no valid genesis timestamp ('$genesis', from $gfile or $legacy)"; exit 1;; esac`,
    `if [ ! -s "$gfile" ]; then echo "$genesis" > "$gfile.tmp"; sync "$gfile.tmp"; mv -f "$gfile.tmp" "$gfile"; sync "$dir"; log "genesis timestamp fixed at $genesis"; fi`,
    // --- 2. Anvil from the newest state that verifies
    `anvil_up() {`,
    `  if [ -z "$1" ]; then anvil ${args} --timestamp "$genesis" &`,
    `  elif [ "$1" = "$legacy" ]; then anvil ${args} --timestamp "$genesis" --load-state "$legacy" &`,
    `  else gzip -dc "$1" | anvil ${args} --timestamp "$genesis" --load-state /dev/stdin &`,
    `  fi`,
    `  pid=$!; i=0`,
    `  until cast chain-id >/dev/null 2>&1; do`,
    `    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; pid=""; return 1; fi`,
    `    i=$((i+1)); if [ "$i" -ge ${ANVIL_LOAD_TIMEOUT * 10} ]; then log "anvil did not answer within ${ANVIL_LOAD_TIMEOUT}s"; kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; return 1; fi`,
    `    sleep 0.1`,
    `  done`,
    `}`,
    // Anvil keeps historical states in $HOME/.foundry/anvil/tmp and removes them only on a clean
    // exit: after a kill they would pile up in the container (about 1 GB per killed catch-up).
    // This container runs one Anvil, which is not started yet: whatever is there is a dead one's.
    `rm -rf "\${HOME:-/nonexistent}/.foundry/anvil/tmp"`,
    `loaded=""`,
    `for f in "$st" "$prev" "$legacy"; do`,
    `  [ -e "$f" ] || continue`,
    `  if [ "$f" != "$legacy" ] && ! gzip -t "$f" 2>/dev/null; then log "state $f is damaged (gzip CRC/length check failed); skipping it"; continue; fi`,
    `  if anvil_up "$f"; then loaded=$f; break; fi`,
    `  log "anvil could not load state $f; skipping it"`,
    `done`,
    `if [ -z "$loaded" ]; then`,
    `  if [ -e "$st" ] || [ -e "$prev" ] || [ -e "$legacy" ]; then log "no loadable state in $dir (files kept); refusing to start a new chain over them"; exit 1; fi`,
    `  anvil_up "" || { log "anvil did not start"; exit 1; }`,
    `  log "no saved state: new chain, genesis timestamp $genesis"`,
    `elif [ "$loaded" = "$st" ]; then log "loaded state $st"`,
    `else log "FELL BACK to state $loaded: newer state files were unusable"; fi`,
    `live=1`,
    `( trap - TERM INT; nap=${ANVIL_STATE_INTERVAL * 1000}`,
    `  while :; do`,
    `    sleep $((nap / 1000)).$(printf %03d $((nap % 1000)))`,
    `    a=$(date +%s%N); dump "$st.tmp" || log "state dump failed; the previous dump stays"; b=$(date +%s%N)`,
    `    nap=$(( (b - a) / 1000000 * ${ANVIL_DUMP_DUTY} )); [ "$nap" -le ${ANVIL_DUMP_MAX_PAUSE * 1000} ] || nap=${ANVIL_DUMP_MAX_PAUSE * 1000}; [ "$nap" -ge ${ANVIL_STATE_INTERVAL * 1000} ] || nap=${ANVIL_STATE_INTERVAL * 1000}`,
    `  done ) &`,
    `dumper=$!`,
    // --- 3. realign the clock
    `n=$(cast block-number); ts=$(cast block latest -f timestamp)`,
    `if [ "$ts" -ne $((genesis + n * ${bt})) ]; then log "WARNING: head block $n at $ts is off the grid (genesis $genesis + n * ${bt})"; fi`,
    `cast rpc anvil_setTime "$ts" >/dev/null`,
    `cast rpc anvil_setBlockTimestampInterval ${bt} >/dev/null`,
    // --- 4. catch up in bounded chunks
    `t0=$(date +%s); first=1`,
    `while :; do`,
    `  missed=$(( ($(date +%s) - ts) / ${bt} ))`,
    `  [ "$missed" -gt 0 ] || break`,
    `  if [ -n "$first" ]; then log "L1 head is $missed slot(s) behind; mining them on the ${bt}s grid"; first=""; fi`,
    `  chunk=$missed; [ "$chunk" -le ${CATCHUP_CHUNK} ] || chunk=${CATCHUP_CHUNK}`,
    `  if ! cast rpc --rpc-timeout ${ANVIL_MINE_TIMEOUT} anvil_mine "$chunk" >/dev/null 2>&1; then`,
    `    log "anvil_mine $chunk did not return within ${ANVIL_MINE_TIMEOUT}s; waiting for it to finish"`,
    `    b=""; until [ "$b" = "$(cast block-number 2>/dev/null)" ]; do b=$(cast block-number 2>/dev/null || true); sleep 2; done`,
    `  fi`,
    `  n=$(cast block-number); ts=$(cast block latest -f timestamp)`,
    `  if [ ! -e "$ready" ] && [ $(($(date +%s) - t0)) -ge ${CATCHUP_READY_AFTER} ]; then log "ready while catching up: block $n, $(( ($(date +%s) - ts) / ${bt} )) slot(s) to go"; touch "$ready"; fi`,
    `done`,
    `[ -n "$first" ] || log "caught up in $(($(date +%s) - t0))s at block $n"`,
    // --- 5. live
    `cast rpc evm_setIntervalMining ${bt} >/dev/null`,
    // The line before the ready file: whoever sees the node healthy finds the line in the log.
    `log "L1 live at block $(cast block-number), one block every ${bt}s"`,
    `touch "$ready"`,
    `wait "$pid" || true`,
    `log "anvil exited"`,
    `exit 1`,
  ].join("\n");
}

/** The L1 container's entrypoint and command: the start script, run by the image's shell as `kupcake-l1`. */
export function anvilCommand(a: AnvilCommandArgs): { entrypoints: string[]; command: string[] } {
  return { entrypoints: ["/bin/sh", "-c", anvilStartScript(a)], command: ["kupcake-l1"] };
}

/** Docker healthcheck: healthy once the start script has realigned the chain and Anvil answers. */
export function anvilHealthcheck(port: number, readyFile = L1_READY_FILE) {
  return {
    tests: ["CMD-SHELL", `test -f ${readyFile} && ETH_RPC_URL=http://127.0.0.1:${port} cast chain-id >/dev/null`],
    interval: "2s",
    timeout: "3s",
    startPeriod: "5s",
    retries: 60,
  };
}
