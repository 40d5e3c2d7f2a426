import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { ROLES } from "../components/accounts";
import { sequencerOpRethP2pKey } from "../components/builders/sequencerP2pKey";
import { DEFAULT_IMAGES } from "../components/images";
import type { Plan } from "../plan/run";
import {
  KONA_CONDUCTOR_PARTIAL_THROUGH, RESOURCE_POLICIES, STACK_POLICIES, chainDataOnNamedVolumes, conductorTopology, hostPortsUnique, imagesPinned,
  konaConductorPartial, longRunningResilience, noHostAccess, noPlaintextSecrets, oddSequencerCount, portsBindAllowed, releaseVersion, unpinnedReason,
  validatorsWithoutSignerKey,
} from "../policies/rules";
import { plan } from "./helpers/plan";

class NotApplicable extends Error {}
const opts = { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } };
const isType = (t: string) => (cls: { __pulumiType?: string }) => cls?.__pulumiType === t;

/** Fake ResourceValidationArgs, as the pulumi-policy SDK's own tests build them. */
function resourceArgs(type: string, props: Record<string, unknown>, config: object = {}, name = "x"): ResourceValidationArgs {
  return {
    type, props, urn: `urn:pulumi:dev::kupcake::${type}::${name}`, name, opts, stackTags: new Map(),
    isType: isType(type) as never, asType: ((c: never) => (isType(type)(c) ? props : undefined)) as never,
    getConfig: <T extends object>() => config as T,
    notApplicable: (r?: string) => { throw new NotApplicable(r); },
  } as ResourceValidationArgs;
}

function policyResource(type: string, props: Record<string, unknown>, name: string, dependencies: PolicyResource[] = []): PolicyResource {
  return { type, props, urn: `urn:pulumi:dev::kupcake::${type}::${name}`, name, opts, dependencies, propertyDependencies: {}, isType: isType(type) as never, asType: (() => props) as never } as PolicyResource;
}

function stackArgs(resources: PolicyResource[], config: object = {}): StackValidationArgs {
  return { resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable: (r?: string) => { throw new NotApplicable(r); } } as StackValidationArgs;
}

async function runResource(p: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
  const out: string[] = [];
  const vs = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource!];
  for (const v of vs) {
    try { await v(args, (m) => out.push(m)); } catch (e) { if (!(e instanceof NotApplicable)) throw e; }
  }
  return out;
}
async function runStack(p: StackValidationPolicy, args: StackValidationArgs): Promise<string[]> {
  const out: string[] = [];
  await p.validateStack(args, (m) => out.push(m));
  return out;
}

const C = "docker:index/container:Container";
const labels = (role: string, service: string) => [{ label: "kupcake.role", value: role }, { label: "kupcake.service", value: service }];
const good = { name: "kup-dev-op-reth-sequencer-1", image: "x.io/op-reth:v2.4.1", restart: "unless-stopped", destroyGraceSeconds: 30, ports: [{ external: 9545, internal: 8545, ip: "127.0.0.1" }], mounts: [{ type: "volume", source: "kup-dev-op-reth-sequencer-1-data", target: "/data" }], labels: labels("sequencer", "op-reth") };

