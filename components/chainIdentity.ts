import type { DevnetConfig } from "./config/schema";

/**
 * The settings that define a devnet's chains. The L1 genesis (chain id, block time) and everything
 * op-deployer writes (contracts, L2 genesis, rollup config: both chain ids, both block times, the
 * op-deployer release) derive from them, and every node, volume and job of the stack derives from
 * those. Changing one on a live devnet cannot be applied piecemeal: the provider would replace
 * only the containers whose own inputs mention the value and leave the rest on the old chain.
 */
export interface ChainIdentity {
  l1ChainId: number;
  l2ChainId: number;
  /** L1 block time, seconds. */
  blockTime: number;
  /** L2 block time, seconds. */
  l2BlockTime: number;
  /** The op-deployer image reference that deploys the contracts and writes the genesis. */
  opDeployerImage: string;
}

/** The stack config key behind each identity field, as users write it. */
export const CHAIN_DEFINING_KEYS: Record<keyof ChainIdentity, string> = {
  l1ChainId: "kupcake:l1ChainId",
  l2ChainId: "kupcake:l2ChainId",
  blockTime: "kupcake:blockTime",
  l2BlockTime: "kupcake:l2BlockTime",
  opDeployerImage: "kupcake:images.opDeployer",
};

/** The chain-defining part of a resolved config. */
export function chainIdentity(cfg: Pick<DevnetConfig, "l1ChainId" | "l2ChainId" | "blockTime" | "l2BlockTime" | "images">): ChainIdentity {
  return { l1ChainId: cfg.l1ChainId, l2ChainId: cfg.l2ChainId, blockTime: cfg.blockTime, l2BlockTime: cfg.l2BlockTime, opDeployerImage: cfg.images.opDeployer };
}

/** One chain-defining value that differs between the deployed devnet and the config. */
export interface ChainChange {
  /** The identity field (and the guard resource's input property). */
  field: keyof ChainIdentity;
  /** The stack config key, e.g. `kupcake:l2BlockTime`. */
  key: string;
  from: unknown;
  to: unknown;
}

/**
 * The chain-defining values that differ. `deployed` may be partial or empty (a stack deployed
 * before this check existed, or nothing deployed yet): missing fields never count as changes.
 */
export function chainChanges(deployed: Partial<Record<keyof ChainIdentity, unknown>>, wanted: ChainIdentity): ChainChange[] {
  return (Object.keys(CHAIN_DEFINING_KEYS) as (keyof ChainIdentity)[])
    .filter((k) => deployed[k] !== undefined && deployed[k] !== null && JSON.stringify(deployed[k]) !== JSON.stringify(wanted[k]))
    .map((k) => ({ field: k, key: CHAIN_DEFINING_KEYS[k], from: deployed[k], to: wanted[k] }));
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/**
 * The refusal users see (from `pulumi preview`/`up` and from `npm run plan -- --diff`): which
 * values changed, why they cannot be applied to a live devnet, and the two ways out.
 */
export function chainChangeMessage(stack: string, changes: ChainChange[]): string {
  const list = changes.map((c) => `${c.key} ${show(c.from)} -> ${show(c.to)}`).join(", ");
  const restore = changes.map((c) => `pulumi config set${c.key.includes(".") ? " --path" : ""} ${c.key} ${show(c.from)}`).join("; ");
  return (
    `refusing to change the chain of the live devnet "${stack}": ${list}. ` +
    `These values define the L1 and L2 chains (genesis, contracts, rollup config) that every node, volume and job derives from; ` +
    `applying them to a running devnet would replace some containers and leave the others on the old chain. ` +
    `Fix: put the deployed value${changes.length === 1 ? "" : "s"} back (${restore}), ` +
    `or start a new chain: npm run destroy -- --stack ${stack}, then npm run up -- --stack ${stack} (deletes the old chain's data).`
  );
}
