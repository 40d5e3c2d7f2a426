import { secp256k1 } from "@noble/curves/secp256k1.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { NodeRole } from "../naming";

/**
 * The public node id of a P2P private key: the uncompressed secp256k1 public key without its
 * 0x04 prefix (128 hex chars), as used in `enode://<id>@host:port` by op-reth and kona-node.
 */
export function nodeIdFromPrivateKey(privateKeyHex: string): string {
  const key = privateKeyHex.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(key)) throw new Error("a P2P private key must be 32 bytes of hex");
  return bytesToHex(secp256k1.getPublicKey(hexToBytes(key), false).slice(1));
}

export const enode = (nodeId: string, host: string, port: number) => `enode://${nodeId}@${host}:${port}`;

/** A node another node peers with at start. */
export interface PeerRef {
  role: NodeRole;
  index: number;
}

/** How many earlier validators a validator dials besides sequencer 1; discovery finds the rest. */
export const VALIDATOR_EARLIER_PEERS = 2;

/**
 * The nodes a node dials at start. Only fixed or earlier nodes, so adding node n+1 never edits
 * nodes 1..n, and changing sequencerCount never edits a validator:
 * - sequencer i dials sequencers 1..i-1;
 * - validator k dials sequencer 1 (always present) and up to two earlier validators.
 */
export function peerAnchors(role: NodeRole, index: number): PeerRef[] {
  if (role === "sequencer") return Array.from({ length: index - 1 }, (_, j) => ({ role, index: j + 1 }));
  const earlier: PeerRef[] = [];
  for (let k = Math.max(1, index - VALIDATOR_EARLIER_PEERS); k < index; k++) earlier.push({ role: "validator", index: k });
  return [{ role: "sequencer", index: 1 }, ...earlier];
}
