import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { getAddress } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import {
  DEV_ACCOUNTS,
  DEV_ACCOUNT_COUNT,
  DEV_ACCOUNT_GENESIS_ETH,
  DEV_MNEMONIC,
  FAUCET,
  DRILL_PROBE,
  FREE_ACCOUNTS,
  ROLES,
  accountsOutput,
  accountsTableMarkdown,
} from "../components/accounts";
import { intentToml } from "../components/builders/opDeployer";
import { renderGenerated } from "../components/config/reference";
import { ROOT, containers, plan } from "./helpers/plan";

describe("dev accounts", () => {
  it("are accounts 0..29 of the dev mnemonic, derived independently (viem, BIP-39/BIP-32 m/44'/60'/0'/0/i)", () => {
    assert.equal(DEV_ACCOUNTS.length, DEV_ACCOUNT_COUNT);
    DEV_ACCOUNTS.forEach((a, i) => {
      const derived = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i });
      assert.equal(a.index, i);
      assert.equal(a.address, derived.address, `address of account ${i}`);
      assert.equal(a.address, getAddress(a.address), `account ${i} is EIP-55 checksummed`);
      assert.equal(a.privateKey, "0x" + Buffer.from(derived.getHdKey().privateKey!).toString("hex"), `key of account ${i}`);
    });
  });

  it("split into roles (0..10), free accounts (11..27), the drill probe (28) and the faucet (29), with nothing shared", () => {
    const o = accountsOutput();
    const roleIdx = Object.values(o.roles).map((r) => r.index).sort((a, b) => a - b);
    assert.deepEqual(roleIdx, Array.from({ length: 11 }, (_, i) => i));
    assert.deepEqual(o.free.map((a) => a.index), Array.from({ length: 17 }, (_, i) => 11 + i));
    assert.equal(o.drillProbe.index, 28);
    assert.equal(o.faucet.index, 29);
    assert.deepEqual(o.faucet, FAUCET);
    assert.equal(new Set([...roleIdx, ...o.free.map((a) => a.index), o.drillProbe.index, o.faucet.index]).size, DEV_ACCOUNT_COUNT, "every dev account exactly once");
    for (const [name, r] of Object.entries(o.roles)) {
      assert.equal(r.address, ROLES[name as keyof typeof ROLES].address);
      assert.ok(r.use.length > 5 && r.sends.length >= 2, `${name} says what it is for and whether it sends`);
    }
    assert.equal(o.genesisBalanceEth, "10000");
    assert.equal(o.mnemonic, DEV_MNEMONIC);
  });

  it("every role the intent names is a role account, and the intent funds the dev accounts on L2 (fundDevAccounts)", () => {
    const intent = intentToml({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: 2 });
    assert.match(intent, /^fundDevAccounts = true$/m, "op-deployer's L2Genesis funds its 30 devAccounts only with fundDevAccounts");
    const named = [...intent.matchAll(/"(0x[0-9a-f]{40})"/g)].map((m) => m[1]);
    assert.ok(named.length >= 10);
    const roleAddrs = Object.values(ROLES).map((a) => a.address.toLowerCase());
    for (const a of named) assert.ok(roleAddrs.includes(a), `${a} in the intent is a role account`);
    for (const a of [...FREE_ACCOUNTS, DRILL_PROBE, FAUCET]) assert.ok(!intent.includes(a.address.toLowerCase()), `free account ${a.index} is not in the intent`);
  });

  it("no container of the plan (every switch on) carries a free or faucet address or key; the plan exports `accounts`", async () => {
    const p = await plan({ challenger: true, challengerPrestatesUrl: "http://p/", sequencerCount: 3, l2Nodes: 4 });
    const text = JSON.stringify(containers(p).map((c) => c.inputs)).toLowerCase();
    for (const a of [...FREE_ACCOUNTS, DRILL_PROBE, FAUCET]) {
      assert.ok(!text.includes(a.address.slice(2).toLowerCase()), `account ${a.index}'s address is used by no service`);
      assert.ok(!text.includes(a.privateKey.slice(2)), `account ${a.index}'s key is used by no service`);
    }
    // The keys the services do use are role keys.
    for (const r of [ROLES.batcher, ROLES.proposer, ROLES.challenger, ROLES.unsafeBlockSigner]) assert.ok(text.includes(r.privateKey.slice(2)), `role key ${r.index} is in use`);
    assert.deepEqual(p.outputs.accounts, JSON.parse(JSON.stringify(accountsOutput())));
  });

  it("the README accounts table is generated from the same data (npm run docs)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    assert.match(readme, /<!-- accounts-table:start -->/);
    assert.equal(renderGenerated(readme, { "accounts-table": accountsTableMarkdown }), readme);
    const table = accountsTableMarkdown();
    assert.equal(table.split("\n").filter((l) => /^\| \d+ \|/.test(l)).length, DEV_ACCOUNT_COUNT);
    assert.match(table, new RegExp(`${DEV_ACCOUNT_GENESIS_ETH} ETH`));
    assert.match(table, /\| 7 \| `0x14dC79964da2C08b23698B3D3cc7Ca32193d9955` \| `0x4bbb[0-9a-f]+` \| role `batcher`/);
    assert.match(table, /\| 29 \| `0x9DCCe783B6464611f38631e6C851bf441907c710` .*faucet/);
  });
});
