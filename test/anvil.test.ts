import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { anvilSuite } from "./helpers/anvilSuite";
import { L1, foundryBin, foundryPackage } from "./helpers/l1Process";
import { ROOT } from "./helpers/plan";

// The L1 container's exact start command with the real Anvil and cast 1.7.1 (npm binaries), on the
// host. The same tests run in a real container in the e2e run (test/e2e/anvilContainer.test.ts).
anvilSuite("host", L1.create);

describe("the foundry binaries on platforms npm has none for", () => {
  it("are optional dependencies, so `npm ci` succeeds on macOS and arm64 (npm skips them there)", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    for (const tool of ["anvil", "cast"]) {
      assert.ok(pkg.optionalDependencies?.[foundryPackage(tool)], `${foundryPackage(tool)} is an optional dependency`);
      assert.equal(pkg.devDependencies?.[foundryPackage(tool)], undefined, `${foundryPackage(tool)} is not a (required) dev dependency`);
    }
  });

  it("a test that needs a missing one fails naming the package, the platform and the fix", () => {
    assert.throws(
      () => foundryBin("nosuchtool"),
      /runs the real nosuchtool from the npm package @foundry-rs\/nosuchtool-linux-amd64, an optional dependency npm installs only on Linux x64 \(this machine: \w+\/\w+\)\. Run it on Linux x64 after `npm ci`/,
    );
  });
});
