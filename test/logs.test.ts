import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { validateConfig } from "../components/config/validate";
import { DEPLOYER_STEPS, LOG_ROLES, LogsConfig, LogsUsageError, dockerLogsArgs, linePrefix, logTargets, parseLogsArgs, rolesHelp } from "../ops/logs";
import { ROOT, containers, plan } from "./helpers/plan";

const cfgOf = (over: Record<string, unknown> = {}): LogsConfig => validateConfig("dev", over);
const usage = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof LogsUsageError && re.test(e.message), re.source);

/** Every container name `npm run logs` can reach in a stack: all roles, all indexes, all steps. */
function allTargets(cfg: LogsConfig): string[] {
  const out: string[] = [];
  const tryAdd = (role: string, arg?: string) => {
    try {
      out.push(...logTargets(cfg, role, arg));
    } catch (e) {
      if (!(e instanceof LogsUsageError)) throw e;
    }
  };
  for (const [role, spec] of Object.entries(LOG_ROLES)) {
    if (spec.arg === "index") for (let i = 1; i <= 9; i++) tryAdd(role, String(i));
    else tryAdd(role);
  }
  return [...new Set(out)].sort();
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
async function logsCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "logs.ts"), ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe("logs: role -> containers", () => {
  it("maps each role of the default stack to the container names of components/naming.ts", () => {
    const c = cfgOf();
    assert.deepEqual(logTargets(c, "l1"), ["kup-dev-anvil"]);
    assert.deepEqual(logTargets(c, "sequencer", "1"), ["kup-dev-kona-node-sequencer-1", "kup-dev-op-reth-sequencer-1"]);
    assert.deepEqual(logTargets(c, "sequencer-cl", "2"), ["kup-dev-kona-node-sequencer-2"]);
    assert.deepEqual(logTargets(c, "sequencer-el", "2"), ["kup-dev-op-reth-sequencer-2"]);
    assert.deepEqual(logTargets(c, "validator", "3"), ["kup-dev-kona-node-validator-3", "kup-dev-op-reth-validator-3"]);
    assert.deepEqual(logTargets(c, "validator-el", "1"), ["kup-dev-op-reth-validator-1"]);
    assert.deepEqual(logTargets(c, "conductor", "2"), ["kup-dev-op-conductor-2"]);
    assert.deepEqual(logTargets(c, "batcher"), ["kup-dev-op-batcher"]);
    assert.deepEqual(logTargets(c, "proposer"), ["kup-dev-op-proposer"]);
    assert.deepEqual(logTargets(c, "prometheus"), ["kup-dev-prometheus"]);
    assert.deepEqual(logTargets(c, "grafana"), ["kup-dev-grafana"]);
    assert.deepEqual(logTargets(c, "deployer", "apply"), ["kup-dev-op-deployer-apply"]);
    assert.deepEqual(logTargets(c, "deployer"), DEPLOYER_STEPS.map((s) => `kup-dev-op-deployer-${s}`));
    assert.deepEqual(logTargets(cfgOf({ network: "kup-other" }), "batcher"), ["kup-other-op-batcher"], "names follow kupcake:network");
  });

  it("reaches exactly the containers the plan deploys (every switch on, and a lone sequencer with everything off)", async () => {
    const cases: Record<string, unknown>[] = [
      { challenger: true, challengerPrestatesUrl: "http://p/", sequencerCount: 3, l2Nodes: 5 },
      { sequencerCount: 1, l2Nodes: 2, monitoring: false, proposer: false },
    ];
    for (const sets of cases) {
      const p = await plan(sets);
      const planned = containers(p).map((r) => r.inputs.name as string).sort();
      assert.deepEqual(allTargets(p.config), planned, JSON.stringify(sets));
    }
  });

  it("refuses what the stack does not have, naming the role, the value and what exists", () => {
    const c = cfgOf();
    usage(() => logTargets(c, "validator", "4"), /validator "4" does not exist: this stack has validators 1\.\.3/);
    usage(() => logTargets(c, "sequencer", "0"), /sequencer "0" does not exist: this stack has sequencers 1\.\.2/);
    usage(() => logTargets(c, "conductor", "one"), /conductor "one" does not exist: this stack has sequencers 1\.\.2 \(one conductor each\)/);
    usage(() => logTargets(c, "sequencer"), /sequencer needs an index: this stack has sequencers 1\.\.2/);
    usage(() => logTargets(c, "batcher", "1"), /role batcher takes no index/);
    usage(() => logTargets(c, "challenger"), /challenger is not deployed in this stack \(kupcake:challenger is false\)/);
    usage(() => logTargets(c, "deployer", "deploy"), /deployer step "deploy" does not exist\. Fix: use one of init, apply, inspect-genesis, inspect-rollup, inspect-l1/);
    usage(() => logTargets(c, "sequencr", "1"), /unknown role "sequencr"\.\nroles of stack network kup-dev:\n {2}l1 [\s\S]*sequencer N \(N: 1\.\.2\)[\s\S]*validator N \(N: 1\.\.3\)[\s\S]*challenger .*\(not deployed in this stack\)/);
    const lone = cfgOf({ sequencerCount: 1, l2Nodes: 1, monitoring: false });
    usage(() => logTargets(lone, "conductor", "1"), /this stack has no conductors \(kupcake:sequencerCount = 1/);
    usage(() => logTargets(lone, "validator", "1"), /validator "1" does not exist: this stack has validators none in this stack/);
    usage(() => logTargets(lone, "grafana"), /kupcake:monitoring is false/);
    assert.deepEqual(logTargets(lone, "sequencer"), ["kup-dev-kona-node-sequencer-1", "kup-dev-op-reth-sequencer-1"], "a lone sequencer needs no index");
    assert.match(rolesHelp(lone), /conductor N \(N: none, 1 sequencer\)/);
  });

  it("parses the command line; builds the docker arguments; prefixes drop the network", () => {
    assert.deepEqual(parseLogsArgs(["sequencer", "1"]), { role: "sequencer", arg: "1", follow: false, timestamps: false, stack: "dev" });
    assert.deepEqual(parseLogsArgs(["batcher", "-f", "--tail", "20", "-t", "--stack", "multi-sequencer"]), { role: "batcher", follow: true, tail: 20, timestamps: true, stack: "multi-sequencer" });
    assert.equal(parseLogsArgs(["batcher", "--help"]), "help");
    usage(() => parseLogsArgs([]), /missing <role>/);
    usage(() => parseLogsArgs(["batcher", "--tail"]), /--tail needs a value/);
    usage(() => parseLogsArgs(["batcher", "--tail", "-5"]), /--tail "-5" is not a number of lines/);
    usage(() => parseLogsArgs(["batcher", "--since", "1h"]), /unknown option --since/);
    usage(() => parseLogsArgs(["sequencer", "1", "2"]), /too many arguments: 2/);
    assert.deepEqual(dockerLogsArgs("kup-dev-op-batcher", { follow: false, timestamps: false }), ["logs", "kup-dev-op-batcher"]);
    assert.deepEqual(dockerLogsArgs("c", { follow: true, tail: 0, timestamps: true }), ["logs", "--follow", "--tail", "0", "--timestamps", "c"]);
    assert.equal(linePrefix("kup-dev", "kup-dev-op-reth-sequencer-1"), "op-reth-sequencer-1");
  });

  it("the command line: --help exits 0 listing roles; usage errors exit 2 before any docker call, without a stack trace", async () => {
    const help = await logsCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run logs -- <role> \[index\|step\]/);
    assert.match(help.stdout, /conductor N \(N: 1\.\.2\)/);
    const multi = await logsCli(["--stack", "multi-sequencer", "--help"]);
    assert.match(multi.stdout, /roles of stack network kup-multi-sequencer/);
    const cases: [string[], RegExp][] = [
      [[], /kupcake logs: missing <role>/],
      [["validator", "9"], /kupcake logs: validator "9" does not exist: this stack has validators 1\.\.3/],
      [["nosuch"], /kupcake logs: unknown role "nosuch"\.\nroles of stack network kup-dev:/],
      [["batcher", "--tail", "many"], /--tail "many" is not a number of lines/],
      [["batcher", "--stack", "no-such-stack"], /no stack file .*Pulumi\.no-such-stack\.yaml/],
    ];
    // No docker on PATH for these runs: a usage error must come before any docker call.
    const env = { ...process.env, PATH: join(process.execPath, "..") };
    for (const [args, re] of cases) {
      const r = await logsCli(args, env);
      assert.equal(r.code, 2, `${args.join(" ")}: exit 2 (${r.stderr})`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    }
  });
});
