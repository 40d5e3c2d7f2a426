import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { hexToBytes, bytesToHex } from "@noble/hashes/utils.js";
import { ROLES } from "../components/accounts";
import { anvilArgs, anvilStartScript, L1_HARDFORK } from "../components/builders/anvil";
import { PERMISSIONED_GAME_TYPE, opBatcherCommand, opChallengerCommand, opProposerCommand } from "../components/builders/chainServices";
import { konaNodeCommand } from "../components/builders/konaNode";
import { l1ChainConfig } from "../components/builders/l1ChainConfig";
import { conductorHealthTiming, opConductorCommand } from "../components/builders/opConductor";
import { chainIdHex, deployerJobs, intentToml, jobFailure, parseL1Addresses, L1_ADDRESSES_MARKER } from "../components/builders/opDeployer";
import { opRethCommand, sequencerOpRethP2pKey } from "../components/builders/opReth";
import { sequencerSlotEnodes, validatorRethPeers } from "../components/validatorSet";
import { nodeIdFromPrivateKey, peerAnchors } from "../components/builders/p2p";
import { toToml } from "../components/builders/toml";
import { DEFAULT_CHAIN_SETTINGS } from "../components/config/chain";
import { chainSettings } from "../components/config/schema";
import { validateConfig } from "../components/config/validate";
import { parseToml } from "./e2e/standin/toml";

const after = (cmd: string[], f: string) => cmd[cmd.indexOf(f) + 1];

describe("Anvil", () => {
  it("runs the configured chain with the dev mnemonic, 30 accounts, prague; Anvil never rewrites its state file in place", () => {
    const a = anvilArgs({ chainId: 901, blockTime: 3, statePath: "/data/l1-state.json.gz", port: 8545 });
    assert.equal(after(a, "--chain-id"), "901");
    assert.equal(after(a, "--accounts"), "30");
    assert.equal(after(a, "--mnemonic"), "test test test test test test test test test test test junk");
    assert.equal(after(a, "--hardfork"), L1_HARDFORK);
    assert.ok(!a.includes("--state") && !a.includes("--state-interval"), "the start script dumps over RPC and renames instead");
    assert.ok(a.includes("--no-mining"), "mining starts only after the realignment");
  });

  it("the start script fixes genesis, realigns, catches up in chunks, then mines; SIGTERM dumps once more", () => {
    const s = anvilStartScript({ chainId: 901, blockTime: 3, statePath: "/data/l1-state.json.gz", port: 8545 });
    const order = ['--timestamp "$genesis"', "anvil_setTime", "anvil_setBlockTimestampInterval 3", "anvil_mine", "evm_setIntervalMining 3"].map((m) => s.indexOf(m));
    assert.ok(order.every((i, j) => i > 0 && (j === 0 || i > order[j - 1])), "genesis, setTime, interval, catch-up, then interval mining");
    assert.match(s, /trap stop TERM INT/);
    assert.match(s, /'test test test test test test test test test test test junk'/, "the mnemonic is one shell word");
  });
});

