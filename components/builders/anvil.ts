import { DEV_ACCOUNT_COUNT, DEV_MNEMONIC } from "../accounts";

/** Inputs of the L1 (Anvil) command line. */
export interface AnvilCommandArgs {
  chainId: number;
  /** Seconds between L1 blocks. */
  blockTime: number;
  /** File Anvil loads at start and dumps to every `stateInterval` seconds. */
  statePath: string;
  /** Address Anvil listens on inside its container. */
  host?: string;
  port: number;
}

/**
 * The EVM hardfork Anvil runs. Prague (not Anvil's newer default) keeps blob sidecars in the
 * pre-PeerDAS format every pinned OP service accepts, and matches the L1 chain config kona reads.
 */
export const L1_HARDFORK = "prague";
/** Seconds between state dumps: a `kill -9` loses at most this much L1 history. */
export const ANVIL_STATE_INTERVAL = 1;

/**
 * Anvil's command line. `--state` loads the chain from `statePath` when it exists and dumps it
 * every `ANVIL_STATE_INTERVAL` seconds, so L1 survives a hard kill, not only a clean shutdown
 * (Kupcake dumped only on clean exit). No `--timestamp`: genesis is the first start, and a
 * restart continues from the saved state.
 */
export function anvilCommand(a: AnvilCommandArgs): { entrypoints: string[]; command: string[] } {
  return {
    entrypoints: ["anvil"],
    command: [
      "--host", a.host ?? "0.0.0.0",
      "--port", String(a.port),
      "--chain-id", String(a.chainId),
      "--block-time", String(a.blockTime),
      "--hardfork", L1_HARDFORK,
      "--mnemonic", DEV_MNEMONIC,
      "--accounts", String(DEV_ACCOUNT_COUNT),
      "--state", a.statePath,
      "--state-interval", String(ANVIL_STATE_INTERVAL),
    ],
  };
}

/** Docker healthcheck: healthy once Anvil answers JSON-RPC (`cast` ships in the foundry image). */
export function anvilHealthcheck(port: number) {
  return {
    tests: ["CMD", "cast", "chain-id", "--rpc-url", `http://127.0.0.1:${port}`],
    interval: "2s",
    timeout: "2s",
    startPeriod: "2s",
    retries: 30,
  };
}
