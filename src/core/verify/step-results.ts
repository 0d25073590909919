/**
 * What one verify-install step found, as facts (`VerifyResult`), and the one line that says it
 * (`describeVerifyResult`): the CLI prints it under the step, the release's verify step puts it
 * in its error. What pip or Python printed is not here: it is the step's `output`, as they
 * printed it.
 */
import { type OptionalCause, optionalExtraMessage } from "./optional-deps.ts";

/** What the archive pip installed says about the local artifact of the same name. */
export type ArchiveFact =
  /** pip's sha256 of the archive is the local artifact's. */
  | { kind: "sha256-matches"; filename: string; sha256: string }
  /** pip named no sha256 (an index linking with another hash, or none): `hash` is what it named. */
  | { kind: "no-sha256"; filename: string; hash: string | null };

/** Facts every console-script result may carry besides its own. */
interface ScriptContext {
  /** The script ran after these extras, which its entry point declares, were installed. */
  declaredExtras?: string[];
  /** The script failed on the plain install and again once these extras were installed. */
  alsoWithExtras?: string[];
}

export type VerifyResult =
  // venv
  | { kind: "venv-created"; dir: string; pipVersion: string }
  // install
  | { kind: "installed"; distributions: number }
  | { kind: "install-failed"; requirement: string; exit: number }
  // proof
  | { kind: "not-in-report"; name: string }
  | { kind: "other-version"; name: string; installed: string; expected: string }
  /** pip installed a file of another name than the artifacts under test. */
  | { kind: "foreign-file"; filename: string; url: string; artifacts: string[] }
  | { kind: "hash-mismatch"; filename: string; url: string; installed: string; local: string }
  | { kind: "not-in-metadata"; name: string }
  /** An sdist (pip built the wheel): the archive is all there is to compare. */
  | { kind: "sdist-proven"; archive: ArchiveFact }
  | { kind: "sdist-unproven"; archive: ArchiveFact }
  | { kind: "record-differs"; name: string; filename: string; files: number; archive: ArchiveFact }
  | { kind: "wheel-proven"; archive: ArchiveFact; files: number }
  // dependencies
  | { kind: "dependencies-satisfied"; requirements: number }
  | { kind: "dependencies-failed"; requirement: string }
  // import
  /** `runs`: how many imports `ms` is the median of (with a budget). */
  | { kind: "imported"; ms: number; runs?: number }
  /** `lastLine`: the last line of its output ("" when it printed nothing). */
  | { kind: "import-failed"; module: string; lastLine: string; exit: number }
  /** `slowest`: the module with the largest own import time (`-X importtime`). */
  | {
      kind: "import-slow";
      module: string;
      ms: number;
      budget: number;
      runs?: number;
      slowest?: { module: string; ms: number };
    }
  // entry-point
  | { kind: "entry-point-loaded"; value: string }
  /** `lastLine`: the exception's last line; `alsoWithExtras`: it failed with these installed too. */
  | {
      kind: "entry-point-failed";
      group: string;
      name: string;
      value: string;
      lastLine: string;
      alsoWithExtras?: string[];
    }
  /** A warning: the entry point needs an extra the plain install lacks; `install` gets it. */
  | {
      kind: "entry-point-needs-extra";
      group: string;
      name: string;
      value: string;
      cause: OptionalCause;
      outcome: "unverified" | "proven" | "unavailable";
      install: string;
    }
  // script
  | ({ kind: "script-ran"; argv: string[] } & ScriptContext)
  | ({ kind: "script-missing"; name: string; bin: string } & ScriptContext)
  | ({ kind: "script-failed"; name: string; argv: string[]; exit: number } & ScriptContext)
  /** A warning: the script needs an extra the plain install lacks (see optional-deps.ts). */
  | {
      kind: "script-needs-extra";
      script: string;
      cause: OptionalCause;
      outcome: "unverified" | "proven" | "unavailable";
    }
  /** A warning: the extras its entry point declares could not be installed, so it did not run. */
  | { kind: "script-not-run"; extras: string[] }
  // extra
  | { kind: "extra-unknown"; project: string; extra: string; provided: string[] }
  | { kind: "extra-install-failed"; extra: string }
  | { kind: "extra-replaced"; extra: string; project: string }
  /**
   * Installed in a venv of its own, `modules` (when any) imported again, `needing` (the
   * package's modules that import the extra's distributions) imported with those imports, and
   * `entryPoints` loaded.
   */
  | { kind: "extra-installed"; modules: string[]; needing?: string[]; entryPoints?: number }
  /** `modules`: those that failed to import; `entryPoints`: those that loaded without the extra, not with it. */
  | { kind: "extra-import-failed"; extra: string; modules: string[]; entryPoints?: string[] }
  // any step
  /** The step itself broke (a file it could not read): the error's own message. */
  | { kind: "error"; error: string };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const listed = (extras: readonly string[]) => extras.map((e) => `'${e}'`).join(", ");

function describeArchive(fact: ArchiveFact): string {
  return fact.kind === "sha256-matches"
    ? `sha256 ${fact.sha256} matches ${fact.filename}`
    : `pip reported no sha256 for ${fact.filename} (${fact.hash ?? "no hash at all"})`;
}

function describeScript(
  result: Extract<VerifyResult, { kind: "script-ran" | "script-missing" | "script-failed" }>,
  base: string,
): string {
  const also =
    result.alsoWithExtras === undefined
      ? ""
      : `, also with the ${listed(result.alsoWithExtras)} extra installed`;
  const declared =
    result.declaredExtras === undefined
      ? ""
      : ` (with the ${listed(result.declaredExtras)} extra its entry point declares)`;
  return `${base}${also}${declared}`;
}

