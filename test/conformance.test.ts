/**
 * Conformance of the plan and the program against the project's own upstream data
 * (conformance/pins/<service>.json, one file per pinned image, read from upstream source at the
 * pinned tag; see conformance/README.md). No Docker, no network, nothing outside the repository.
 *
 * (a) every pin in components/images.ts has data for exactly that tag, and flags.json is generated
 *     from that data;
 * (b) every flag each container of the example stacks is given is accepted, every required flag is
 *     given, every env variable set is one the binary reads;
 * (c) every JSON-RPC method the program calls is in the data of the service it is called on, with
 *     a parameter count the method accepts;
 * (d) the plan's entrypoint / user choices match the images' ENTRYPOINT / USER / WORKDIR.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { KONA_UID } from "../components/builders/konaNode";
import { DEFAULT_IMAGES, parseImageRef } from "../components/images";
import { checkPlanFlags, invocations, scriptInvocations } from "../conformance/checkFlags";
import { type PinData, flagsJsonText, loadPins } from "../conformance/pins";
import type { Plan, PlannedResource } from "../plan/run";
import { ROOT, containers, label, plan } from "./helpers/plan";

const PINS = loadPins();
const byLabel = new Map(Object.values(PINS).map((p) => [p.label, p]));

/**
 * The example stacks, with every optional service on; `<stack>+op-node` is that stack with
 * `kupcake:sequencerClient: op-node` (its sequencers run op-node, its validators kona-node).
 */
const STACKS = ["dev", "multi-sequencer", "single-sequencer", "multi-sequencer+op-node"] as const;
const ALL_ON = { monitoring: true, proposer: true, challenger: true, challengerPrestatesUrl: "http://prestates:8080/" };
const stackPlan = (stack: string) => {
  const [name, client] = stack.split("+");
  return plan(client ? { ...ALL_ON, sequencerClient: client } : ALL_ON, name);
};

const pinOf = (res: PlannedResource): PinData | undefined => byLabel.get(label(res, "kupcake.service") ?? "");

describe("conformance data: one entry per pin, for that tag", () => {
  it("every DEFAULT_IMAGES pin has data whose image and tag equal the pin", () => {
    const problems: string[] = [];
    for (const [service, ref] of Object.entries(DEFAULT_IMAGES)) {
      const parsed = parseImageRef(ref)!;
      const image = parsed.registry ? `${parsed.registry}/${parsed.repository}` : parsed.repository;
      const d = PINS[service];
      if (!d) {
        problems.push(`${service}: pinned at ${parsed.tag} but conformance/pins/${service}.json is missing; read that release's flags, env, image config and RPC methods upstream and add it (conformance/README.md)`);
        continue;
      }
      if (d.image !== image || d.tag !== parsed.tag) {
        problems.push(
          `${service}: the pin moved from ${d.image}:${d.tag} (the data) to ${image}:${parsed.tag} (components/images.ts); refresh conformance/pins/${service}.json from upstream at ${parsed.tag} (flags, env, ENTRYPOINT/USER/WORKDIR, RPC methods; conformance/README.md) and run node --import tsx conformance/generateFlags.ts`,
        );
      }
    }
    for (const service of Object.keys(PINS)) if (!(service in DEFAULT_IMAGES)) problems.push(`conformance/pins/${service}.json names no pin in DEFAULT_IMAGES`);
    assert.deepEqual(problems, []);
  });

  it("a moved pin fails with the service, the old and the new tag and what to refresh", () => {
    // The same check as above with a simulated bump of one pin.
    const d = PINS.opReth;
    const bumped = "v2.4.3";
    const msg = d.tag === bumped ? "" : `opReth: the pin moved from ${d.image}:${d.tag} (the data) to ${d.image}:${bumped}`;
    assert.match(msg, /^opReth: the pin moved from \S+op-reth:v2\.4\.1 \(the data\) to \S+op-reth:v2\.4\.3$/);
  });

  it("every entry records where it was read: repository, ref, paths; a ref other than the pinned tag says so", () => {
    for (const d of Object.values(PINS)) {
      assert.ok(d.source.repo && d.source.ref, `${d.service}: source.repo and source.ref`);
      if (!d.source.at_pinned_tag) assert.ok(d.source.note && d.source.note.length > 40, `${d.service}: read at ${d.source.ref}, not at ${d.tag}: a note must say why`);
      else assert.ok(d.source.ref.endsWith(d.tag) || d.source.ref === d.tag, `${d.service}: at_pinned_tag but ref ${d.source.ref} is not the tag ${d.tag}`);
      assert.ok(d.image_config.source.repo && d.image_config.source.path, `${d.service}: image_config.source`);
      for (const [bin, b] of Object.entries(d.binaries)) assert.ok(b.source.repo && (b.source.paths?.length || b.source.path), `${d.service}/${bin}: binaries source paths`);
      for (const [m, r] of Object.entries(d.rpc)) assert.ok(r.source.repo && r.source.path && r.source.ref, `${d.service}: rpc ${m} source`);
    }
  });

  it("conformance/flags.json is generated from the pins (node --import tsx conformance/generateFlags.ts)", () => {
    const onDisk = readFileSync(join(ROOT, "conformance/flags.json"), "utf8");
    assert.ok(onDisk === flagsJsonText(PINS), "conformance/flags.json is out of date with conformance/pins: run node --import tsx conformance/generateFlags.ts");
  });
});