describe("op-deployer", () => {
  const intent = intentToml({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: 2 });

  it("writes the whole intent: custom config, roles from the dev mnemonic, all four fee vaults non-zero", () => {
    assert.match(intent, /^configType = "custom"$/m);
    assert.match(intent, /^l1ChainID = 900$/m);
    assert.match(intent, /^\[\[chains\]\]$/m);
    assert.match(intent, new RegExp(`^id = "${chainIdHex(901)}"$`, "m"));
    for (const k of ["baseFeeVaultRecipient", "l1FeeVaultRecipient", "sequencerFeeVaultRecipient", "operatorFeeVaultRecipient"]) {
      const m = new RegExp(`^${k} = "(0x[0-9a-f]{40})"$`, "m").exec(intent);
      assert.ok(m && !/^0x0+$/.test(m[1]), `${k} is a non-zero address`);
    }
    assert.match(intent, /^\[chains\.roles\]$/m);
    assert.match(intent, new RegExp(`^unsafeBlockSigner = "${ROLES.unsafeBlockSigner.address.toLowerCase()}"$`, "m"));
    assert.match(intent, new RegExp(`^batcher = "${ROLES.batcher.address.toLowerCase()}"$`, "m"));
    assert.match(intent, /^\[chains\.deployOverrides\]\nl2BlockTime = 2$/m);
    assert.match(intent, /^\[superchainRoles\]$/m);
    assert.equal(chainIdHex(901).length, 66);
  });

  describe("chain parameters in the intent", () => {
    type Doc = { globalDeployOverrides?: Record<string, unknown>; chains: Record<string, unknown>[] };
    /** The intent for a stack config, parsed back (the TOML place of each value is what op-deployer reads). */
    const intentFor = (raw: Record<string, unknown>) => {
      const cfg = validateConfig("dev", raw);
      return parseToml(intentToml({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: cfg.l2BlockTime, chain: chainSettings(cfg) })) as Doc;
    };

    it("the default config: today's chain values, no hardfork or rollup overrides, devnet withdrawal timing in [globalDeployOverrides]", () => {
      const d = intentFor({});
      const chain = d.chains[0];
      assert.deepEqual([chain.gasLimit, chain.eip1559Denominator, chain.eip1559DenominatorCanyon, chain.eip1559Elasticity], [60_000_000, 50, 250, 6]);
      assert.deepEqual(chain.deployOverrides, { l2BlockTime: 2 }, "no fork offsets, window, timeout or denominator override by default");
      assert.deepEqual(d.globalDeployOverrides, {
        proofMaturityDelaySeconds: 12,
        disputeGameFinalityDelaySeconds: 6,
        faultGameClockExtension: 3,
        faultGameMaxClockDuration: 12,
        preimageOracleChallengePeriod: 6,
      });
      assert.equal(intentToml({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: 2 }), intentToml({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: 2, chain: DEFAULT_CHAIN_SETTINGS }), "no chain settings = the defaults");
      // [globalDeployOverrides] is a top-level table: it comes before [[chains]], not inside it.
      assert.ok(intent.indexOf("\n[globalDeployOverrides]\n") < intent.indexOf("\n[[chains]]\n"));
    });

    it("each value lands where op-deployer v0.7.1 reads it", () => {
      const d = intentFor({
        hardforks: { isthmus: 60, jovian: 62, karst: 3600 },
        l2GasLimit: 30_000_000,
        eip1559DenominatorCanyon: 100,
        eip1559Elasticity: 2,
        sequencerWindowSize: 120,
        channelTimeout: 40,
        proofMaturityDelaySeconds: 30,
        disputeGameFinalityDelaySeconds: 20,
        faultGameClockExtension: 4,
        faultGameMaxClockDuration: 40,
        preimageOracleChallengePeriod: 8,
      });
      const chain = d.chains[0];
      // ChainIntent fields.
      assert.equal(chain.gasLimit, 30_000_000);
      assert.equal(chain.eip1559DenominatorCanyon, 100);
      assert.equal(chain.eip1559Elasticity, 2);
      assert.equal(chain.eip1559Denominator, 50, "pre-Canyon denominator unchanged (never applies: Canyon at genesis)");
      // The chain's deployOverrides: fork offsets as hexutil.Uint64 strings, rollup values as numbers, the Canyon denominator v0.7.1 otherwise hard-codes.
      assert.deepEqual(chain.deployOverrides, {
        l2BlockTime: 2,
        l2GenesisIsthmusTimeOffset: "0x3c",
        l2GenesisJovianTimeOffset: "0x3e",
        l2GenesisKarstTimeOffset: "0xe10",
        sequencerWindowSize: 120,
        channelTimeout: 40,
        eip1559DenominatorCanyon: 100,
      });
      // Proof parameters: global overrides (DeployImplementations reads only these).
      assert.deepEqual(d.globalDeployOverrides, {
        proofMaturityDelaySeconds: 30,
        disputeGameFinalityDelaySeconds: 20,
        faultGameClockExtension: 4,
        faultGameMaxClockDuration: 40,
        preimageOracleChallengePeriod: 8,
      });
    });

    it("a fork set to its default (0 up to Jovian) or karst \"off\" writes no override", () => {
      const d = intentFor({ hardforks: { jovian: 0, karst: "off" } });
      assert.deepEqual(d.chains[0].deployOverrides, { l2BlockTime: 2 });
    });

    it("the init job uploads the intent of the stack's config", () => {
      const cfg = validateConfig("dev", { l2GasLimit: 40_000_000 });
      const jobs = deployerJobs({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: 2, chain: chainSettings(cfg), l1RpcUrl: "http://a:8545", l1ChainConfigJson: "{}" });
      assert.match(jobs[0].uploads[0].content, /^gasLimit = 40000000$/m);
    });
  });

  it("runs init, apply, inspect genesis/rollup/l1 in order, with --workdir before the chain id", () => {
    const jobs = deployerJobs({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: 2, l1RpcUrl: "http://kup-anvil:8545", l1ChainConfigJson: "{}" });
    assert.deepEqual(jobs.map((j) => j.step), ["init", "apply", "inspect-genesis", "inspect-rollup", "inspect-l1"]);
    const script = (i: number) => jobs[i].command[2];
    assert.match(script(0), /init --l1-chain-id 900 --l2-chain-ids 901 --workdir \/data --intent-type custom; cp \/kupcake\/intent.toml \/data\/intent.toml/);
    assert.deepEqual(jobs[0].uploads.map((u) => u.file), ["/kupcake/intent.toml", "/kupcake/l1-chain-config.json"]);
    assert.equal(jobs[0].uploads[0].content, intentToml({ l1ChainId: 900, l2ChainId: 901, l2BlockTime: 2 }));
    assert.match(script(1), new RegExp(`apply --workdir /data --l1-rpc-url http://kup-anvil:8545 --private-key ${ROLES.deployer.privateKey} --deployment-target live`));
    assert.match(script(2), /inspect genesis --workdir \/data --outfile \/data\/genesis.json 901/);
    assert.match(script(3), /inspect rollup --workdir \/data --outfile \/data\/rollup.json 901/);
    assert.match(script(4), new RegExp(`inspect l1 .* 901; .*echo "${L1_ADDRESSES_MARKER} `));
    for (const j of jobs) assert.match(j.command[2], /^set -e; .*chmod -R a\+rX \/data/, "fails fast and leaves files readable by kona's uid");
  });

  it("reads contract addresses from flat and nested inspect output, through Docker's log framing", () => {
    const flat = { DisputeGameFactoryProxy: "0x" + "1".repeat(40), OptimismPortalProxy: "0x" + "2".repeat(40), SystemConfigProxy: "0x" + "3".repeat(40), Note: "x" };
    assert.deepEqual(parseL1Addresses(`noise\n\u0001\u0000\u0000\u0000${L1_ADDRESSES_MARKER} ${JSON.stringify(flat)}\n`), {
      DisputeGameFactoryProxy: flat.DisputeGameFactoryProxy,
      OptimismPortalProxy: flat.OptimismPortalProxy,
      SystemConfigProxy: flat.SystemConfigProxy,
    });
    const nested = { opChainDeployment: { disputeGameFactoryProxyAddress: flat.DisputeGameFactoryProxy, optimismPortalProxyAddress: flat.OptimismPortalProxy, systemConfigProxyAddress: flat.SystemConfigProxy } };
    assert.equal(parseL1Addresses(`${L1_ADDRESSES_MARKER} ${JSON.stringify(nested)}`).DisputeGameFactoryProxy, flat.DisputeGameFactoryProxy);
    assert.throws(() => parseL1Addresses("nothing here"), /printed no "KUPCAKE_L1_ADDRESSES" line/);
    assert.throws(() => parseL1Addresses(`${L1_ADDRESSES_MARKER} {"OptimismPortalProxy":"${flat.OptimismPortalProxy}"}`), /lacks DisputeGameFactoryProxy, SystemConfigProxy/);
  });

  it("turns a non-zero job exit into an error with the job name and its last log lines", () => {
    assert.equal(jobFailure("kup-op-deployer-apply", 0, "fine"), undefined);
    const logs = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n") + "\nerror: chain has a fee vault set to zero address";
    const msg = jobFailure("kup-op-deployer-apply", 1, logs)!;
    assert.match(msg, /^kup-op-deployer-apply exited with code 1\. Last log lines:/);
    assert.match(msg, /chain has a fee vault set to zero address/);
    assert.doesNotMatch(msg, /line 5\n/, "only the tail");
    assert.match(msg, /docker logs kup-op-deployer-apply/);
    assert.match(jobFailure("x", undefined, "")!, /exited with code unknown\. It printed nothing/);
  });

  it("the L1 chain config activates every fork through Prague from genesis with blob schedules", () => {
    const c = l1ChainConfig(900);
    assert.equal(c.chainId, 900);
    assert.equal(c.pragueTime, 0);
    assert.equal(c.cancunTime, 0);
    assert.equal(c.londonBlock, 0);
    assert.deepEqual(Object.keys(c.blobSchedule as object), ["cancun", "prague"]);
  });
});

