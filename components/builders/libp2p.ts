import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";

/**
 * libp2p addressing for op-node's `--p2p.static` peers. op-node (Go libp2p) takes static peers as
 * multiaddrs `/dns4/<host>/tcp/<port>/p2p/<peer id>` (op-node/p2p/cli/load_config.go
 * `loadLibp2pOpts`, op-node v1.19.0); the peer id is derived from the same secp256k1 key as the
 * node's discv5 `enode://` id, so it is computed here from that id, never stored.
 */

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Bitcoin-alphabet base58 (multibase `z` without its prefix), as libp2p prints peer ids. */
export function base58btc(bytes: Uint8Array): string {
  let n = BigInt("0x" + (bytesToHex(bytes) || "0"));
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

/**
 * The libp2p peer id of a secp256k1 public key given as a discv5/enode node id (the 64-byte
 * uncompressed key without its 0x04 prefix, 128 hex chars). libp2p: the key is marshalled as the
 * protobuf `PublicKey{Type: Secp256k1 (2), Data: <33-byte compressed key>}` (37 bytes), which is
 * short enough (<= 42 bytes) to be inlined with the identity multihash (code 0x00, length 0x25);
 * printed in base58btc it starts with `16Uiu2HA`.
 */
export function peerIdFromNodeId(nodeId: string): string {
  if (!/^[0-9a-fA-F]{128}$/.test(nodeId)) throw new Error("a node id is the 64-byte uncompressed secp256k1 public key in hex (128 chars)");
  const key = hexToBytes(nodeId);
  const compressed = new Uint8Array(33);
  compressed[0] = (key[63] & 1) === 0 ? 0x02 : 0x03;
  compressed.set(key.slice(0, 32), 1);
  return base58btc(new Uint8Array([0x00, 0x25, 0x08, 0x02, 0x12, 0x21, ...compressed]));
}

/** `enode://<node id>@<host>:<port>` -> `/dns4/<host>/tcp/<port>/p2p/<peer id>` (host names resolve at dial time). */
export function staticPeerFromEnode(enodeUrl: string): string {
  const m = /^enode:\/\/([0-9a-fA-F]{128})@([^:/]+):(\d+)$/.exec(enodeUrl);
  if (!m) throw new Error(`not an enode URL with a host and port: ${enodeUrl}`);
  return `/dns4/${m[2]}/tcp/${m[3]}/p2p/${peerIdFromNodeId(m[1])}`;
}
