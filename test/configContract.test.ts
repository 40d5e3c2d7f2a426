// The config contract on bad input: every kind of mistake a user can make in a stack file or with
// --set is rejected the same way, by the offline plan (exit 2, one message naming key, value and
// fix on stderr, nothing on stdout, no stack trace) and by the program `pulumi up` runs (the same
// message as a RunError). One test per kind, each with several examples of the kind.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { MOVING_TAGS, PUBLIC_CHAIN_IDS, isLoopback, unpinnedReason } from "../components/config/guards";
import { DEFAULT_PORTS, MAX_L2_NODES, MAX_PORT_OFFSET, MAX_SEQUENCERS, PORT_OFFSET_STEP, defaultChainIds } from "../components/config/schema";
import { encryptedKeys, parseStackFile } from "../components/config/stackFile";
import { ConfigError, misspeltNamespace, validateAllConfig, validateConfig } from "../components/config/validate";
import { publishedPorts } from "../components/ports";
import { loadConfig } from "../components/program";
import { stackConfig } from "../plan/run";
import { plan, planProcess, PlanRun } from "./helpers/plan";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "kupcake-contract-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes a stack file with `text` and returns its path. */
function stackFile(text: string): string {
  const f = join(dir, `Pulumi.case${++files}.yaml`);
  writeFileSync(f, text);
  return f;
}

/** Runs the offline plan on a stack file (plus args) as a user does. */
const planFile = (text: string, ...args: string[]) => planProcess(["--config-file", stackFile(text), ...args]);
/** Runs the offline plan on the dev stack with `--set` overrides. */
const planSets = (...sets: string[]) => planProcess(sets.flatMap((s) => ["--set", s]));

/** The contract's rejection: exit 2, nothing on stdout, one problem matching `patterns`, no trace. */
function assertRejected(r: PlanRun, patterns: RegExp[], problems = 1): void {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, "", "nothing on stdout");
  assert.match(r.stderr, new RegExp(`^Invalid kupcake stack config \\(stack "[^"]+"\\): ${problems} problems?\\n`));
  assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("  ✖ ")).length, problems, r.stderr);
  for (const p of patterns) assert.match(r.stderr, p);
  assert.match(r.stderr, /Fix: /);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:|plan failed/, "no stack trace, no raw error");
}

