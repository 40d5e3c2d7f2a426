import { runOpConductor } from "./opConductor";

/**
 * Entry point running only the op-conductor stand-in (`node --import tsx conductorMain.ts <flags>`),
 * for tests that start conductors as host processes without the shared stand-in dispatcher.
 */
runOpConductor(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`op-conductor stand-in crashed: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
