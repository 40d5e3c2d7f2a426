// Kupcake on Pulumi: a local OP Stack devnet as a diffable stack.
// Everything happens in components/; this file only runs the program and exports its outputs.
import { runProgram } from "./components/program";

export = runProgram();
