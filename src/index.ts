/**
 * slipway as a library: the same operations as the CLI, as typed functions that report
 * progress through events and never print or exit.
 */

export type { PipSource } from "./adapters/python/build-env.ts";
export type { ConfigSettings } from "./adapters/python/hooks.ts";
export { HookError } from "./adapters/python/hooks.ts";
export type { BuildManifest, BuiltArtifact } from "./core/build/output.ts";
export { ALL_CHECKS } from "./core/checks/registry.ts";
export type { CheckInfo, Finding, Location, Severity } from "./core/findings.ts";
export { toSarif } from "./core/sarif/write.ts";
export type { ScanRule, ScanSection } from "./core/scan/report.ts";
export type { Grade, SecurityStatus, StatusFinding, StatusLevel } from "./core/status/document.ts";
export { assembleStatusSite } from "./core/status/site.ts";
export { parseSecurityStatus } from "./core/status/stored.ts";
export type { IndexAnswer, UploadOutcome, UploadStatus } from "./core/upload/outcome.ts";
export type { ArchiveFact, VerifyResult } from "./core/verify/step-results.ts";
export { describeVerifyResult } from "./core/verify/step-results.ts";
export type { ErrorCode } from "./errors.ts";
export { SlipwayError } from "./errors.ts";
export type { AttestEvent, AttestedFile, AttestOptions, AttestReport } from "./ops/attest.ts";
export { attest } from "./ops/attest.ts";
export type { BuildEvent, BuildOptions, BuildPhase, BuildReport, BuildWarning } from "./ops/build.ts";
export { build } from "./ops/build.ts";
export type { ReproducibilityReport } from "./ops/build-reproducible.ts";
export type { ChangelogInputs, ChangelogPlan, PlanChangelogOptions } from "./ops/changelog.ts";
export {
  applyChangelogPlan,
  assembleChangelogPlan,
  planChangelog,
  readChangelogInputs,
  recoverChangelogEdit,
} from "./ops/changelog.ts";
export type { CheckEvent, CheckOptions, CheckReport } from "./ops/check.ts";
export { check } from "./ops/check.ts";
export type { CiInitOptions, CiInitReport } from "./ops/ci-init.ts";
export { ciInit } from "./ops/ci-init.ts";
export type { CiProtectOptions, CiProtectReport, ProtectChange } from "./ops/ci-protect.ts";
export { ciProtect } from "./ops/ci-protect.ts";
export type { CiStatusOptions, CiStatusReport } from "./ops/ci-status.ts";
export { ciStatus } from "./ops/ci-status.ts";
export type { PublishEvent, PublishOptions, PublishReport } from "./ops/publish.ts";
export { publish } from "./ops/publish.ts";
export type { AttemptCause, CredentialFacts, PublishWarning } from "./ops/publish-events.ts";
export type { ScanEvent, ScanOptions, ScanReport, ScanSource } from "./ops/scan.ts";
export { scan as scanSecrets } from "./ops/scan.ts";
export type { ScanDepsOptions, ScanDepsReport } from "./ops/scan-deps.ts";
export { scanDeps } from "./ops/scan-deps.ts";
export type { ScanLockOptions, ScanLockReport } from "./ops/scan-lock.ts";
export { scanLock } from "./ops/scan-lock.ts";
export { readSarifSections } from "./ops/scan-sarif-in.ts";
export type { UpdateDbOptions } from "./ops/scan-update-db.ts";
export { updateAdvisoryDb } from "./ops/scan-update-db.ts";
export type { StatusOptions, StatusResult } from "./ops/status.ts";
export { status } from "./ops/status.ts";
export { statusDecide } from "./ops/status-decide.ts";
export { statusDiff } from "./ops/status-diff.ts";
export { writeStatusSite } from "./ops/status-site.ts";
export type {
  ExpectedPublisher,
  FileVerdict,
  VerifyAttestationsOptions,
  VerifyAttestationsReport,
} from "./ops/verify-attestations.ts";
export { verifyAttestations } from "./ops/verify-attestations.ts";
export type {
  StepKind,
  VerifyEvent,
  VerifyInstallOptions,
  VerifyReport,
  VerifyRun,
  VerifyStep,
  VerifyTarget,
} from "./ops/verify-install.ts";
export { verifyInstall } from "./ops/verify-install.ts";
export type {
  AppliedVersion,
  ApplyVersionOptions,
  FileEdit,
  ReadVersionOptions,
  VersionPlace,
  VersionPlan,
  VersionRequest,
  VersionState,
} from "./ops/version.ts";
export {
  applyVersionPlan,
  assembleVersionPlan,
  readVersionPlaces,
  recoverVersionEdit,
} from "./ops/version.ts";
export type { VersionAnswer, VersionChoice, VersionMenu, VersionMenuRead } from "./ops/version-menu.ts";
export { describeMenuArguments, parseVersionAnswer, readVersionMenu } from "./ops/version-menu.ts";
export { Secret } from "./secret.ts";
export type { IndexWarning } from "./server/events.ts";
export type { IndexEvent, IndexServerOptions, RunningIndex } from "./server/index-server.ts";
export { startIndex } from "./server/index-server.ts";
