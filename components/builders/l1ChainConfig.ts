import { L1_HARDFORK } from "./anvil";

/**
 * The L1 chain config kona-node needs for an L1 that is not in its registry (`--l1-config-file`):
 * a geth-style `config` object. Every fork up to the one Anvil runs (`L1_HARDFORK`) is active from
 * genesis, with the mainnet blob schedule, so kona's blob fee and slot arithmetic match Anvil's.
 */
export function l1ChainConfig(chainId: number): Record<string, unknown> {
  if (L1_HARDFORK !== "prague") throw new Error(`l1ChainConfig knows prague, not ${L1_HARDFORK}`);
  const blocks = [
    "homesteadBlock", "eip150Block", "eip155Block", "eip158Block", "byzantiumBlock",
    "constantinopleBlock", "petersburgBlock", "istanbulBlock", "muirGlacierBlock",
    "berlinBlock", "londonBlock", "arrowGlacierBlock", "grayGlacierBlock", "mergeNetsplitBlock",
  ];
  return {
    chainId,
    ...Object.fromEntries(blocks.map((b) => [b, 0])),
    daoForkSupport: false,
    terminalTotalDifficulty: 0,
    terminalTotalDifficultyPassed: true,
    shanghaiTime: 0,
    cancunTime: 0,
    pragueTime: 0,
    depositContractAddress: "0x0000000000000000000000000000000000000000",
    blobSchedule: {
      cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
      prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
    },
  };
}
