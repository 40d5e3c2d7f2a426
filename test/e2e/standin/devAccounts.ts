/**
 * The dev accounts op-deployer funds with `fundDevAccounts = true`: the first accounts of the
 * public `test test … junk` mnemonic (BIP-39 seed, BIP-32 path m/44'/60'/0'/0/i).
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hmac } from "@noble/hashes/hmac.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { addressOf, hex } from "./tx";

export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const N = secp256k1.Point.CURVE().n;
const enc = (s: string) => new TextEncoder().encode(s);
const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const toBig = (b: Uint8Array) => BigInt(hex(b));
const to32 = (n: bigint) => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, "0"), "hex"));

/** Private keys (hex) of accounts 0..count-1 of `mnemonic`. */
export function devKeys(count: number, mnemonic = DEV_MNEMONIC): string[] {
  const seed = pbkdf2(sha512, enc(mnemonic.normalize("NFKD")), enc("mnemonic"), { c: 2048, dkLen: 64 });
  let I = hmac(sha512, enc("Bitcoin seed"), seed);
  let key = toBig(I.slice(0, 32));
  let chain = I.slice(32);
  const child = (index: number, hardened: boolean) => {
    const data = hardened
      ? Buffer.concat([Uint8Array.of(0), to32(key), be32(index + 0x80000000)])
      : Buffer.concat([secp256k1.getPublicKey(to32(key), true), be32(index)]);
    I = hmac(sha512, chain, data);
    key = (toBig(I.slice(0, 32)) + key) % N;
    chain = I.slice(32);
  };
  child(44, true);
  child(60, true);
  child(0, true);
  child(0, false);
  const [baseKey, baseChain] = [key, chain];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    key = baseKey;
    chain = baseChain;
    child(i, false);
    out.push(hex(to32(key)));
  }
  return out;
}

/** Addresses (lower case) of the first `count` dev accounts. */
export const devAddresses = (count: number) => devKeys(count).map(addressOf);
