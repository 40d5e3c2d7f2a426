import { DEV_ACCOUNT_COUNT, DEV_MNEMONIC } from "../accounts";

/** Inputs of the L1 (Anvil) start command. */
export interface AnvilCommandArgs {
  chainId: number;
  /** Seconds between L1 blocks. */
  blockTime: number;
  /** File Anvil loads at start and dumps to every `ANVIL_STATE_INTERVAL` seconds. */
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
/** Seconds between state dumps: a `kill -9` loses at most this much L1 history. */
export const ANVIL_STATE_INTERVAL = 1;
// On /dev/shm (a tmpfs per container start), so a restarted container never sees a stale marker.
export const L1_READY_FILE = "/dev/shm/kupcake-l1-ready";

/** Anvil's own arguments. `--no-mining`: the start script enables interval mining once realigned. */
export function anvilArgs(a: AnvilCommandArgs): string[] {
  return [
    "--host", a.host ?? "0.0.0.0",
    "--port", String(a.port),
    "--chain-id", String(a.chainId),
    "--no-mining",
    "--hardfork", L1_HARDFORK,
    "--mnemonic", DEV_MNEMONIC,
    "--accounts", String(DEV_ACCOUNT_COUNT),
    "--state", a.statePath,
    "--state-interval", String(ANVIL_STATE_INTERVAL),
  ];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The L1 container's start script. It makes L1 survive any stop, including `kill -9`, Docker
 * daemon restarts and reboots, and keeps kona-node's slot arithmetic valid:
 *
 * 1. Anvil starts from its state file (`--state`, dumped every second), without mining.
 * 2. Its clock is put back to the head block's timestamp (`anvil_setTime`) and every block is
 *    forced to `previous + blockTime` (`anvil_setBlockTimestampInterval`).
 * 3. The slots missed while it was down are mined at once, on the grid `genesis + n * blockTime`
 *    (slot number = block number, as kona's beacon lookups assume), catching up with wall-clock time.
 * 4. Interval mining resumes; a ready file tells the healthcheck the chain is live.
 *
 * It lives in the container's own command, so it also runs when Docker restarts the container.
 * `cast` (shipped in the foundry image) reads its endpoint from ETH_RPC_URL.
 */
export function anvilStartScript(a: AnvilCommandArgs): string {
  const bt = a.blockTime;
  const ready = a.readyFile ?? L1_READY_FILE;
  return [
    "set -eu",
    `rm -f ${ready}`,
    `anvil ${anvilArgs(a).map(quote).join(" ")} &`,
    "pid=$!",
    `trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM INT`,
    `export ETH_RPC_URL=http://127.0.0.1:${a.port}`,
    `i=0; until cast chain-id >/dev/null 2>&1; do i=$((i+1)); if [ "$i" -ge 600 ]; then echo "kupcake: anvil did not answer within 60s" >&2; exit 1; fi; sleep 0.1; done`,
    `ts=$(cast block latest -f timestamp); now=$(date +%s); missed=$(( (now - ts) / ${bt} ))`,
    `cast rpc anvil_setTime "$ts" >/dev/null`,
    `cast rpc anvil_setBlockTimestampInterval ${bt} >/dev/null`,
    `if [ "$missed" -gt 0 ]; then echo "kupcake: L1 head is $missed slot(s) behind; mining them on the ${bt}s grid" >&2; cast rpc evm_setNextBlockTimestamp $((ts + ${bt})) >/dev/null; cast rpc anvil_mine "$missed" >/dev/null; fi`,
    `cast rpc evm_setIntervalMining ${bt} >/dev/null`,
    `touch ${ready}`,
    `echo "kupcake: L1 live at block $(cast block-number), one block every ${bt}s" >&2`,
    `wait "$pid"`,
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
