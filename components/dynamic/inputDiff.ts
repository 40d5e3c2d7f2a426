/**
 * Input comparison for dynamic providers, as the real engine calls them.
 *
 * The Pulumi engine hands a dynamic provider's `diff(id, olds, news)` the old *outputs*, not the
 * old inputs: they carry the provider's output-only keys (e.g. `report`) and the serialized
 * provider text (`__provider`). Comparing whole objects therefore reports a change on every
 * preview after a create (`pulumi preview --expect-no-changes` fails). Only the keys the program
 * passes as inputs may count; `__`-prefixed engine keys never do, so a refactor of the provider's
 * own code does not update live resources either.
 */

/**
 * Names the input keys whose values differ between `olds` (old outputs) and `news` (new inputs).
 *
 * @param olds the old outputs as the engine passes them (inputs, output-only keys, `__provider`)
 * @param news the new inputs
 * @param outputKeys keys the provider computes itself (declared as `undefined` inputs so they
 *   appear in the resource's outputs); never compared
 * @returns the changed keys, sorted; empty when nothing the program controls changed
 */
export function changedInputs(olds: object, news: object, outputKeys: readonly string[]): string[] {
  const o = olds as Record<string, unknown>;
  const n = news as Record<string, unknown>;
  const keys = new Set([...Object.keys(o), ...Object.keys(n)]);
  return [...keys]
    .filter((k) => !k.startsWith("__") && !outputKeys.includes(k))
    // `undefined` and a missing key are the same input; JSON text compares nested values.
    .filter((k) => JSON.stringify(o[k] ?? null) !== JSON.stringify(n[k] ?? null))
    .sort();
}

/**
 * Keeps the provider's computed outputs across an `update`: the engine replaces all outputs with
 * what `update` returns, so whatever it does not return is lost.
 */
export function keepOutputs(olds: object, outputKeys: readonly string[]): Record<string, unknown> {
  const o = olds as Record<string, unknown>;
  return Object.fromEntries(outputKeys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
