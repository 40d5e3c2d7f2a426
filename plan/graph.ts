import type { Plan } from "./run";

/**
 * The longest dependency chain among custom resources: how many creation waves `pulumi up` needs
 * at least (each resource waits for everything it depends on).
 */
export function longestChain(p: Plan): { length: number; path: string[] } {
  const custom = new Map(p.resources.filter((r) => r.custom).map((r) => [r.urn, r]));
  // Depending on a component means waiting for every custom resource inside it.
  const children = new Map<string, string[]>();
  for (const r of p.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const expand = (urn: string): string[] => (custom.has(urn) ? [urn] : (children.get(urn) ?? []).flatMap(expand));
  const memo = new Map<string, string[]>();
  const visit = (urn: string): string[] => {
    if (memo.has(urn)) return memo.get(urn)!;
    let best: string[] = [];
    for (const d of custom.get(urn)!.dependencies.flatMap(expand)) {
      const chain = visit(d);
      if (chain.length > best.length) best = chain;
    }
    const mine = [...best, custom.get(urn)!.name];
    memo.set(urn, mine);
    return mine;
  };
  let longest: string[] = [];
  for (const urn of custom.keys()) {
    const c = visit(urn);
    if (c.length > longest.length) longest = c;
  }
  return { length: longest.length, path: longest };
}
