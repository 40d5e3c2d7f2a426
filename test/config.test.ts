import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CONFIG_KEYS, ConfigInputSchema, DEFAULT_PORTS, defaultChainIds } from "../components/config/schema";
import { ConfigError, validateAllConfig, validateConfig } from "../components/config/validate";
import { DEFAULT_IMAGES, parseImageRef } from "../components/images";

/** The single message a bad config produces (ConfigError.message). */
function problem(raw: Record<string, unknown>): string {
  try {
    validateConfig("dev", raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail(`config ${JSON.stringify(raw)} was accepted`);
}

describe("config defaults", () => {
  it("resolves the seed defaults: 2 sequencers + 3 validators, loopback, monitoring and proposer on, challenger off", () => {
    const c = validateConfig("dev", {});
    assert.equal(c.network, "kup-dev");
    assert.equal(c.l2Nodes, 5);
    assert.equal(c.sequencerCount, 2);
    assert.equal(c.validatorCount, 3);
    assert.equal(c.bindAddress, "127.0.0.1");
    assert.deepEqual(c.ports, { ...DEFAULT_PORTS });
    assert.deepEqual(c.images, { ...DEFAULT_IMAGES });
    assert.equal(c.monitoring, true);
    assert.equal(c.proposer, true);
    assert.equal(c.challenger, false);
    assert.equal(c.dataAvailability, "calldata");
    assert.equal(c.blockTime, 4);
    assert.equal(c.l2BlockTime, 2);
  });

  it("derives chain ids from the network name: stable, 5 digits, different from each other", () => {
    const a = defaultChainIds("kup-dev");
    assert.deepEqual(defaultChainIds("kup-dev"), a);
    assert.notDeepEqual(defaultChainIds("kup-other"), a);
    for (const net of ["kup-dev", "kup-a", "kup-b", "x"]) {
      const ids = defaultChainIds(net);
      assert.ok(ids.l1ChainId >= 10000 && ids.l1ChainId < 100000);
      assert.ok(ids.l2ChainId >= 10000 && ids.l2ChainId < 100000);
      assert.notEqual(ids.l1ChainId, ids.l2ChainId);
    }
    assert.equal(validateConfig("dev", {}).l2ChainId, a.l2ChainId);
  });

  it("a single-node devnet defaults to one sequencer", () => {
    const c = validateConfig("dev", { l2Nodes: 1 });
    assert.equal(c.sequencerCount, 1);
    assert.equal(c.validatorCount, 0);
  });

  it("merges partial image and port overrides over the defaults", () => {
    const c = validateConfig("dev", { images: { opReth: "example.com/op-reth:v9" }, ports: { grafana: 3300 } });
    assert.equal(c.images.opReth, "example.com/op-reth:v9");
    assert.equal(c.images.konaNode, DEFAULT_IMAGES.konaNode);
    assert.equal(c.ports.grafana, 3300);
    assert.equal(c.ports.l1Rpc, DEFAULT_PORTS.l1Rpc);
  });

  it("documents every key of the schema in CONFIG_KEYS (the reference cannot drift)", () => {
    assert.deepEqual(Object.keys(ConfigInputSchema.shape).sort(), Object.keys(CONFIG_KEYS).sort());
  });
});

describe("config rules: one message naming the key, the bad value and the fix", () => {
  const cases: [string, Record<string, unknown>, RegExp[]][] = [
    ["sequencerCount above l2Nodes", { sequencerCount: 4, l2Nodes: 3 }, [/kupcake:sequencerCount = 4/, /at most kupcake:l2Nodes \(3\)/, /Fix: raise kupcake:l2Nodes to at least 4/]],
    ["sequencerCount 0", { sequencerCount: 0 }, [/kupcake:sequencerCount = 0: must be at least 1/, /Fix:/]],
    ["sequencerCount above 9", { sequencerCount: 10, l2Nodes: 20 }, [/kupcake:sequencerCount = 10: must be at most 9/]],
    ["l2Nodes above 100", { l2Nodes: 101 }, [/kupcake:l2Nodes = 101: must be at most 100/]],
    ["l2Nodes not an integer", { l2Nodes: 2.5 }, [/kupcake:l2Nodes = 2.5: must be an integer/]],
    ["l2Nodes as a string", { l2Nodes: "five" }, [/kupcake:l2Nodes = "five": must be a/]],
    ["unknown top-level key with a suggestion", { sequencerCont: 3 }, [/kupcake:sequencerCont is not a known key/, /did you mean `sequencerCount`\?/]],
    ["unknown image key", { images: { opRet: "a/b:c" } }, [/kupcake:images.opRet is not a known key/, /did you mean `opReth`\?/]],
    ["unknown port key", { ports: { grafanna: 3001 } }, [/kupcake:ports.grafanna is not a known key/, /did you mean `grafana`\?/]],
    ["image reference that does not parse", { images: { konaNode: "Kona Node:latest" } }, [/kupcake:images.konaNode = "Kona Node:latest": is not a valid image reference/]],
    ["bindAddress not IPv4", { bindAddress: "localhost" }, [/kupcake:bindAddress = "localhost": is not an IPv4 address/, /Fix: use 127.0.0.1/]],
    ["equal chain ids", { l1ChainId: 900, l2ChainId: 900 }, [/kupcake:l2ChainId = 900: must differ from kupcake:l1ChainId \(900\)/]],
    ["public L1 chain id", { l1ChainId: 11155111 }, [/kupcake:l1ChainId = 11155111: is Sepolia's chain id/]],
    ["bad network name", { network: "Kup_Dev" }, [/kupcake:network = "Kup_Dev": is not a valid network name/]],
    ["blockTime out of range", { blockTime: 0 }, [/kupcake:blockTime = 0: must be at least 1/]],
    ["dataAvailability not an option", { dataAvailability: "celestia" }, [/kupcake:dataAvailability = "celestia": must be one of "calldata", "blobs", "auto"/]],
    ["port below 1024", { ports: { l1Rpc: 80 } }, [/kupcake:ports.l1Rpc = 80: must be at least 1024/]],
    ["colliding port bases", { ports: { sequencerWs: 9645 } }, [/host port 9645 is used twice/, /op-reth RPC of kup-dev-op-reth-sequencer-2/, /op-reth WS of kup-dev-op-reth-sequencer-1/]],
    ["validator range running over sequencers", { ports: { validatorBase: 9745 }, sequencerCount: 3, l2Nodes: 4 }, [/host port 9745 is used twice/]],
    ["published port past 65535", { ports: { validatorBase: 65000 }, l2Nodes: 20 }, [/kupcake:ports.validatorBase = 65000: .* would be published on 66\d{3}, past 65535/, /Fix: lower kupcake:ports.validatorBase to at most 63833/]],
    ["challenger without a prestate source", { challenger: true }, [/kupcake:challenger = true/, /set kupcake:challengerPrestatesUrl/]],
    ["prestate URL without the challenger", { challengerPrestatesUrl: "http://x/" }, [/has no effect while kupcake:challenger is false/]],
  ];
  for (const [name, raw, patterns] of cases) {
    it(name, () => {
      const msg = problem(raw);
      assert.match(msg, /^Invalid kupcake stack config \(stack "dev"\)/);
      for (const p of patterns) assert.match(msg, p);
      assert.doesNotMatch(msg, /\n\s+at /, "no stack trace");
    });
  }

  it("lists every problem at once", () => {
    const msg = problem({ l2Nodes: 0, bindAddress: "x", foo: 1 });
    assert.match(msg, /3 problems/);
  });

  it("accepts digest pins and registry ports in image references", () => {
    assert.ok(parseImageRef("localhost:5000/op-reth@sha256:" + "a".repeat(64)));
    assert.deepEqual(parseImageRef("grafana/grafana:12.2.1"), { registry: undefined, repository: "grafana/grafana", tag: "12.2.1", digest: undefined });
    assert.equal(parseImageRef("ghcr.io/foundry-rs/foundry:v1.7.1")?.registry, "ghcr.io");
    assert.equal(parseImageRef("UPPER/case"), undefined);
  });
});

describe("config as Pulumi hands it over (all strings)", () => {
  it("parses numbers, booleans and JSON objects; ignores other namespaces", () => {
    const c = validateAllConfig("dev", {
      "kupcake:l2Nodes": "7",
      "kupcake:sequencerCount": "3",
      "kupcake:monitoring": "false",
      "kupcake:images": JSON.stringify({ grafana: "grafana/grafana:12.0.0" }),
      "docker:host": "unix:///var/run/docker.sock",
    });
    assert.equal(c.validatorCount, 4);
    assert.equal(c.monitoring, false);
    assert.equal(c.images.grafana, "grafana/grafana:12.0.0");
  });

  it("keeps string keys as strings even when they look like JSON", () => {
    assert.throws(() => validateAllConfig("dev", { "kupcake:network": "123" }), /kupcake:network = "123": is not a valid network name/);
  });

  it("rejects unknown kupcake keys but not other namespaces", () => {
    assert.throws(() => validateAllConfig("dev", { "kupcake:monitor": "true" }), /kupcake:monitor is not a known key.*did you mean `monitoring`/s);
  });
});
