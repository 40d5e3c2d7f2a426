import { anvilBlobsSuite } from "./helpers/anvilBlobsSuite";
import { L1 } from "./helpers/l1Process";

// Blobs across L1 restarts with the real Anvil on the host; in a real container: test/e2e/anvilContainer.test.ts.
anvilBlobsSuite("host", L1.create);
