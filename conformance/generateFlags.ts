/** Regenerates conformance/flags.json from conformance/pins/*.json. Usage: node --import tsx conformance/generateFlags.ts */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { flagsJsonText, loadPins } from "./pins";

const file = join(__dirname, "flags.json");
writeFileSync(file, flagsJsonText(loadPins()));
console.log(`wrote ${file}`);