describe("L2 nodes", () => {
  it("op-reth: genesis from the artifacts volume, JWT and P2P key from files, no node forwards transactions, tx gossip left on", () => {
    const v = opRethCommand({ containerName: "kup-op-reth-validator-1", trustedPeers: ["enode://a@b:30303", "enode://c@d:30303"] });
    assert.equal(v[0], "node");
    assert.equal(after(v, "--chain"), "/artifacts/genesis.json");
    assert.equal(after(v, "--authrpc.jwtsecret"), "/run/kupcake/jwt.hex");
    assert.equal(after(v, "--p2p-secret-key"), "/run/kupcake/p2p.key");
    assert.equal(after(v, "--nat"), "extaddr:kup-op-reth-validator-1");
    assert.equal(after(v, "--trusted-peers"), "enode://a@b:30303,enode://c@d:30303");
    // A node with --rollup.sequencer-http rejects every transaction while that sequencer is down
    // (op-reth forwards first and fails the call); gossip must stay on and txs reach all peers.
    for (const f of ["--rollup.sequencer-http", "--rollup.sequencer", "--rollup.disable-tx-pool-gossip", "--tx-propagation-policy", "--disable-tx-gossip"]) {
      assert.ok(!v.includes(f), `${f} must not be passed`);
    }
    const s = opRethCommand({ containerName: "x", trustedPeers: [] });
    assert.ok(!s.includes("--trusted-peers"));
  });

  it("op-reth: sequencer P2P identities are fixed per network and slot, valid secp256k1 keys, distinct", () => {
    const k1 = sequencerOpRethP2pKey("kup-dev", 1);
    assert.match(k1, /^[0-9a-f]{64}$/);
    assert.equal(sequencerOpRethP2pKey("kup-dev", 1), k1, "same network and slot: same key");
    assert.equal(k1, bytesToHex(keccak_256(new TextEncoder().encode("kupcake:op-reth-p2p-key:kup-dev:sequencer:1"))));
    const keys = Array.from({ length: 9 }, (_, j) => sequencerOpRethP2pKey("kup-dev", j + 1));
    assert.equal(new Set(keys).size, 9);
    assert.notEqual(sequencerOpRethP2pKey("kup-other", 1), k1, "another stack's network: another identity");
    for (const k of keys) assert.match(nodeIdFromPrivateKey(k), /^[0-9a-f]{128}$/);
    assert.throws(() => sequencerOpRethP2pKey("", 1), /non-empty Docker network name/);
    assert.throws(() => sequencerOpRethP2pKey("kup-dev", 0), /positive integer, not 0/);
  });

  it("validator op-reth peers: every sequencer slot (1..9) by name and fixed identity, then earlier validators", () => {
    const slots = sequencerSlotEnodes("kup-dev");
    assert.equal(slots.length, 9);
    slots.forEach((e, j) => {
      assert.equal(e, `enode://${nodeIdFromPrivateKey(sequencerOpRethP2pKey("kup-dev", j + 1))}@kup-dev-op-reth-sequencer-${j + 1}:30303`);
    });
    assert.deepEqual(validatorRethPeers("kup-dev", ["enode://v1@kup-dev-op-reth-validator-1:30303"]), [...slots, "enode://v1@kup-dev-op-reth-validator-1:30303"]);
  });

  it("kona-node: global flags before `node`, chain id set, signer key and admin API only for sequencers", () => {
    const base = { l2ChainId: 901, l1BlockTime: 4, l1RpcUrl: "http://l1:8545", engineUrl: "http://reth:8551", containerName: "k", bootnodes: [] };
    const v = konaNodeCommand({ ...base, role: "validator" });
    assert.ok(v.indexOf("--metrics.enabled") < v.indexOf("node") && v.indexOf("--chain") < v.indexOf("node"));
    assert.equal(after(v, "--chain"), "901");
    assert.equal(after(v, "--mode"), "validator");
    assert.equal(after(v, "--l1-beacon"), "http://l1:8545");
    assert.equal(after(v, "--l1.slot-duration-override"), "4");
    assert.equal(after(v, "--l1-config-file"), "/artifacts/l1-chain-config.json");
    assert.ok(!v.includes("--p2p.sequencer.key") && !v.includes("--rpc.enable-admin") && !v.includes("--conductor.rpc"));
    const lone = konaNodeCommand({ ...base, role: "sequencer" });
    assert.equal(after(lone, "--p2p.sequencer.key"), ROLES.unsafeBlockSigner.privateKey.slice(2));
    assert.ok(!lone.includes("--sequencer.stopped"), "a lone sequencer is active from the start");
    const managed = konaNodeCommand({ ...base, role: "sequencer", conductorRpc: "http://c:8547" });
    assert.equal(after(managed, "--conductor.rpc"), "http://c:8547");
    assert.ok(managed.includes("--sequencer.stopped") && managed.includes("--rpc.enable-admin"));
    assert.ok(!managed.includes("--conductor.enabled"), "kona has no such flag");
  });

  it("derives the public node id from a P2P key (checked against a well-known dev account)", () => {
    const id = nodeIdFromPrivateKey(ROLES.deployer.privateKey);
    assert.match(id, /^[0-9a-f]{128}$/);
    const address = "0x" + bytesToHex(keccak_256(hexToBytes(id)).slice(-20));
    assert.equal(address, ROLES.deployer.address.toLowerCase());
    assert.throws(() => nodeIdFromPrivateKey("xyz"), /32 bytes of hex/);
  });

  it("peers with fixed or earlier nodes only", () => {
    assert.deepEqual(peerAnchors("sequencer", 1), []);
    assert.deepEqual(peerAnchors("sequencer", 3), [{ role: "sequencer", index: 1 }, { role: "sequencer", index: 2 }]);
    assert.deepEqual(peerAnchors("validator", 1), [{ role: "sequencer", index: 1 }]);
    assert.deepEqual(peerAnchors("validator", 5), [{ role: "sequencer", index: 1 }, { role: "validator", index: 3 }, { role: "validator", index: 4 }]);
  });
});

