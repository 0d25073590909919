/**
 * What one CLI run produced, read from its machine output (`--json`: one document for check,
 * scan, status and badges; NDJSON events ending in a report for build, publish and release;
 * docs/json.md). Pure, and defensive: the output is parsed as untrusted data, a field of the
 * wrong type is treated as absent, never as a crash.
 */
import type { ActionCommand } from "./inputs.ts";
import { outputEntry } from "./workflow-commands.ts";

export type ResultSeverity = "error" | "warning" | "info";

export interface ResultFinding {
  severity: ResultSeverity;
  id: string;
  message: string;
  hint: string;
  file: string;
  line?: number;
  /** A member of an archive, a field or a commit: where inside `file`. */
  detail?: string;
}

export interface ResultFile {
  filename: string;
  sha256: string;
  /** The upload outcome (publish, release): uploaded, exists-identical, conflict… */
  status?: string;
}

export interface CommandResult {
  command: ActionCommand;
  exit: number;
  findings: ResultFinding[];
  files: ResultFile[];
  version?: string;
  /** Every file is on the target index (publish, release); undefined for other commands. */
  published?: boolean;
  /** One line about the outcome besides the findings (a grade, a release status). */
  facts: string[];
  /** The CLI's error line, when it stopped with one. */
  error?: { code: string; message: string; hint?: string };
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const objects = (v: unknown): Json[] => arr(v).filter(isObject);

/** The JSON values of the output: the whole as one document, else each line that parses. */
export function parseMachineOutput(stdout: string): Json[] {
  const text = stdout.trim();
  if (text === "") return [];
  try {
    const whole: unknown = JSON.parse(text);
    return isObject(whole) ? [whole] : [];
  } catch {
    const values: Json[] = [];
    for (const line of text.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const v: unknown = JSON.parse(line);
        if (isObject(v)) values.push(v);
      } catch {
        // A line that is not JSON (a workflow command, a stray print) carries no result.
      }
    }
    return values;
  }
}

function findingOf(v: Json): ResultFinding | undefined {
  const severity = str(v["severity"]);
  if (severity !== "error" && severity !== "warning" && severity !== "info") return undefined;
  const location = isObject(v["location"]) ? v["location"] : {};
  const raw = location["line"];
  const line = typeof raw === "number" && Number.isSafeInteger(raw) && raw > 0 ? raw : undefined;
  const member = str(location["member"]);
  // A line inside an archive member is no line of the file GitHub would annotate.
  const detail =
    member !== undefined
      ? `${member}${line === undefined ? "" : `:${line}`}`
      : (str(location["field"]) ?? str(location["commit"]));
  return {
    severity,
    id: str(v["id"]) ?? "",
    message: str(v["message"]) ?? "",
    hint: str(v["hint"]) ?? "",
    file: str(location["file"]) ?? "",
    ...(line === undefined || member !== undefined ? {} : { line }),
    ...(detail === undefined ? {} : { detail }),
  };
}

function findingsOf(list: unknown): ResultFinding[] {
  return objects(list).flatMap((v) => findingOf(v) ?? []);
}

