// The policy pack `npm run preview` / `npm run up` run by default (see README "Policies").
// Only construction here: the rules live in rules.ts, which the tests import (never this file:
// constructing a PolicyPack starts its gRPC server).
import { PolicyPack } from "@pulumi/policy";
import { RESOURCE_POLICIES, STACK_POLICIES } from "./rules";

new PolicyPack("kupcake-guardrails", {
  enforcementLevel: "mandatory",
  policies: [...RESOURCE_POLICIES, ...STACK_POLICIES],
});
