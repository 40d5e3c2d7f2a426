import { anvilSuite } from "./helpers/anvilSuite";
import { L1 } from "./helpers/l1Process";

// The L1 container's exact start command with the real Anvil and cast 1.7.1 (npm binaries), on the
// host. The same tests run in a real container in the e2e run (test/e2e/anvilContainer.test.ts).
anvilSuite("host", L1.create);