const runs = (n: number | undefined) => (n === undefined || n < 2 ? "" : ` (median of ${n})`);

function describeExtra(result: Extract<VerifyResult, { kind: "extra-installed" }>): string {
  const parts = [
    ...(result.modules.length > 0 ? [`import ${result.modules.join(", ")} ok`] : []),
    ...(result.needing?.length ? [`${result.needing.join(", ")} import with it`] : []),
    ...(result.entryPoints ? [`${plural(result.entryPoints, "entry point")} loaded`] : []),
  ];
  return parts.length === 0 ? "installed" : `installed; ${parts.join("; ")}`;
}

function entryPointExtraMessage(result: Extract<VerifyResult, { kind: "entry-point-needs-extra" }>): string {
  const { cause } = result;
  const needs = `${result.value} needs the ${cause.extras.map((e) => `'${e}'`).join(" or ")} extra`;
  const failed = cause.evidence === "" ? "it failed to load" : `it failed to load with ${cause.evidence}`;
  if (result.outcome === "proven")
    return `${needs}: without it, ${failed}; with it, it loaded (${result.install})`;
  if (result.outcome === "unavailable")
    return `${needs}: ${failed}, and the extra could not be installed (see its step)`;
  return `${needs}: ${failed}; users install it with ${result.install}`;
}

/** One line: what the step found, or what failed and why. */
export function describeVerifyResult(result: VerifyResult): string {
  switch (result.kind) {
    case "venv-created":
      return `${result.dir} (pip ${result.pipVersion})`;
    case "installed":
      return `installed ${plural(result.distributions, "distribution")}`;
    case "install-failed":
      return `pip could not install ${result.requirement} (exit ${result.exit})`;
    case "not-in-report":
      return `pip's report does not list ${result.name}`;
    case "other-version":
      return `pip installed ${result.name} ${result.installed}, not ${result.expected}`;
    case "foreign-file":
      return `pip installed ${result.filename} (from ${result.url}), which is not among the artifacts under test (${result.artifacts.join(", ")})`;
    case "hash-mismatch":
      return `${result.filename} installed from ${result.url} has sha256 ${result.installed}, but the local artifact has sha256 ${result.local}`;
    case "not-in-metadata":
      return `pip installed ${result.name}, but importlib.metadata does not find it`;
    case "sdist-proven":
      return describeArchive(result.archive);
    case "sdist-unproven":
      return `${describeArchive(result.archive)}; cannot prove an sdist install without it`;
    case "record-differs":
      return `the installed files of ${result.name} differ from ${result.filename} in ${plural(result.files, "file")}${result.archive.kind === "sha256-matches" ? "" : `; ${describeArchive(result.archive)}`}`;
    case "wheel-proven":
      return `${describeArchive(result.archive)}; installed RECORD: ${plural(result.files, "file")} identical to the wheel's`;
    case "dependencies-satisfied":
      return `${plural(result.requirements, "requirement")} satisfied`;
    case "dependencies-failed":
      return `pip could not install the dependencies of ${result.requirement}`;
    case "imported":
      return `imported in ${result.ms} ms${runs(result.runs)}`;
    case "import-failed":
      return `import ${result.module} failed${result.lastLine ? `: ${result.lastLine}` : ` (exit ${result.exit})`}`;
    case "import-slow":
      return `import ${result.module} took ${result.ms} ms${runs(result.runs)}, over the budget of ${result.budget} ms${result.slowest === undefined ? "" : `; slowest module: ${result.slowest.module} (${result.slowest.ms} ms of its own)`}`;
    case "entry-point-loaded":
      return `loaded ${result.value}`;
    case "entry-point-failed":
      return `${result.value} did not load: ${result.lastLine || "no error message"}${result.alsoWithExtras === undefined ? "" : `, also with the ${listed(result.alsoWithExtras)} extra installed`}`;
    case "entry-point-needs-extra":
      return entryPointExtraMessage(result);
    case "script-ran":
      return describeScript(result, `${result.argv.join(" ")} exited 0`);
    case "script-missing":
      return describeScript(result, `console script ${result.name} is not installed in ${result.bin}`);
    case "script-failed":
      return describeScript(
        result,
        `console script ${result.name}: \`${result.argv.join(" ")}\` exited with ${result.exit}`,
      );
    case "script-needs-extra":
      return optionalExtraMessage({ script: result.script, cause: result.cause, outcome: result.outcome });
    case "script-not-run":
      return `not run: its entry point needs the ${listed(result.extras)} extra, which could not be installed (see its step)`;
    case "extra-unknown":
      return `${result.project} does not provide the extra "${result.extra}" (it provides: ${result.provided.length > 0 ? result.provided.join(", ") : "none"})`;
    case "extra-install-failed":
      return `extra "${result.extra}": pip could not install its dependencies`;
    case "extra-replaced":
      return `extra "${result.extra}": pip replaced ${result.project} with another file`;
    case "extra-installed":
      return describeExtra(result);
    case "extra-import-failed":
      return `extra "${result.extra}": with its dependencies installed, ${[
        ...(result.modules.length > 0 ? [`importing ${result.modules.join(", ")}`] : []),
        ...(result.entryPoints?.length ? [`loading ${result.entryPoints.join(", ")}`] : []),
      ].join(" and ")} failed`;
    case "error":
      return result.error;
  }
}