describe("op-conductor", () => {
  const args = { serverId: "sequencer-2", containerName: "kup-op-conductor-2", bootstrap: false, nodeRpc: "http://k:7545", executionRpc: "http://r:8545", l2BlockTime: 2 };
  it("binds all interfaces and advertises its container name; bootstraps only when asked; never starts paused", () => {
    const c = opConductorCommand(args);
    assert.equal(c[0], "op-conductor");
    assert.equal(after(c, "--consensus.addr"), "0.0.0.0");
    assert.equal(after(c, "--consensus.advertised"), "kup-op-conductor-2:50050");
    assert.equal(after(c, "--raft.server.id"), "sequencer-2");
    assert.ok(!c.includes("--raft.bootstrap"));
    assert.ok(!c.includes("--paused"), "a restarted conductor must run its control loop without a resume call");
    assert.ok(opConductorCommand({ ...args, bootstrap: true }).includes("--raft.bootstrap"));
  });
  it("hands leadership on round-robin, so a leader that lags the Raft head reaches the voter that holds it", () => {
    const c = opConductorCommand(args);
    const i = c.indexOf("--raft.round-robin-leader-transfer");
    assert.ok(i > 0, "every conductor sets --raft.round-robin-leader-transfer");
    assert.ok(c[i + 1].startsWith("--"), "a boolean flag: the next argument is another flag, not its value");
  });
  it("derives health-check timing from the L2 block time", () => {
    assert.deepEqual(conductorHealthTiming(2), { interval: 2, unsafeInterval: 5 });
    assert.deepEqual(conductorHealthTiming(1), { interval: 1, unsafeInterval: 3 });
    assert.equal(after(opConductorCommand({ ...args, l2BlockTime: 1 }), "--healthcheck.unsafe-interval"), "3");
  });
});