/** The message `validateConfig` throws for `raw`. */
function problem(raw: Record<string, unknown>): string {
  try {
    validateConfig("dev", raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe("bad input, through the offline plan (exit 2, one message, nothing on stdout)", () => {
  it("a stack file that is not a mapping, or whose config: is not one", async () => {
    const cases: [string, RegExp][] = [
      ["- kupcake:l2Nodes: 3\n- kupcake:sequencerCount: 1\n", /Pulumi\.case\d+\.yaml = \[.*\] \(a list\): a stack file must be a YAML mapping with a `config:` key/],
      ["just a string\n", /= "just a string" \(a string\): a stack file must be a YAML mapping/],
      ["42\n", /= 42 \(a number\): a stack file must be a YAML mapping/],
      ["config:\n  - kupcake:l2Nodes: 3\n", /config = \[\{"kupcake:l2Nodes":3\}\] \(a list\): `config:` must be a mapping of `kupcake:<key>: <value>` entries/],
      ["config: kupcake:l2Nodes=3\n", /config = "kupcake:l2Nodes=3" \(a string\): `config:` must be a mapping/],
      ["confg:\n  kupcake:l2Nodes: 300\n", /top-level key `confg` is not `config`, so Pulumi silently ignores everything under it. Fix: rename it to `config:`/],
    ];
    const runs = await Promise.all(cases.map(([text]) => planFile(text)));
    runs.forEach((r, i) => {
      assertRejected(r, [cases[i][1]]);
      assert.doesNotMatch(r.stderr, /is not a known key/, "not reported as unknown keys kupcake:0, kupcake:1, ...");
    });
  });

  it("YAML syntax errors name the file, the line and the offending text", async () => {
    const cases: [string, RegExp][] = [
      ["# dev\nconfig:\n  kupcake:l2Nodes: 3\n   kupcake:l2BlockTime: 1\n", /Pulumi\.case\d+\.yaml line 4, column \d+: not valid YAML \(bad indentation of a mapping entry\): "   kupcake:l2BlockTime: 1"/],
      ["config:\n  kupcake:images: {opReth: [3\n", /Pulumi\.case\d+\.yaml line \d, column \d+: not valid YAML \(.*\)/],
      ["config:\n  kupcake:l2Nodes: 3\n  kupcake:l2Nodes: 4\n", /line 3, column \d+: not valid YAML \(duplicated mapping key\): "  kupcake:l2Nodes: 4"/],
      ["config:\n\tkupcake:l2Nodes: 3\n", /line 2, column \d+: not valid YAML/],
    ];
    const runs = await Promise.all(cases.map(([text]) => planFile(text)));
    runs.forEach((r, i) => assertRejected(r, [cases[i][1], /Fix: correct that line/]));
  });

  it("keys in a misspelt namespace are rejected with the fix; Pulumi's and providers' namespaces pass", async () => {
    const cases: [string, RegExp][] = [
      ["config:\n  kupcak:l2Nodes: 3\n", /kupcak:l2Nodes = "3": is in namespace `kupcak`, not `kupcake`, so nothing reads it .* Fix: rename it to kupcake:l2Nodes\./],
      ["config:\n  Kupcake:sequencerCount: 1\n", /Kupcake:sequencerCount = "1": is in namespace `Kupcake`, not `kupcake`/],
      ["config:\n  cupcake:monitoring: false\n", /cupcake:monitoring = "false": is in namespace `cupcake`/],
      ["config:\n  kupcake-dev:l2Nodes: 3\n", /kupcake-dev:l2Nodes = "3": is in namespace `kupcake-dev`/],
    ];
    const runs = await Promise.all(cases.map(([text]) => planFile(text)));
    runs.forEach((r, i) => assertRejected(r, [cases[i][1]]));
    // Real namespaces other tools read: accepted (the whole plan runs).
    const ok = await planFile("config:\n  kupcake:l2Nodes: 1\n  pulumi:tags: {team: rollups}\n  docker:host: unix:///var/run/docker.sock\n  random:x: 1\n", "--json");
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).config.l2Nodes, 1);
  });

  it("unknown nested keys (images, ports, a flat dotted key) are rejected with did-you-mean", async () => {
    const runs = await Promise.all([
      planFile("config:\n  kupcake:images:\n    opRet: a/b:v1\n"),
      planFile("config:\n  kupcake:ports:\n    grafanna: 3001\n"),
      planFile("config:\n  kupcake:images.konaNode: a/b:v1\n"),
      planSets("ports.l1rpc=8545"),
    ]);
    assertRejected(runs[0], [/kupcake:images.opRet is not a known key. Fix: did you mean `opReth`\?/]);
    assertRejected(runs[1], [/kupcake:ports.grafanna is not a known key. Fix: did you mean `grafana`\?/]);
    assertRejected(runs[2], [/kupcake:images.konaNode is not a known key: `images` is an object, its keys are nested. Fix: set it with `pulumi config set --path 'kupcake:images.konaNode' <value>`/]);
    assertRejected(runs[3], [/kupcake:ports.l1rpc is not a known key. Fix: did you mean `l1Rpc`\?/]);
  });

  it("nested port keys out of range say the range, not a collision", async () => {
    const runs = await Promise.all([planSets("ports.l1Rpc=80"), planSets("ports.grafana=70000"), planSets("ports.validatorBase=0"), planSets("ports.prometheus=\"x\"")]);
    assertRejected(runs[0], [/kupcake:ports.l1Rpc = 80: must be at least 1024 \(a host port base, 1024..65535\). Fix: use a port between 1024 and 65535/]);
    assertRejected(runs[1], [/kupcake:ports.grafana = 70000: must be at most 65535 \(a host port base, 1024..65535\)/]);
    assertRejected(runs[2], [/kupcake:ports.validatorBase = 0: must be at least 1024/]);
    assertRejected(runs[3], [/kupcake:ports.prometheus = "x": must be an integer \(a host port base/]);
    for (const r of runs) assert.doesNotMatch(r.stderr, /collid|used twice/);
  });

  it("public chains' ids are rejected on either side", async () => {
    const runs = await Promise.all([planSets("l1ChainId=1"), planSets("l1ChainId=17000"), planSets("l2ChainId=10"), planSets("l2ChainId=8453"), planSets("l2ChainId=11155420")]);
    assertRejected(runs[0], [/kupcake:l1ChainId = 1: is Ethereum mainnet's chain id/, /Fix: pick an unused id such as 900/]);
    assertRejected(runs[1], [/kupcake:l1ChainId = 17000: is Holesky's chain id/]);
    assertRejected(runs[2], [/kupcake:l2ChainId = 10: is OP Mainnet's chain id/, /Fix: pick an unused id such as 901/]);
    assertRejected(runs[3], [/kupcake:l2ChainId = 8453: is Base's chain id/]);
    assertRejected(runs[4], [/kupcake:l2ChainId = 11155420: is OP Sepolia's chain id/]);
  });

  it("an L2 block time longer than the L1 block time is rejected", async () => {
    const runs = await Promise.all([planSets("l2BlockTime=6"), planSets("blockTime=1"), planSets("blockTime=3", "l2BlockTime=4")]);
    assertRejected(runs[0], [/kupcake:l2BlockTime = 6: must be at most kupcake:blockTime \(4, the default\)/, /Fix: lower kupcake:l2BlockTime to at most 4 or raise kupcake:blockTime to at least 6\./]);
    assertRejected(runs[1], [/kupcake:l2BlockTime = 2: must be at most kupcake:blockTime \(1\)/]);
    assertRejected(runs[2], [/kupcake:l2BlockTime = 4: must be at most kupcake:blockTime \(3\)/]);
  });

  it("untagged or floating image references are rejected by the contract itself", async () => {
    const refs = ["grafana/grafana", "grafana/grafana:latest", "ghcr.io/x/op-reth:develop", "x/kona:main", "x/kona:nightly", "localhost:5000/op-reth"];
    const runs = await Promise.all(refs.map((ref) => planSets(`images.grafana=${ref}`)));
    runs.forEach((r, i) => {
      const tag = /:(\w+)$/.exec(refs[i].replace(/^localhost:5000/, ""))?.[1];
      const why = tag ? `uses the moving tag \`${tag}\`` : "has no tag \\(Docker would pull `latest`\\)";
      assertRejected(r, [new RegExp(`kupcake:images.grafana = "${refs[i].replace(/[.]/g, "\\.")}": is not pinned: it ${why}`), /Fix: use a released version tag .* or a digest/]);
    });
  });

  it("a non-loopback bindAddress needs kupcake:exposePorts; exposePorts alone is dead config", async () => {
    const runs = await Promise.all([planSets("bindAddress=0.0.0.0"), planSets("bindAddress=192.168.1.10", "exposePorts=false"), planSets("exposePorts=true"), planSets("exposePorts=yes")]);
    assertRejected(runs[0], [/kupcake:bindAddress = "0.0.0.0": is not a loopback address/, /Fix: set kupcake:exposePorts to true/]);
    assertRejected(runs[1], [/kupcake:bindAddress = "192.168.1.10": is not a loopback address/]);
    assertRejected(runs[2], [/kupcake:exposePorts = true: has no effect while kupcake:bindAddress is 127.0.0.1 \(loopback\)/]);
    assertRejected(runs[3], [/kupcake:exposePorts = "yes": must be a boolean/]);
    const exposed = await plan({ bindAddress: "0.0.0.0", exposePorts: true });
    assert.ok(exposed.resources.some((r) => (r.inputs.ports as { ip: string }[] | undefined)?.some((p) => p.ip === "0.0.0.0")), "the opt-in publishes on the address");
  });

  it("encrypted values: the plan says it cannot decrypt them (not 'invalid') and how to go on", async () => {
    const file = "config:\n  kupcake:network:\n    secure: v1:AAAA:BBBB\n  kupcake:images:\n    opReth:\n      secure: v1:CCCC:DDDD\n  docker:registryAuth:\n    secure: v1:EEEE\n";
    const r = await planFile(file);
    assertRejected(
      r,
      [
        /kupcake:network = \[encrypted `secure:` value in .*Pulumi\.case\d+\.yaml\]: the offline plan runs without the Pulumi CLI, so it cannot decrypt secrets/,
        /kupcake:images.opReth = \[encrypted/,
        /Fix: use the Pulumi CLI, which decrypts it \(`npm run preview`\), or give the offline run a plain value with `--set network=<value>`/,
      ],
      2,
    );
    assert.doesNotMatch(r.stderr, /invalid network name|must be a string|docker:registryAuth/);
    // The suggested fix works: with both overridden, the plan runs (the provider's secret is not the plan's business).
    const ok = await planProcess(["--config-file", stackFile(file), "--json", "--set", "network=kup-sec", "--set", "images.opReth=x/op-reth:v1"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).config.network, "kup-sec");
  });

  it("kupcake:portOffset outside 0, 10, ..., 90 is rejected with the allowed values", async () => {
    const runs = await Promise.all([planSets("portOffset=15"), planSets("portOffset=100"), planSets("portOffset=-10"), planSets("portOffset=ten"), planSets("portOffset=90", "ports.grafana=65500")]);
    for (const [r, p] of [
      [runs[0], /kupcake:portOffset = 15: must be a multiple of 10/],
      [runs[1], /kupcake:portOffset = 100: must be at most 90/],
      [runs[2], /kupcake:portOffset = -10: must be at least 0/],
      [runs[3], /kupcake:portOffset = "ten": must be an integer/],
    ] as const) assertRejected(r, [p, /Fix: use one of 0, 10, 20, \.\.\., 90/]);
    assertRejected(runs[4], [/kupcake:ports.grafana = 65500 with kupcake:portOffset = 90: Grafana of kup-dev-grafana would be published on 65590, past 65535/, /Fix: lower kupcake:ports.grafana to at most 65445 or lower kupcake:portOffset/]);
  });
});

describe("the program `pulumi up` runs gives the same message (RunError, no stack trace)", () => {
  before(() => pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "kupcake", "dev", false));
  const cases: [string, Record<string, string>][] = [
    ["misspelt namespace", { "kupcak:l2Nodes": "3" }],
    ["public L2 chain id", { "kupcake:l2ChainId": "10" }],
    ["L2 slower than L1", { "kupcake:blockTime": "2", "kupcake:l2BlockTime": "3" }],
    ["floating image", { "kupcake:images": JSON.stringify({ opReth: "x/op-reth:latest" }) }],
    ["exposed without opt-in", { "kupcake:bindAddress": "0.0.0.0", "kupcake:exposePorts": "false" }],
    ["port base out of range", { "kupcake:ports": JSON.stringify({ l1Rpc: 80 }) }],
    ["bad portOffset", { "kupcake:portOffset": "5" }],
    ["hardforks out of order", { "kupcake:hardforks": JSON.stringify({ isthmus: 60 }) }],
    ["dispute clock too short", { "kupcake:faultGameMaxClockDuration": "4" }],
  ];
  for (const [name, all] of cases) {
    it(name, () => {
      pulumi.runtime.setAllConfig(all, []);
      let expected = "";
      try {
        validateAllConfig("dev", all);
      } catch (e) {
        expected = (e as Error).message;
      }
      assert.match(expected, /1 problem\n/);
      assert.throws(loadConfig, (e: unknown) => e instanceof pulumi.RunError && e.message === expected);
    });
  }
});

describe("contract rules, unit level", () => {
  it("parseStackFile: mapping checks, empty files and `config:` are no settings", () => {
    assert.deepEqual(parseStackFile("", "P.yaml", "dev"), {});
    assert.deepEqual(parseStackFile("config:\n", "P.yaml", "dev"), {});
    assert.deepEqual(parseStackFile("encryptionsalt: v1:x\nconfig:\n  kupcake:l2Nodes: 3\n", "P.yaml", "dev"), { "kupcake:l2Nodes": 3 });
    assert.throws(() => parseStackFile("- 1\n", "P.yaml", "dev"), /P\.yaml = \[1\] \(a list\)/);
    assert.throws(() => parseStackFile("Config:\n  a: 1\n", "P.yaml", "dev"), /top-level key `Config` is not `config`/);
    assert.throws(() => parseStackFile("config: [\n", "P.yaml", "dev"), (e: unknown) => e instanceof ConfigError && /P\.yaml line \d, column \d+: not valid YAML/.test(e.message));
  });

  it("encryptedKeys finds secure values at any depth, in the project's namespace only", () => {
    const s = { secure: "v1:x" };
    assert.deepEqual(encryptedKeys({ "kupcake:network": s, "kupcake:images": { opReth: s, grafana: "g/g:1" }, "docker:x": s, "kupcake:l2Nodes": 3 }), ["kupcake:network", "kupcake:images.opReth"]);
    assert.deepEqual(encryptedKeys({ "kupcake:images": { opReth: { secure: "v1:x", other: 1 } } }), [], "a mapping with more than `secure` is not Pulumi's encrypted form");
  });

  it("stackConfig: a --set replaces an encrypted value, top-level or nested", () => {
    const f = stackFile("config:\n  kupcake:network:\n    secure: v1:x\n  kupcake:images:\n    opReth:\n      secure: v1:y\n");
    assert.throws(() => stackConfig("dev", [], undefined, f), /2 problems/);
    assert.throws(() => stackConfig("dev", ["network=kup-a"], undefined, f), /1 problem[\s\S]*kupcake:images.opReth = \[encrypted/);
    const all = stackConfig("dev", ["network=kup-a", "images.opReth=x/r:v1"], undefined, f);
    assert.equal(all["kupcake:network"], "kup-a");
    assert.deepEqual(JSON.parse(all["kupcake:images"]), { opReth: "x/r:v1" });
  });

  it("misspeltNamespace: close to `kupcake` is a typo, Pulumi's and providers' namespaces are not", () => {
    for (const ns of ["kupcak", "kupcakee", "Kupcake", "KUPCAKE", "cupcake", "kupkake", "kupcake-dev", "mykupcake"]) assert.equal(misspeltNamespace(ns), true, ns);
    for (const ns of ["kupcake", "pulumi", "docker", "random", "aws", "gcp", "azure-native", "kubernetes", "command", "tls", "esc"]) assert.equal(misspeltNamespace(ns), false, ns);
  });

  it("public chain ids: one list for both sides; the derived defaults never land on one", () => {
    for (const id of Object.keys(PUBLIC_CHAIN_IDS).map(Number)) {
      assert.match(problem({ l1ChainId: id }), new RegExp(`kupcake:l1ChainId = ${id}: is .*'s chain id`));
      assert.match(problem({ l2ChainId: id }), new RegExp(`kupcake:l2ChainId = ${id}: is .*'s chain id`));
    }
    for (let i = 0; i < 3000; i++) {
      const ids = defaultChainIds(`kup-${i}`);
      assert.equal(PUBLIC_CHAIN_IDS[ids.l1ChainId], undefined);
      assert.equal(PUBLIC_CHAIN_IDS[ids.l2ChainId], undefined);
      assert.notEqual(ids.l1ChainId, ids.l2ChainId);
    }
  });

  it("block times: equal is fine, L2 slower than L1 is not", () => {
    assert.equal(validateConfig("dev", { blockTime: 2, l2BlockTime: 2 }).l2BlockTime, 2);
    assert.equal(validateConfig("dev", { blockTime: 12, l2BlockTime: 1 }).blockTime, 12);
    assert.match(problem({ blockTime: 5, l2BlockTime: 6 }), /kupcake:l2BlockTime = 6: must be at most kupcake:blockTime \(5\)/);
  });

  it("unpinnedReason is the one rule for the contract and the policy pack", () => {
    for (const tag of MOVING_TAGS) assert.match(problem({ images: { opReth: `x/op-reth:${tag}` } }), new RegExp(`moving tag \`${tag}\``));
    assert.equal(unpinnedReason("x/op-reth:v2.4.1"), undefined);
    assert.equal(unpinnedReason(`x/op-reth@sha256:${"a".repeat(64)}`), undefined);
    assert.equal(unpinnedReason(`x/op-reth:latest@sha256:${"a".repeat(64)}`), undefined, "a digest pins whatever the tag says");
    assert.equal(validateConfig("dev", { images: { opReth: `x/op-reth@sha256:${"b".repeat(64)}` } }).images.opReth, `x/op-reth@sha256:${"b".repeat(64)}`);
  });

  it("loopback addresses need no opt-in; others need exposePorts", () => {
    for (const ip of ["127.0.0.1", "127.0.0.2", "127.255.255.254"]) {
      assert.equal(isLoopback(ip), true, ip);
      assert.equal(validateConfig("dev", { bindAddress: ip }).bindAddress, ip);
    }
    for (const ip of ["0.0.0.0", "10.0.0.1", "128.0.0.1"]) {
      assert.equal(isLoopback(ip), false, ip);
      assert.match(problem({ bindAddress: ip }), /is not a loopback address/);
      assert.equal(validateConfig("dev", { bindAddress: ip, exposePorts: true }).exposePorts, true);
    }
  });
});

describe("kupcake:portOffset: stacks side by side", () => {
  it("shifts every published host port, and only host ports", async () => {
    const [base, shifted] = await Promise.all([plan(), plan({ portOffset: 30 })]);
    assert.equal(shifted.config.portOffset, 30);
    for (const k of Object.keys(DEFAULT_PORTS) as (keyof typeof DEFAULT_PORTS)[]) assert.equal(shifted.config.ports[k], DEFAULT_PORTS[k] + 30, k);
    const ports = (p: typeof base) =>
      p.resources.flatMap((r) => ((r.inputs.ports as { internal: number; external: number; ip: string }[] | undefined) ?? []).map((x) => ({ c: String(r.inputs.name), ...x })));
    const a = ports(base);
    const b = ports(shifted);
    assert.equal(a.length, 22);
    assert.deepEqual(b, a.map((x) => ({ ...x, external: x.external + 30 })));
    // Every host URL the stack exports (and the status tools read) moves with it.
    const urls = (p: typeof base) => JSON.stringify(p.outputs).match(/127\.0\.0\.1:\d+/g) ?? [];
    assert.ok(urls(base).length > 10);
    assert.deepEqual(urls(shifted), urls(base).map((u) => u.replace(/\d+$/, (n) => String(Number(n) + 30))));
  });

  it("two stacks with different offsets never share a host port, at any topology (default bases)", () => {
    const offsets = Array.from({ length: MAX_PORT_OFFSET / PORT_OFFSET_STEP + 1 }, (_, i) => i * PORT_OFFSET_STEP);
    const topologies = [
      { sequencerCount: 1, l2Nodes: 1 },
      { sequencerCount: 2, l2Nodes: 5 },
      { sequencerCount: MAX_SEQUENCERS, l2Nodes: MAX_L2_NODES },
      { sequencerCount: 1, l2Nodes: MAX_L2_NODES },
    ];
    const portsOf = (t: object, portOffset: number) => new Set(publishedPorts(validateConfig("dev", { ...t, portOffset })).map((p) => p.external));
    for (const a of offsets) {
      for (const b of offsets.filter((x) => x > a)) {
        for (const ta of topologies) {
          const pa = portsOf(ta, a);
          for (const tb of topologies) {
            const clash = [...portsOf(tb, b)].filter((p) => pa.has(p));
            assert.deepEqual(clash, [], `offset ${a} ${JSON.stringify(ta)} vs offset ${b} ${JSON.stringify(tb)}`);
          }
        }
      }
    }
  });

  it("the shifted layout is validated: a collision names both bases and the offset", () => {
    const msg = problem({ portOffset: 10, ports: { sequencerWs: 9645 } });
    assert.match(msg, /kupcake:ports.sequencerWs = 9645 with kupcake:portOffset = 10: host port 9655 is used twice/);
    assert.match(msg, /Fix: move kupcake:ports.sequencerWs or kupcake:ports.sequencerRpc/);
  });
});

describe("chain parameters (hardforks, gas limit, EIP-1559, sequencer window, channel timeout, withdrawal timing)", () => {
  it("out-of-range values name the key, the value, the range and the fix (offline plan: exit 2, one message)", async () => {
    const cases: [string[], RegExp[]][] = [
      [["l2GasLimit=20000000"], [/kupcake:l2GasLimit = 20000000: must be at least 21000000 \(L2 block gas limit in gas, 21000000\.\.500000000/, /Fix: use a gas limit between 21000000 and 500000000/]],
      [["l2GasLimit=600000000"], [/kupcake:l2GasLimit = 600000000: must be at most 500000000/]],
      [["eip1559Elasticity=0"], [/kupcake:eip1559Elasticity = 0: must be at least 1 \(EIP-1559 elasticity/]],
      [["eip1559DenominatorCanyon=0"], [/kupcake:eip1559DenominatorCanyon = 0: must be at least 1/]],
      [["sequencerWindowSize=1"], [/kupcake:sequencerWindowSize = 1: must be at least 2 \(sequencing window in L1 blocks/, /Fix: use a whole number of L1 blocks, at least 2/]],
      [["channelTimeout=0"], [/kupcake:channelTimeout = 0: must be at least 1 \(channel timeout in L1 blocks/]],
      [["proofMaturityDelaySeconds=0"], [/kupcake:proofMaturityDelaySeconds = 0: must be at least 1/]],
      [["disputeGameFinalityDelaySeconds=-5"], [/kupcake:disputeGameFinalityDelaySeconds = -5: must be at least 1/]],
      [["hardforks.jovian=-1"], [/kupcake:hardforks.jovian = -1: must be at least 0 \(seconds after L2 genesis/, /Fix: use a whole number of seconds/]],
      [["hardforks.jovian=soon"], [/kupcake:hardforks.jovian = "soon": must be a whole number of seconds \(0 = at genesis\) or "off"/]],
      [["hardforks.isthmuss=0"], [/kupcake:hardforks.isthmuss is not a known key. Fix: did you mean `isthmus`\?/]],
    ];
    const runs = await Promise.all(cases.map(([sets]) => planSets(...sets)));
    runs.forEach((r, i) => assertRejected(r, cases[i][1]));
  });

  it("hardfork order: a fork after its successor, two forks in one L2 block, or a default fork turned off are rejected", async () => {
    const runs = await Promise.all([
      planSets("hardforks.isthmus=60"),
      planSets("hardforks.isthmus=60", "hardforks.jovian=30"),
      planSets("hardforks.isthmus=61", "hardforks.jovian=62"),
      planSets("hardforks.granite=off"),
      planSets('hardforks={"karst":"off","jovian":10}', "hardforks.isthmus=10"),
    ]);
    assertRejected(runs[0], [/kupcake:hardforks.isthmus = 60: forks activate in order, but Isthmus \(60\) would come after Jovian \(0, op-deployer's default\)/, /Fix: set kupcake:hardforks.jovian to a later offset than 60 \(e.g. 62\)/]);
    assertRejected(runs[1], [/kupcake:hardforks.jovian = 30: forks activate in order, but Isthmus \(60\) would come after Jovian \(30\)/]);
    assertRejected(runs[2], [/kupcake:hardforks.jovian = 62: Jovian would activate in the same L2 block as Isthmus \(61\): block 31, 62 s after genesis with kupcake:l2BlockTime = 2/, /Fix: set kupcake:hardforks.jovian to at least 63/]);
    assertRejected(runs[3], [/kupcake:hardforks.granite = "off": Granite cannot be turned off: op-deployer v0.7.1 activates every fork up to Jovian/, /Fix: give an offset in seconds/]);
    assertRejected(runs[4], [/kupcake:hardforks.jovian = 10: Jovian would activate in the same L2 block as Isthmus \(10\)/]);
  });

  it("dispute game clocks: max clock duration below what FaultDisputeGame.initialize needs is rejected", async () => {
    const runs = await Promise.all([planSets("faultGameMaxClockDuration=8"), planSets("faultGameClockExtension=10"), planSets("preimageOracleChallengePeriod=600")]);
    assertRejected(runs[0], [/kupcake:faultGameMaxClockDuration = 8: must be at least max\(2 × faultGameClockExtension, faultGameClockExtension \+ preimageOracleChallengePeriod\) = 9 s \(faultGameClockExtension = 3, preimageOracleChallengePeriod = 6\)/, /InvalidClockExtension/, /Fix: raise kupcake:faultGameMaxClockDuration to at least 9/]);
    assertRejected(runs[1], [/kupcake:faultGameMaxClockDuration = 12: must be at least .* = 20 s/]);
    assertRejected(runs[2], [/kupcake:faultGameMaxClockDuration = 12: must be at least .* = 603 s/]);
  });

  it("EIP-1559 elasticity above the gas limit (a gas target below 1 gas) is rejected", () => {
    assert.match(problem({ l2GasLimit: 21_000_000, eip1559Elasticity: 21_000_001 }), /kupcake:eip1559Elasticity = 21000001: must be at most kupcake:l2GasLimit \(21000000\).*Fix: use a small elasticity such as 6/);
    assert.equal(validateConfig("dev", { l2GasLimit: 21_000_000, eip1559Elasticity: 21_000_000 }).eip1559Elasticity, 21_000_000);
  });

  it("valid settings pass and resolve; unset keys keep today's values, withdrawal timing defaults to devnet seconds", () => {
    const d = validateConfig("dev", {});
    assert.deepEqual(d.hardforks, { ecotone: 0, fjord: 0, granite: 0, holocene: 0, isthmus: 0, jovian: 0, karst: "off" });
    assert.deepEqual(
      [d.l2GasLimit, d.eip1559DenominatorCanyon, d.eip1559Elasticity, d.sequencerWindowSize, d.channelTimeout],
      [60_000_000, 250, 6, 3600, 300],
    );
    assert.deepEqual(
      [d.proofMaturityDelaySeconds, d.disputeGameFinalityDelaySeconds, d.faultGameClockExtension, d.faultGameMaxClockDuration, d.preimageOracleChallengePeriod],
      [12, 6, 3, 12, 6],
    );
    // 60 and 61 land in blocks 30 and 31 (2 s blocks): different blocks, accepted.
    assert.equal(validateConfig("dev", { hardforks: { isthmus: 60, jovian: 61 } }).hardforks.jovian, 61);
    const c = validateConfig("dev", { hardforks: { isthmus: 60, jovian: 62, karst: 120 }, l2GasLimit: 30_000_000, faultGameClockExtension: 5, preimageOracleChallengePeriod: 5, faultGameMaxClockDuration: 10 });
    assert.deepEqual(c.hardforks, { ecotone: 0, fjord: 0, granite: 0, holocene: 0, isthmus: 60, jovian: 62, karst: 120 });
    assert.equal(c.l2GasLimit, 30_000_000);
    // The minimum that FaultDisputeGame accepts is accepted: max(2 × 5, 5 + 5) = 10.
    assert.equal(c.faultGameMaxClockDuration, 10);
  });
});