describe("flags and env of every container of the example stacks", () => {
  for (const stack of STACKS) {
    it(`${stack} (monitoring, proposer, challenger on): flags accepted, required flags given`, async () => {
      const p = await stackPlan(stack);
      const r = checkPlanFlags(p);
      assert.deepEqual(r.problems, []);
      const labels = new Set(containers(p).map((c) => label(c, "kupcake.service")));
      for (const l of ["anvil", "op-deployer", "op-reth", "kona-node", "op-batcher", "op-proposer", "op-challenger", "prometheus", "grafana"]) assert.ok(labels.has(l), `${stack} runs ${l}`);
      assert.equal(labels.has("op-conductor"), stack !== "single-sequencer");
      assert.equal(labels.has("op-node"), stack.endsWith("+op-node"), "op-node runs exactly in the op-node stack");
      if (stack.endsWith("+op-node")) {
        const cl = containers(p).filter((c) => label(c, "kupcake.role") === "sequencer" && label(c, "kupcake.service") !== "op-reth");
        assert.ok(cl.length >= 2 && cl.every((c) => label(c, "kupcake.service") === "op-node"), "every sequencer's consensus client is op-node");
      }
      assert.ok(r.checked >= containers(p).length - 1, "every container but grafana (env only) is checked");
    });

    it(`${stack}: one of each required-one-of group is given (op-conductor: --rollup.config or --network)`, async () => {
      const problems: string[] = [];
      for (const c of containers(await stackPlan(stack))) {
        const d = pinOf(c);
        if (!d) continue;
        for (const inv of invocations(c, d.label)) {
          const spec = d.binaries[inv.binary];
          for (const group of (spec?.required_one_of ?? []) as string[][]) {
            if (!group.some((f) => inv.args.some((a) => a === f || a.startsWith(f + "=")))) problems.push(`${c.inputs.name}: none of ${group.join(", ")}`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });

    it(`${stack}: every env variable a container sets is one its binary reads`, async () => {
      const problems: string[] = [];
      for (const c of containers(await stackPlan(stack))) {
        const d = pinOf(c);
        assert.ok(d, `${c.inputs.name}: no conformance data for service ${label(c, "kupcake.service")}`);
        for (const kv of (c.inputs.envs ?? []) as unknown[]) {
          // A secret entry is shown as "[secret]" (name and value hidden); its name is checked from the source below.
          if (typeof kv !== "string" || !kv.includes("=")) continue;
          const name = kv.slice(0, kv.indexOf("="));
          if (!envRead(d, name)) problems.push(`${c.inputs.name}: env ${name} is read by no binary of ${d.service} ${d.tag}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it("env names set through secrets (hidden in the plan) are read too: GF_* names in components/", () => {
    const names = new Set<string>();
    for (const file of sourceFiles("components")) for (const m of readFileSync(join(ROOT, file), "utf8").matchAll(/\b(GF_[A-Z0-9_]+)=/g)) names.add(m[1]);
    assert.ok(names.has("GF_SECURITY_ADMIN_PASSWORD"));
    assert.deepEqual([...names].filter((n) => !envRead(PINS.grafana, n)), []);
  });

  it("the env check rejects a name the binary does not read", () => {
    assert.equal(envRead(PINS.opBatcher, "OP_BATCHER_NO_SUCH_FLAG"), false);
    assert.equal(envRead(PINS.opBatcher, "OP_BATCHER_L1_ETH_RPC"), true);
    assert.equal(envRead(PINS.grafana, "GF_SECURITY_ADMIN_PASSWORD"), true);
    assert.equal(envRead(PINS.grafana, "GRAFANA_PASSWORD"), false);
  });
});

/** The binary of this pin reads env `name` (a listed env variable, or Grafana's GF_<SECTION>_<KEY>). */
function envRead(d: PinData, name: string): boolean {
  for (const b of Object.values(d.binaries)) {
    if (b.env && name in b.env) return true;
    if (b.env_pattern && new RegExp(b.env_pattern).test(name)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- JSON-RPC calls

/** A JSON-RPC call found in the program's source. */
interface Call {
  where: string;
  method: string;
  /** The number of positional params given, or undefined when not a literal list. */
  params: number | undefined;
  services: string[];
}

const SOURCE_DIRS = ["components", "ops", "scripts", "plan"];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Top-level comma-separated elements of an array literal's inner text. */
function countElements(inner: string): number {
  if (inner.trim() === "") return 0;
  let depth = 0;
  let n = 1;
  for (const ch of inner) {
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === "," && depth === 0) n++;
  }
  return n;
}

/** The services a method is called on, from its namespace and the URL expression. */
function servicesFor(method: string, url: string, file: string): string[] {
  const ns = method.slice(0, method.indexOf("_"));
  if (ns === "conductor") return ["opConductor"];
  // The consensus client: kona-node, or op-node on the sequencers of a `sequencerClient: op-node` stack.
  if (ns === "admin" || ns === "optimism" || ns === "opp2p") return ["konaNode", "opNode"];
  if (ns === "anvil" || ns === "evm") return ["anvil"];
  if (ns === "eth") {
    if (/l1/i.test(url)) return ["anvil"];
    if (file.endsWith("ops/fund.ts")) return ["anvil", "opReth"]; // `npm run fund` pays on L1 or on L2
    return ["opReth"];
  }
  return [];
}

/** Every literal JSON-RPC call in the program's TypeScript (rpcCall and its wrappers). */
function sourceCalls(): Call[] {
  const calls: Call[] = [];
  const re = /\b(rpcCall|call|tryCall|probe)\s*(?:<(?:[^<>]|<[^<>]*>)*>)?\(\s*([^,()]+(?:\([^()]*\))?[^,()]*),\s*"([a-z0-9]+_[A-Za-z0-9]+)"\s*(?:,\s*\[([^\]]*(?:\[[^\]]*\][^\]]*)*)\])?/g;
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(dir)) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const m of text.matchAll(re)) {
        const line = text.slice(0, m.index).split("\n").length;
        const where = `${relative(ROOT, join(ROOT, file))}:${line}`;
        calls.push({ where, method: m[3], params: m[4] === undefined ? 0 : countElements(m[4]), services: servicesFor(m[3], m[2], file) });
      }
    }
  }
  return calls;
}

/** The JSON-RPC calls of the L1 container's start script and healthcheck: `cast rpc` and the cast commands that call eth_*. */
function scriptCalls(p: Plan): Call[] {
  const l1 = containers(p).find((c) => label(c, "kupcake.service") === "anvil")!;
  const scripts = [((l1.inputs.entrypoints as string[]) ?? [])[2] ?? "", ...(((l1.inputs.healthcheck as { tests?: string[] })?.tests ?? []).slice(1))];
  const calls: Call[] = [];
  const CAST_ETH: Record<string, [string, number]> = { "chain-id": ["eth_chainId", 0], "block-number": ["eth_blockNumber", 0], block: ["eth_getBlockByNumber", 2] };
  for (const script of scripts) {
    for (const inv of scriptInvocations(script)) {
      if (inv.binary !== "cast") continue;
      const words: string[] = [];
      for (let i = 0; i < inv.args.length; i++) {
        if (inv.args[i].startsWith("--")) {
          if (!inv.args[i].includes("=")) i++; // --rpc-timeout N
          continue;
        }
        if (inv.args[i].startsWith("-")) {
          i++; // -f timestamp
          continue;
        }
        words.push(inv.args[i]);
      }
      if (words[0] === "rpc") calls.push({ where: "L1 start script (cast rpc)", method: words[1], params: words.length - 2, services: servicesFor(words[1], "l1", "") });
      else if (CAST_ETH[words[0]]) calls.push({ where: `L1 start script (cast ${words[0]})`, method: CAST_ETH[words[0]][0], params: CAST_ETH[words[0]][1], services: ["anvil"] });
    }
  }
  return calls;
}

function checkCall(c: Call): string[] {
  const out: string[] = [];
  if (c.services.length === 0) return [`${c.where}: ${c.method}: no service known for this namespace (add it to test/conformance.test.ts servicesFor and the pin's rpc data)`];
  for (const s of c.services) {
    const d = PINS[s];
    const r = d?.rpc[c.method];
    if (!r) {
      out.push(`${c.where}: ${c.method} is called on ${s} but is not in conformance/pins/${s}.json (${d?.tag})`);
      continue;
    }
    if (c.params === undefined) continue;
    const max = r.params.length;
    if (c.params < r.min_params || (c.params > max && !r.extra_params_ignored)) {
      out.push(`${c.where}: ${c.method} on ${s} ${d.tag} takes ${r.min_params === max ? max : `${r.min_params}..${max}`} params (${r.params.join(", ") || "none"}); the call passes ${c.params}`);
    }
  }
  return out;
}

/**
 * Calls that probe one consensus client's signature and fall back to the other's: the call with a
 * param count one client rejects is followed, in the same file, by the call that client accepts.
 * `admin_startSequencer`: kona-node v1.6.0 takes no params, op-node v1.19.0 the unsafe head hash
 * (components/dynamic/conductorCluster.ts `startSequencer` retries with the hash on invalid params).
 */
const SIGNATURE_FALLBACKS: Record<string, string> = { admin_startSequencer: "components/dynamic/conductorCluster.ts" };

/** Whether a param-count problem of `c` on `service` is the first half of a documented signature fallback. */
function isFallbackProbe(c: Call, service: string, all: Call[]): boolean {
  const file = SIGNATURE_FALLBACKS[c.method];
  if (!file || !c.where.startsWith(file + ":")) return false;
  const r = PINS[service].rpc[c.method];
  return all.some((o) => o !== c && o.method === c.method && o.where.startsWith(file + ":") && o.params !== undefined && o.params >= r.min_params && o.params <= r.params.length);
}

describe("JSON-RPC methods the program calls", () => {
  it("finds the calls in the source (the scan itself works)", () => {
    const calls = sourceCalls();
    const methods = new Set(calls.map((c) => c.method));
    for (const m of ["conductor_addServerAsVoter", "conductor_removeServer", "admin_startSequencer", "optimism_syncStatus", "eth_sendRawTransaction", "opp2p_peerStats"]) assert.ok(methods.has(m), `scan finds ${m}`);
    const add = calls.find((c) => c.method === "conductor_addServerAsVoter")!;
    assert.equal(add.params, 3);
    assert.ok(calls.some((c) => c.method === "admin_startSequencer" && c.params === 1), "the fallback call with the unsafe head hash");
    assert.ok(calls.some((c) => c.method === "eth_getTransactionCount" && c.services.includes("anvil")), "status reads the L1");
  });

  it("every method called in components/, ops/, scripts/ is in the data of its service, with an accepted param count", () => {
    const all = sourceCalls();
    const problems = all.flatMap((c) => c.services.flatMap((s) => checkCall({ ...c, services: [s] }).filter(() => !isFallbackProbe(c, s, all))));
    assert.deepEqual(problems, []);
  });

  it("the consensus-client calls are checked against both kona-node and op-node; admin_startSequencer's two signatures are each accepted by one", () => {
    const all = sourceCalls();
    const start = all.filter((c) => c.method === "admin_startSequencer" && c.where.startsWith(SIGNATURE_FALLBACKS.admin_startSequencer));
    assert.deepEqual(start.map((c) => c.params).sort(), [0, 1]);
    const [bare, withHash] = [start.find((c) => c.params === 0)!, start.find((c) => c.params === 1)!];
    assert.deepEqual(checkCall({ ...bare, services: ["konaNode"] }), []);
    assert.match(checkCall({ ...bare, services: ["opNode"] })[0], /admin_startSequencer on opNode v1\.19\.0 takes 1 params \(blockHash:common\.Hash\); the call passes 0/);
    assert.ok(isFallbackProbe(bare, "opNode", all), "op-node's rejection of the bare call is the documented fallback");
    assert.deepEqual(checkCall({ ...withHash, services: ["opNode"] }), []);
    assert.ok(all.some((c) => c.method === "optimism_syncStatus" && c.services.includes("opNode")), "syncStatus is checked on op-node too");
    assert.equal(isFallbackProbe({ ...bare, where: "ops/status.ts:1" }, "opNode", all), false, "only the documented file may probe");
  });

  for (const stack of STACKS) {
    it(`${stack}: every method the L1 start script and healthcheck call via cast is in anvil's data`, async () => {
      const calls = scriptCalls(await stackPlan(stack));
      assert.ok(calls.some((c) => c.method === "anvil_setTime") && calls.some((c) => c.method === "evm_setIntervalMining"), "the scan finds the script's cast rpc calls");
      assert.deepEqual(calls.flatMap(checkCall), []);
    });
  }

  it("the RPC check reports an unknown method and a wrong param count", () => {
    assert.deepEqual(checkCall({ where: "x", method: "conductor_noSuch", params: 0, services: ["opConductor"] }), [
      "x: conductor_noSuch is called on opConductor but is not in conformance/pins/opConductor.json (v0.9.4)",
    ]);
    assert.match(checkCall({ where: "x", method: "conductor_removeServer", params: 1, services: ["opConductor"] })[0], /takes 2 params \(id:string, version:uint64\); the call passes 1/);
    assert.deepEqual(checkCall({ where: "x", method: "admin_startSequencer", params: 1, services: ["konaNode"] }), [], "documented: extra params ignored");
  });
});

// ---------------------------------------------------------------- image ENTRYPOINT / USER / WORKDIR

describe("entrypoint, user and workdir the plan relies on", () => {
  for (const stack of STACKS) {
    it(`${stack}: each container's process matches its image's ENTRYPOINT / CMD / USER`, async () => {
      const problems: string[] = [];
      for (const c of containers(await stackPlan(stack))) {
        const d = pinOf(c)!;
        const ic = d.image_config;
        const name = String(c.inputs.name);
        const entry = (c.inputs.entrypoints as string[] | undefined) ?? [];
        const cmd = (c.inputs.command as string[] | undefined) ?? [];
        const bins = Object.keys(d.binaries);
        if (entry.length > 0) {
          // An override: it must be a shell the image has, and the script must start the service's binary.
          if (!/^\/bin\/(sh|bash)$/.test(entry[0])) problems.push(`${name}: entrypoint ${entry[0]} is not a shell`);
          if (!ic.shell) problems.push(`${name}: the plan runs ${entry[0]} but ${d.image}:${d.tag} has no shell`);
          if (!invocations(c, d.label).some((i) => bins.includes(i.binary))) problems.push(`${name}: the entrypoint script never starts ${bins.join("/")}`);
        } else if (ic.entrypoint === null) {
          // No image ENTRYPOINT: the command is the process (the binary, or a shell the image has).
          if (cmd.length === 0) {
            if (!ic.cmd) problems.push(`${name}: no command and the image has no CMD`);
          } else if (/^(sh|\/bin\/sh|bash)$/.test(cmd[0])) {
            if (!ic.shell) problems.push(`${name}: command runs ${cmd[0]} but ${d.image}:${d.tag} has no shell`);
          } else if (!bins.includes(cmd[0])) problems.push(`${name}: command starts with ${cmd[0]}, but ${d.image}:${d.tag} has no ENTRYPOINT, so it must name the binary (${bins.join("/")})`);
        } else if (cmd.length > 0) {
          // The image ENTRYPOINT runs the binary: the command holds its arguments, not the binary's name again.
          if (bins.includes(cmd[0])) problems.push(`${name}: command repeats ${cmd[0]} after the image ENTRYPOINT ${ic.entrypoint.join(" ")}`);
          if (/^(sh|\/bin\/sh|bash)$/.test(cmd[0])) problems.push(`${name}: command ${cmd[0]} would be an argument of ${ic.entrypoint.join(" ")}`);
        }
        const user = c.inputs.user as string | undefined;
        if (user !== undefined && user === ic.user) problems.push(`${name}: sets user ${user}, the image's own USER (drop it or record why)`);
        if (c.inputs.workingDir !== undefined && c.inputs.workingDir !== ic.workdir) problems.push(`${name}: workingDir ${c.inputs.workingDir} differs from WORKDIR ${ic.workdir}`);
      }
      assert.deepEqual(problems, []);
    });
  }

  it("the foundry image runs as `foundry`, so the L1 container overrides user to root for its fresh root-owned volume", async () => {
    assert.equal(PINS.anvil.image_config.user, "foundry");
    assert.deepEqual(PINS.anvil.image_config.entrypoint, ["/bin/sh", "-c"]);
    for (const stack of STACKS) {
      const l1 = containers(await stackPlan(stack)).find((c) => label(c, "kupcake.service") === "anvil")!;
      assert.equal(l1.inputs.user, "root", stack);
      assert.deepEqual((l1.inputs.entrypoints as string[]).slice(0, 2), ["/bin/sh", "-c"]);
    }
  });

  it("op-node's image has no shell and no ENTRYPOINT (chainguard/static, CMD op-node): the plan runs it in exec form", async () => {
    assert.equal(PINS.opNode.image_config.entrypoint, null);
    assert.equal(PINS.opNode.image_config.shell, false);
    const ops = containers(await stackPlan("multi-sequencer+op-node")).filter((c) => label(c, "kupcake.service") === "op-node");
    assert.equal(ops.length, 3);
    for (const c of ops) {
      assert.equal(c.inputs.entrypoints, undefined);
      assert.equal((c.inputs.command as string[])[0], "op-node");
    }
  });

  it("kona-node runs as the image's uid (KONA_UID), so the files it reads are made world-readable", () => {
    assert.equal(PINS.konaNode.image_config.user, `${KONA_UID}:${KONA_UID}`);
  });

  it("Go images without ENTRYPOINT, Rust / Prometheus images with one, as recorded", () => {
    for (const s of ["opDeployer", "opConductor", "opBatcher", "opProposer", "opChallenger", "opNode"]) assert.equal(PINS[s].image_config.entrypoint, null, s);
    assert.deepEqual(PINS.opReth.image_config.entrypoint, ["/usr/local/bin/op-reth"]);
    assert.deepEqual(PINS.prometheus.image_config.entrypoint, ["/bin/prometheus"]);
    assert.equal(PINS.prometheus.image_config.user, "nobody");
    assert.equal(PINS.prometheus.image_config.workdir, "/prometheus");
    assert.equal(PINS.opBatcher.image_config.shell, false, "chainguard/static: the batcher command must stay exec form");
  });
});
