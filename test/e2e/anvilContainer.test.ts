import { anvilBlobsSuite } from "../helpers/anvilBlobsSuite";
import { anvilSuite } from "../helpers/anvilSuite";
import { ContainerL1 } from "./l1Container";

// Issue 13's L1 tests in a real container on the real Docker Engine: the plan's L1 container
// (entrypoint, command, user) on the local build of the pinned foundry image, killed, stopped and
// started through the Engine API. The same tests run on the host in `npm test`.
anvilSuite("container", (name, cmd) => ContainerL1.create(name, cmd));
anvilBlobsSuite("container", (name, cmd) => ContainerL1.create(name, cmd));
