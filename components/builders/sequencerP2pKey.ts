import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/**
 * Sequencer op-reth devp2p identities, derived rather than random. Small and dependency-light on
 * purpose: the policy pack imports it to tell these public identities from leaked secrets.
 */

/** secp256k1 group order: a private key must lie in [1, N-1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The devp2p private key (64 hex chars, no 0x) of sequencer `index`'s op-reth on Docker network
 * `network`: keccak256 of a fixed label, so every node can name the identity of every sequencer
 * slot (1..MAX_SEQUENCERS) whether or not that sequencer exists, and no input of a validator
 * depends on the sequencer count. It is an identity on a local devnet network, not a secret that
 * guards funds (the dev accounts' mnemonic is public too); it is still uploaded as a secret file.
 * @throws Error on an empty network name or an index below 1
 */
export function sequencerOpRethP2pKey(network: string, index: number): string {
  if (!network) throw new Error("sequencerOpRethP2pKey: network must be a non-empty Docker network name");
  if (!Number.isInteger(index) || index < 1) throw new Error(`sequencerOpRethP2pKey: index must be a positive integer, not ${index}`);
  let h = keccak_256(new TextEncoder().encode(`kupcake:op-reth-p2p-key:${network}:sequencer:${index}`));
  // A hash outside [1, N-1] has probability ~2^-128; re-hash instead of failing.
  while (BigInt("0x" + bytesToHex(h)) === 0n || BigInt("0x" + bytesToHex(h)) >= SECP256K1_N) h = keccak_256(h);
  return bytesToHex(h);
}

/** Every derived sequencer op-reth key of a network, slots 1..`slots` (bare lowercase hex). */
export function derivedSequencerP2pKeys(network: string, slots: number): string[] {
  return network ? Array.from({ length: slots }, (_, j) => sequencerOpRethP2pKey(network, j + 1)) : [];
}
