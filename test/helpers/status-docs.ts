/** SecurityStatus documents and findings for the diff/decide tests: small, valid, schema 1. */
import type { SecurityStatus, StatusFinding, StatusLevel } from "../../src/core/status/document.ts";

const ZERO = { critical: 0, high: 0, moderate: 0, low: 0, info: 0 };

/** A dependency finding: `pkg` at 1.0.0, runtime or dev, fixed in 1.0.1 or not. */
export function dep(
  id: string,
  level: StatusLevel,
  options: { pkg?: string; runtime?: boolean; fixedIn?: string | null; extra?: Partial<StatusFinding> } = {},
): StatusFinding {
  const pkg = options.pkg ?? "jinja2";
  return {
    fingerprint: `deps:${pkg}:${id}`,
    source: "deps",
    id,
    aliases: [`CVE-2026-${id.length}000`],
    level,
    severity: "error",
    message: `${pkg} 1.0.0 is affected by ${id}`,
    location: { file: "uv.lock" },
    firstSeen: "2026-11-01",
    url: `https://osv.dev/vulnerability/${id}`,
    package: { name: pkg, version: "1.0.0", runtime: options.runtime ?? true },
    fixedIn: options.fixedIn === undefined ? "1.0.1" : options.fixedIn,
    ...options.extra,
  };
}

/** A secret finding, in the tree (`src/app.py`) or in a wheel. */
export function secret(id: string, where: "tree" | "wheel", level: StatusLevel = "critical"): StatusFinding {
  const file = where === "wheel" ? "dist/demo-1.0.0-py3-none-any.whl!demo/settings.py" : "src/app.py";
  return {
    fingerprint: `secrets:${id}:${where}`,
    source: "secrets",
    id,
    level,
    severity: "error",
    message: `a ${id} (pypi…)`,
    location: { file, line: 3 },
    firstSeen: "2026-11-01",
  };
}

/** A document of `findings` at `date` (YYYY-MM-DD). */
export function doc(date: string, findings: StatusFinding[], name = "demo"): SecurityStatus {
  return {
    schema: 1,
    project: { name, version: "1.0.0", sourceVersion: "1.0.1.dev0" },
    commit: null,
    generatedAt: `${date}T06:00:00Z`,
    grade: "A",
    daysSinceHighOrCritical: null,
    counts: { total: { ...ZERO }, bySource: {} },
    findings,
    scanners: [{ name: "deps", version: "0.0.0" }],
  };
}
