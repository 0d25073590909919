/**
 * slipway as a library: the same operations as the CLI, as typed functions that report
 * progress through events and never print or exit.
 */

export { ALL_CHECKS } from "./core/checks/registry.ts";
export type { CheckInfo, Finding, Location, Severity } from "./core/findings.ts";
export type { ErrorCode } from "./errors.ts";
export { SlipwayError } from "./errors.ts";
export type { CheckEvent, CheckOptions, CheckReport } from "./ops/check.ts";
export { check } from "./ops/check.ts";
