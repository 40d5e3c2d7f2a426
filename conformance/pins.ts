/**
 * The project's conformance data, one file per pinned image (conformance/pins/<service>.json),
 * each read from upstream source at the pinned tag (or, where the snapshot lacks that tag, the
 * nearest verifiable ref, recorded in `source.ref` with `at_pinned_tag: false` and a note).
 *
 * conformance/flags.json (read by checkFlags.ts and the e2e stand-ins) is generated from these
 * files by `node --import tsx conformance/generateFlags.ts`; test/conformance.test.ts fails when
 * it is out of date.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Where a fact was read: repository, ref (tag or commit), path(s). */
export interface SourceRef {
  repo: string;
  ref: string;
  path?: string;
  paths?: string[];
}

/** One binary's command-line spec (the same fields as a conformance/flags.json service entry). */
export interface BinarySpec {
  style: "urfave" | "clap" | "kingpin" | "env";
  flags?: string[];
  aliases?: Record<string, string>;
  required_flags?: string[];
  required_one_of?: string[][];
  bool_flags?: string[];
  global_flags?: string[];
  global_anywhere?: string[];
  short_options?: string[];
  subcommands?: Record<string, string[]>;
  subcommand_aliases?: Record<string, string>;
  inspect_targets?: string[];
  /** Prefix of the env variables the binary reads ("" when it reads none of its flags from env). */
  env_prefix: string;
  /** Env variable -> the flag (or config key) it sets. */
  env?: Record<string, string>;
  /** A pattern every env name the binary reads matches (Grafana's GF_<SECTION>_<KEY>). */
  env_pattern?: string;
  source: SourceRef;
  [k: string]: unknown;
}

/** One JSON-RPC method: its positional parameters (`name:type`, `?` = optional). */
export interface RpcSpec {
  params: string[];
  min_params: number;
  /** The server ignores extra positional params (jsonrpsee zero-argument methods). */
  extra_params_ignored?: boolean;
  note?: string;
  source: SourceRef;
}

export interface ImageConfig {
  entrypoint: string[] | null;
  cmd: string[] | null;
  user: string | null;
  workdir: string | null;
  /** The image has /bin/sh. */
  shell: boolean;
  env?: Record<string, string>;
  verified?: boolean;
  source: SourceRef;
  [k: string]: unknown;
}

export interface PinData {
  /** The DEFAULT_IMAGES key. */
  service: string;
  /** The `kupcake.service` label of its containers. */
  label: string;
  /** The image reference without the tag. */
  image: string;
  /** The tag this data was taken for; must equal the pin in components/images.ts. */
  tag: string;
  source: { repo: string; ref: string; commit: string | null; read_via: string; at_pinned_tag: boolean; note?: string; [k: string]: unknown };
  image_config: ImageConfig;
  binaries: Record<string, BinarySpec>;
  rpc: Record<string, RpcSpec>;
}

export const PINS_DIR = join(__dirname, "pins");

/** Every pin's data, keyed by DEFAULT_IMAGES key. */
export function loadPins(dir = PINS_DIR): Record<string, PinData> {
  const out: Record<string, PinData> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const d = JSON.parse(readFileSync(join(dir, f), "utf8")) as PinData;
    out[d.service] = d;
  }
  return out;
}

/** The conformance/flags.json document these pins generate. */
export function flagsDocument(pins: Record<string, PinData>): { _meta: Record<string, unknown>; services: Record<string, Record<string, unknown>> } {
  const services: Record<string, Record<string, unknown>> = {};
  for (const p of Object.values(pins)) {
    for (const [bin, spec] of Object.entries(p.binaries)) {
      const { source, ...rest } = spec;
      services[bin] = {
        version: `${p.tag} (image ${p.image}:${p.tag}); read at ${p.source.repo}@${p.source.ref}${p.source.at_pinned_tag ? "" : " (NOT the pinned tag: see conformance/pins/" + p.service + ".json)"}`,
        source: `${source.repo}@${source.ref} ${(source.paths ?? [source.path]).join(", ")}`,
        ...rest,
      };
    }
  }
  return {
    _meta: {
      what: "Command-line flags each pinned upstream binary accepts; the e2e stand-ins (test/e2e/standin) reject anything else, like the real binaries do.",
      generated_from: "conformance/pins/*.json by `node --import tsx conformance/generateFlags.ts`; do not edit by hand (test/conformance.test.ts checks it is in sync)",
      fields: {
        style: "urfave (Go, urfave/cli v2) | clap (Rust) | kingpin (prometheus) | env (configured by env only)",
        flags: "every accepted long option incl. aliases, with leading --",
        aliases: "alias -> primary name",
        required_flags: "flags the binary refuses to start without",
        bool_flags: "flags that take no separate value",
        global_flags: "flags accepted before the subcommand",
        global_anywhere: "flags accepted before or after the subcommand",
        subcommands: "subcommand -> flags accepted after it",
        env: "env variable -> flag it sets",
      },
    },
    services,
  };
}

/** flags.json's text for these pins (stable: 1-space indent, trailing newline). */
export function flagsJsonText(pins: Record<string, PinData>): string {
  return JSON.stringify(flagsDocument(pins), null, 1) + "\n";
}