describe("chain services", () => {
  const seqs = { l2EthRpcs: ["http://c1:8547", "http://c2:8547"], rollupRpcs: ["http://c1:8547", "http://c2:8547"] };
  it("op-batcher follows the active sequencer through equal-length lists", () => {
    const b = opBatcherCommand({ l1RpcUrl: "http://l1:8545", sequencers: seqs, dataAvailability: "calldata" });
    assert.equal(after(b, "--l2-eth-rpc"), "http://c1:8547,http://c2:8547");
    assert.equal(after(b, "--rollup-rpc"), "http://c1:8547,http://c2:8547");
    assert.equal(after(b, "--data-availability-type"), "calldata");
    assert.equal(after(b, "--private-key"), ROLES.batcher.privateKey);
    assert.throws(() => opBatcherCommand({ l1RpcUrl: "x", sequencers: { l2EthRpcs: ["a"], rollupRpcs: ["a", "b"] }, dataAvailability: "calldata" }), /equal length/);
  });
  it("op-proposer proposes permissioned games (type 1) at the deployed factory", () => {
    const p = opProposerCommand({ l1RpcUrl: "http://l1:8545", sequencers: seqs, disputeGameFactory: "0xabc" });
    assert.equal(PERMISSIONED_GAME_TYPE, 1);
    assert.equal(after(p, "--game-type"), "1");
    assert.equal(after(p, "--game-factory-address"), "0xabc");
  });
  it("op-challenger runs the permissioned game with a prestate source", () => {
    const c = opChallengerCommand({ l1RpcUrl: "http://l1:8545", l2EthRpc: "http://r", rollupRpc: "http://k", disputeGameFactory: "0xabc", prestatesUrl: "http://p/" });
    assert.equal(after(c, "--game-types"), "permissioned");
    assert.equal(after(c, "--prestates-url"), "http://p/");
    assert.ok(!c.includes("--game-allowlist"), "the allowlist takes game addresses, not types");
  });
});

describe("TOML writer", () => {
  it("writes scalars, tables and arrays of tables deterministically ", () => {
    const t = toToml({ a: 1, b: "x\"y", c: true, d: [1, 2], t: { k: "v" }, arr: [{ n: 1, sub: { z: 2 } }, { n: 2 }] });
    assert.equal(t, 'a = 1\nb = "x\\"y"\nc = true\nd = [1, 2]\n\n[t]\nk = "v"\n\n[[arr]]\nn = 1\n\n[arr.sub]\nz = 2\n\n[[arr]]\nn = 2\n');
    assert.throws(() => toToml({ big: 2 ** 60 }), /not a safe integer/);
  });
});