function fileOf(v: Json): ResultFile | undefined {
  const filename = str(v["filename"]);
  const sha256 = str(v["sha256"]);
  if (filename === undefined || sha256 === undefined || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  // A name that would break a `sha256  name` line is not a distribution's name.
  if (filename === "" || /[\x00-\x1f\x7f]/.test(filename)) return undefined;
  const status = str(v["status"]);
  return { filename, sha256, ...(status === undefined ? {} : { status }) };
}

function filesOf(list: unknown): ResultFile[] {
  return objects(list).flatMap((v) => fileOf(v) ?? []);
}

/** The result of `command` from its output and exit status. */
export function readCommandResult(command: ActionCommand, stdout: string, exit: number): CommandResult {
  const values = parseMachineOutput(stdout);
  const result: CommandResult = { command, exit, findings: [], files: [], facts: [] };
  const last = values.at(-1);
  if (last !== undefined && last["type"] === "error") {
    const hint = str(last["hint"]);
    result.error = {
      code: str(last["code"]) ?? "error",
      message: str(last["message"]) ?? "",
      ...(hint === undefined ? {} : { hint }),
    };
  }
  const report = values.findLast((v) => v["type"] === "report");
  const doc = values.length === 1 && last?.["type"] === undefined ? last : undefined;
  switch (command) {
    case "check":
      if (doc !== undefined) result.findings = findingsOf(doc["findings"]);
      break;
    case "scan":
      if (doc !== undefined)
        result.findings = objects(doc["sections"]).flatMap((s) => findingsOf(s["findings"]));
      break;
    case "build":
      if (report !== undefined) {
        result.files = filesOf(report["artifacts"]);
        const check = isObject(report["check"]) ? report["check"] : {};
        result.findings = findingsOf(check["findings"]);
        const manifest = isObject(report["manifest"]) ? report["manifest"] : {};
        const project = isObject(manifest["project"]) ? manifest["project"] : {};
        setVersion(result, str(project["version"]));
      }
      break;
    case "publish":
      if (report !== undefined) readPublish(result, report);
      break;
    case "release":
      if (report !== undefined) readRelease(result, report, values);
      break;
    case "status":
      if (doc !== undefined) readStatus(result, doc);
      break;
    case "badges":
      if (doc !== undefined)
        for (const b of objects(doc["badges"])) {
          const id = str(b["id"]);
          const message = str(b["message"]);
          if (id !== undefined && message !== undefined) result.facts.push(`${id}: ${message}`);
        }
      break;
  }
  // An upload command that stopped before its report published nothing it can vouch for.
  if ((command === "publish" || command === "release") && result.published === undefined)
    result.published = false;
  return result;
}

function setVersion(result: CommandResult, version: string | undefined): void {
  if (version !== undefined && version !== "") result.version = version;
}

function readPublish(result: CommandResult, report: Json): void {
  const outcomes = objects(report["outcomes"]);
  result.files = filesOf(outcomes);
  setVersion(result, str(outcomes[0]?.["version"]));
  const check = isObject(report["check"]) ? report["check"] : {};
  result.findings = findingsOf(check["findings"]);
  result.published = report["ok"] === true && report["dryRun"] !== true && result.files.length > 0;
  if (report["dryRun"] === true) result.facts.push("dry run: nothing was sent");
}

function readRelease(result: CommandResult, report: Json, events: readonly Json[]): void {
  const plan = isObject(report["plan"]) ? report["plan"] : {};
  setVersion(result, str(plan["version"]));
  const build = objects(report["steps"]).find((s) => s["id"] === "build");
  const record = build !== undefined && isObject(build["record"]) ? build["record"] : {};
  const statuses = new Map<string, string>();
  for (const e of events)
    if (e["type"] === "file-published" && e["step"] === "publish") {
      const name = str(e["filename"]);
      const status = str(e["status"]);
      if (name !== undefined && status !== undefined) statuses.set(name, status);
    }
  result.files = filesOf(record["artifacts"]).map((f) => {
    const status = statuses.get(f.filename);
    return status === undefined ? f : { ...f, status };
  });
  const status = str(report["status"]);
  if (status !== undefined)
    result.facts.push(`release ${status}${report["dryRun"] === true ? " (dry run)" : ""}`);
  result.published = status === "done" && report["dryRun"] !== true;
  const failed = isObject(report["failed"]) ? report["failed"] : undefined;
  if (failed !== undefined && result.error === undefined) {
    const hint = str(failed["hint"]);
    result.error = {
      code: str(failed["code"]) ?? "error",
      message: `${str(failed["step"]) ?? "a step"}: ${str(failed["message"]) ?? ""}`,
      ...(hint === undefined ? {} : { hint }),
    };
  }
}

function readStatus(result: CommandResult, doc: Json): void {
  const grade = str(doc["grade"]);
  if (grade !== undefined) result.facts.push(`grade ${grade}`);
  const project = isObject(doc["project"]) ? doc["project"] : {};
  setVersion(result, str(project["sourceVersion"]) ?? str(project["version"]));
  const counts = isObject(doc["counts"]) ? doc["counts"] : {};
  const total = isObject(counts["total"]) ? counts["total"] : {};
  const parts = Object.entries(total)
    .filter(([, n]) => typeof n === "number" && n > 0)
    .map(([level, n]) => `${String(n)} ${level}`);
  result.facts.push(parts.length > 0 ? `open findings: ${parts.join(", ")}` : "no open findings");
}

/** `sha256  filename` lines, as `sha256sum` writes and checks them. */
export function sha256Lines(files: readonly ResultFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.filename}`).join("\n");
}

/** The step outputs: `version`, `published` (true/false; empty for commands that publish nothing), `sha256s`. */
export function outputsText(result: CommandResult, delimiter: string): string {
  return [
    outputEntry("version", result.version ?? "", delimiter),
    outputEntry("published", result.published === undefined ? "" : String(result.published), delimiter),
    outputEntry("sha256s", sha256Lines(result.files), delimiter),
  ].join("");
}