describe("each policy: a violating and a complying input", () => {
  it("images-pinned", async () => {
    assert.deepEqual(await runResource(imagesPinned, resourceArgs("docker:index/remoteImage:RemoteImage", { name: "prom/prometheus:v3.5.5" })), []);
    assert.deepEqual(await runResource(imagesPinned, resourceArgs("docker:index/remoteImage:RemoteImage", { name: "x.io/op-reth@sha256:" + "a".repeat(64) })), []);
    assert.match((await runResource(imagesPinned, resourceArgs("docker:index/remoteImage:RemoteImage", { name: "grafana/grafana:latest" })))[0], /moving tag `latest`/);
    assert.match((await runResource(imagesPinned, resourceArgs(C, { image: "x.io/kona-node:develop" })))[0], /moving tag `develop`/);
    assert.match(unpinnedReason("localhost:5000/op-reth")!, /no tag/);
    assert.equal(unpinnedReason("localhost:5000/op-reth:v1"), undefined);
  });
  it("ports-bind-allowed (with per-stack config)", async () => {
    assert.deepEqual(await runResource(portsBindAllowed, resourceArgs(C, good)), []);
    const wide = { ...good, ports: [{ external: 9545, ip: "0.0.0.0" }] };
    assert.match((await runResource(portsBindAllowed, resourceArgs(C, wide)))[0], /publishes port 9545 on 0.0.0.0 \(allowed: 127.0.0.1 and the rest of 127.0.0.0\/8\)/);
    assert.deepEqual(await runResource(portsBindAllowed, resourceArgs(C, { ...good, ports: [{ external: 9545, ip: "127.0.0.2" }] })), [], "loopback, as the config contract allows");
    assert.deepEqual(await runResource(portsBindAllowed, resourceArgs(C, wide, { allowedIps: ["0.0.0.0"] })), []);
    assert.equal((await runResource(portsBindAllowed, resourceArgs(C, { ...good, ports: [{ external: 1 }] }))).length, 1, "a missing ip means 0.0.0.0");
  });
  it("host-ports-unique", async () => {
    const a = policyResource(C, good, "a");
    const b = policyResource(C, { ...good, name: "other", ports: [{ external: 9546, ip: "127.0.0.1" }] }, "b");
    assert.deepEqual(await runStack(hostPortsUnique, stackArgs([a, b])), []);
    const clash = policyResource(C, { ...good, name: "clash" }, "c");
    assert.match((await runStack(hostPortsUnique, stackArgs([a, clash])))[0], /127.0.0.1:9545 is published by kup-dev-op-reth-sequencer-1 and clash/);
  });
  it("no-host-access", async () => {
    assert.deepEqual(await runResource(noHostAccess, resourceArgs(C, good)), []);
    const bad = { ...good, privileged: true, networkMode: "host", mounts: [{ type: "bind", source: "/var/run/docker.sock", target: "/s" }], volumes: [{ hostPath: "/", containerPath: "/host" }] };
    const v = await runResource(noHostAccess, resourceArgs(C, bad));
    assert.equal(v.length, 4);
    assert.match(v.join("\n"), /privileged[\s\S]*host network[\s\S]*Docker socket[\s\S]*host root/);
  });
  it("long-running-resilience (jobs exempt)", async () => {
    assert.deepEqual(await runResource(longRunningResilience, resourceArgs(C, good)), []);
    assert.equal((await runResource(longRunningResilience, resourceArgs(C, { ...good, restart: undefined, destroyGraceSeconds: undefined }))).length, 2);
    assert.deepEqual(await runResource(longRunningResilience, resourceArgs(C, { name: "job", attach: true, mustRun: false, restart: "no" })), []);
  });
  it("chain-data-on-named-volumes", async () => {
    assert.deepEqual(await runResource(chainDataOnNamedVolumes, resourceArgs(C, good)), []);
    assert.match((await runResource(chainDataOnNamedVolumes, resourceArgs(C, { ...good, mounts: [{ type: "bind", source: "/tmp/x", target: "/data" }] })))[0], /op-reth data at \/data without a named volume/);
    const raft = { ...good, labels: labels("conductor", "op-conductor"), mounts: [] };
    assert.equal((await runResource(chainDataOnNamedVolumes, resourceArgs(C, raft))).length, 1);
  });
  it("conductor-topology and odd-sequencer-count (advisory)", async () => {
    const seq = (i: number) => policyResource(C, { ...good, name: `s${i}` }, `s${i}`);
    const cond = (i: number, boot: boolean) => policyResource(C, { name: `c${i}`, labels: labels("conductor", "op-conductor"), command: ["op-conductor", ...(boot ? ["--raft.bootstrap"] : [])] }, `c${i}`);
    assert.deepEqual(await runStack(conductorTopology, stackArgs([seq(1), seq(2), seq(3), cond(1, true), cond(2, false), cond(3, false)])), []);
    assert.match((await runStack(conductorTopology, stackArgs([seq(1), seq(2), cond(1, true)])))[0], /2 sequencers but 1 conductors/);
    assert.match((await runStack(conductorTopology, stackArgs([seq(1), seq(2), cond(1, true), cond(2, true)])))[0], /2 conductors run --raft.bootstrap/);
    assert.equal(oddSequencerCount.enforcementLevel, "advisory");
    assert.match((await runStack(oddSequencerCount, stackArgs([seq(1), seq(2)])))[0], /2 sequencers: a cluster of 2 tolerates 0 conductor failure/);
    assert.deepEqual(await runStack(oddSequencerCount, stackArgs([seq(1), seq(2), seq(3)])), []);
  });
  it("no-plaintext-secrets: dev keys allowed, other literals and non-random secrets rejected", async () => {
    const random = policyResource("random:index/randomBytes:RandomBytes", { length: 32 }, "jwt");
    const ok = policyResource(C, { ...good, command: ["--private-key", ROLES.batcher.privateKey], uploads: [{ file: "/run/kupcake/jwt.hex", content: "[secret]" }] }, "ok", [random]);
    assert.deepEqual(await runStack(noPlaintextSecrets, stackArgs([random, ok])), []);
    const literal = policyResource(C, { ...good, command: ["--p2p-secret-key-hex", "ab".repeat(32)] }, "lit");
    assert.match((await runStack(noPlaintextSecrets, stackArgs([literal])))[0], /32-byte hex literal abababab/);
    const unsourced = policyResource(C, { ...good, uploads: [{ file: "/run/kupcake/jwt.hex", content: "[secret]" }] }, "u");
    assert.match((await runStack(noPlaintextSecrets, stackArgs([unsourced])))[0], /does not come from a @pulumi\/random resource/);
    // The real engine hands policies secrets unwrapped: a RandomBytes value is not a literal.
    const generatedHex = "cd".repeat(32);
    const created = policyResource("random:index/randomBytes:RandomBytes", { length: 32, hex: generatedHex }, "jwt2");
    const unwrapped = policyResource(C, { ...good, uploads: [{ file: "/run/kupcake/jwt.hex", content: generatedHex }] }, "unwrapped", [created]);
    assert.deepEqual(await runStack(noPlaintextSecrets, stackArgs([created, unwrapped])), []);
    const copied = policyResource(C, { ...good, command: ["--jwt", generatedHex] }, "copied");
    assert.match((await runStack(noPlaintextSecrets, stackArgs([copied])))[0], /32-byte hex literal cdcdcdcd/, "without the random resource in the stack it is a literal");
    // Sequencer op-reth devp2p identities derive from the network name and index: public, allowed on that network only.
    const derived = (network: string, name: string) =>
      policyResource(C, { ...good, labels: [{ label: "kupcake.network", value: network }], uploads: [{ file: "/run/kupcake/p2p.key", content: sequencerOpRethP2pKey("kup-dev", 2) }] }, name, [random]);
    assert.deepEqual(await runStack(noPlaintextSecrets, stackArgs([random, derived("kup-dev", "seq2")])), []);
    assert.match((await runStack(noPlaintextSecrets, stackArgs([random, derived("kup-other", "foreign")])))[0], /32-byte hex literal/, "another network's derived key is a literal");
    const grafana = policyResource(C, { name: "g", envs: ["GF_SECURITY_ADMIN_PASSWORD=admin"] }, "g");
    assert.match((await runStack(noPlaintextSecrets, stackArgs([grafana]))).join("\n"), /default Grafana password/);
  });
  it("kona-conductor-partial (advisory): kona-node <= v1.6.0 under op-conductor, naming optimism#21906 and the op-node alternative", async () => {
    assert.equal(konaConductorPartial.enforcementLevel, "advisory");
    assert.deepEqual(KONA_CONDUCTOR_PARTIAL_THROUGH, [1, 6, 0]);
    const kona = (name: string, image: string, conductor: boolean, role = "sequencer", deps: PolicyResource[] = []) =>
      policyResource(C, { name, image, labels: labels(role, "kona-node"), command: ["node", "--mode", role, ...(conductor ? ["--conductor.rpc", "http://c:8547", "--sequencer.stopped"] : [])] }, name, deps);
    const pinned = "x.io/kona-node:v1.6.0";
    const v = await runStack(konaConductorPartial, stackArgs([kona("s1", pinned, true), kona("s2", pinned, true)]));
    assert.equal(v.length, 2, "one line per managed kona-node sequencer");
    assert.match(v[0], /^s1 runs kona-node v1\.6\.0 under op-conductor: .*ethereum-optimism\/optimism#21906.*#21903.*kupcake:sequencerClient: op-node$/);
    assert.match(konaConductorPartial.description, /Fix: set kupcake:sequencerClient to op-node/);
    assert.equal((await runStack(konaConductorPartial, stackArgs([kona("s1", "x.io/kona-node:v1.5.2", true)]))).length, 1, "older releases are partial too");
    assert.deepEqual(await runStack(konaConductorPartial, stackArgs([kona("s1", "x.io/kona-node:v1.7.0", true)])), [], "a release after the known-partial one is not flagged");
    assert.deepEqual(await runStack(konaConductorPartial, stackArgs([kona("s1", pinned, false)])), [], "a lone sequencer has no conductor");
    assert.deepEqual(await runStack(konaConductorPartial, stackArgs([kona("v1", pinned, false, "validator")])), [], "validators are never steered");
    const opNode = policyResource(C, { name: "o1", image: "x.io/op-node:v1.19.0", labels: labels("sequencer", "op-node"), command: ["op-node", "--conductor.enabled", "--conductor.rpc", "http://c:8547"] }, "o1");
    assert.deepEqual(await runStack(konaConductorPartial, stackArgs([opNode])), [], "op-node sequencers are the fix");
    // The real engine hands the container an image id: the version comes from the RemoteImage it depends on.
    const pulled = policyResource("docker:index/remoteImage:RemoteImage", { name: pinned }, "img");
    assert.match((await runStack(konaConductorPartial, stackArgs([pulled, kona("s1", "sha256:" + "b".repeat(64), true, "sequencer", [pulled])])))[0], /s1 runs kona-node v1\.6\.0/);
    assert.match((await runStack(konaConductorPartial, stackArgs([kona("s1", "x.io/kona-node@sha256:" + "c".repeat(64), true)])))[0], /cannot be told from its reference.*#21906/);
    assert.deepEqual(releaseVersion("x.io/kona-node:v1.6.1-rc.2"), [1, 6, 1]);
    assert.equal(releaseVersion("x.io/kona-node:latest"), undefined);
  });
  it("validators-without-signer-key", async () => {
    const seqKona = { ...good, labels: labels("sequencer", "kona-node"), command: ["--p2p.sequencer.key", ROLES.unsafeBlockSigner.privateKey.slice(2)] };
    assert.deepEqual(await runResource(validatorsWithoutSignerKey, resourceArgs(C, seqKona)), []);
    const leaky = { ...seqKona, labels: labels("validator", "kona-node") };
    assert.match((await runResource(validatorsWithoutSignerKey, resourceArgs(C, leaky)))[0], /\(validator\) holds the unsafe-block signer key/);
  });
  it("every policy has a name, a description that says how to fix, and an enforcement level", () => {
    for (const p of [...RESOURCE_POLICIES, ...STACK_POLICIES]) {
      assert.match(p.name, /^[a-z-]+$/);
      assert.match(p.description, /Fix: /);
      assert.ok(p.enforcementLevel);
    }
  });
});

/** Runs the whole pack over a plan's resources, the way the CLI hands them over. */
async function runPack(p: Plan, config: Record<string, object> = {}) {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of p.resources) byUrn.set(r.urn, policyResource(r.type, r.inputs, r.name));
  for (const r of p.resources) byUrn.get(r.urn)!.dependencies = r.dependencies.map((d) => byUrn.get(d)!).filter(Boolean);
  const violations: { policy: string; level: string; message: string }[] = [];
  for (const pol of RESOURCE_POLICIES) {
    for (const r of p.resources) {
      for (const m of await runResource(pol, resourceArgs(r.type, r.inputs, config[pol.name] ?? {}, r.name))) violations.push({ policy: pol.name, level: pol.enforcementLevel!, message: m });
    }
  }
  for (const pol of STACK_POLICIES) {
    for (const m of await runStack(pol, stackArgs([...byUrn.values()], config[pol.name] ?? {}))) violations.push({ policy: pol.name, level: pol.enforcementLevel!, message: m });
  }
  return violations;
}

describe("the pack over the real plans", () => {
  for (const [stack, sets] of [["dev", {}], ["single-sequencer", {}], ["multi-sequencer", {}], ["dev", { challenger: true, challengerPrestatesUrl: "http://prestates:8080/" }], ["dev", { sequencerClient: "op-node" }], ["single-sequencer", { sequencerClient: "op-node" }]] as const) {
    it(`${stack} ${JSON.stringify(sets)}: no mandatory violation`, async () => {
      const v = await runPack(await plan(sets, stack));
      assert.deepEqual(v.filter((x) => x.level === "mandatory"), []);
    });
  }
  it("the default stack (2 kona-node sequencers under conductors) gets the advisories about quorum and kona-node's partial conductor support", async () => {
    const v = await runPack(await plan());
    assert.deepEqual(v.map((x) => `${x.level} ${x.policy}`), ["advisory odd-sequencer-count", "advisory kona-conductor-partial", "advisory kona-conductor-partial"]);
    assert.match(v[1].message, /kup-dev-kona-node-sequencer-1 runs kona-node v1\.6\.0 under op-conductor/);
  });
  it("sequencerClient op-node: no kona-conductor-partial advisory and no mandatory violation; a single kona-node sequencer gets none", async () => {
    const op = await runPack(await plan({ sequencerClient: "op-node", sequencerCount: 3 }));
    assert.deepEqual(op.map((x) => `${x.level} ${x.policy}`), []);
    const lone = await runPack(await plan({}, "single-sequencer"));
    assert.deepEqual(lone.filter((x) => x.policy === "kona-conductor-partial"), []);
  });
  it("a deliberately bad config is caught: image tag latest, bind 0.0.0.0", async () => {
    // The config contract itself rejects both (test/configContract.test.ts); the pack is the second
    // line for what bypasses it: the exposed plan with its grafana image swapped for a moving tag.
    const exposed = await plan({ bindAddress: "0.0.0.0", exposePorts: true });
    const v = await runPack(JSON.parse(JSON.stringify(exposed).replaceAll(DEFAULT_IMAGES.grafana, "grafana/grafana:latest")) as Plan);
    const mandatory = v.filter((x) => x.level === "mandatory");
    assert.ok(mandatory.some((x) => x.policy === "images-pinned" && /grafana\/grafana:latest uses the moving tag `latest`/.test(x.message)));
    assert.ok(mandatory.some((x) => x.policy === "ports-bind-allowed" && /on 0.0.0.0/.test(x.message)));
  });
});
