import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";

/** This checkout: the directory holding Pulumi.yaml (the parent of components/). */
export const CHECKOUT_DIR = join(__dirname, "..");

/**
 * A stable id of a checkout directory: the first 12 hex digits of the SHA-256 of its real path.
 * The same on every `up` of the same checkout, different for a second clone on the same machine;
 * it changes only when the checkout is moved (then `npm run up` recreates the devnet).
 */
export function checkoutId(dir: string = CHECKOUT_DIR): string {
  let path = resolve(dir);
  try {
    path = realpathSync(path);
  } catch {
    /* a path that does not exist yet: hash it as given */
  }
  return createHash("sha256").update(path).digest("hex").slice(0, 12);
}

/**
 * The value of the `kupcake.project` label on every container, volume and network of `stack`
 * deployed from checkout `dir`: `<stack>@<checkout id>`. Independent of the topology and of every
 * config value, so scaling never changes it.
 */
export function ownerLabel(stack: string, dir: string = CHECKOUT_DIR): string {
  return `${stack}@${checkoutId(dir)}`;
}
