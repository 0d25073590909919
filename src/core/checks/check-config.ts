/**
 * `[tool.slipway.check]` in the project's pyproject.toml: what `slipway check` is told about the
 * project. Mistakes are config errors naming the key.
 *
 *     [tool.slipway.check]
 *     # Test fixtures and documentation examples shipped on purpose: no SEC08/SEC09 for them.
 *     allow-secrets = ["tests/certs/**", "docs/**"]
 */
import { SlipwayError } from "../../errors.ts";
import type { ArtifactKind } from "../dist/artifact.ts";
import type { Finding } from "../findings.ts";
import { getTable, type TomlTable } from "../pyproject/access.ts";
import { compileGlob } from "../pyproject/glob.ts";
import { stringsSetting } from "../pyproject/settings.ts";

export interface CheckConfig {
  /**
   * Glob patterns (`*`, `?`, `[...]`, `**`) of paths whose SEC08/SEC09 findings are dropped:
   * relative to the project (an sdist's members without its top directory) or to the wheel root.
   */
  allowSecrets: string[];
}

function configError(key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `pyproject.toml [tool.slipway.check] ${key}: ${message}`, { hint });
}

/** The settings, validated; defaults when the table is absent. */
export function readCheckConfig(pyproject: TomlTable | undefined): CheckConfig {
  const table = getTable(getTable(getTable(pyproject, "tool"), "slipway"), "check");
  if (table === undefined) return { allowSecrets: [] };
  const allow = stringsSetting(table, "allow-secrets", "", configError) ?? [];
  for (const [i, pattern] of allow.entries()) {
    const parts = pattern.split("/");
    if (
      pattern.trim() === "" ||
      pattern.startsWith("/") ||
      /^[A-Za-z]:/.test(pattern) ||
      parts.includes("..")
    ) {
      throw configError(
        `allow-secrets[${i}]`,
        `"${pattern}" is not a relative path pattern`,
        'write a pattern relative to the project, e.g. "tests/**" or "docs/examples/*.pem"',
      );
    }
  }
  return { allowSecrets: allow };
}

const SECRET_CHECKS = new Set(["SEC08", "SEC09"]);

/**
 * Drops the SEC08/SEC09 findings of a distribution whose member path an `allow-secrets` pattern
 * matches; every other finding is kept.
 */
export function dropAllowedSecrets(
  findings: readonly Finding[],
  kind: ArtifactKind,
  config: CheckConfig,
): Finding[] {
  if (config.allowSecrets.length === 0) return [...findings];
  const tests = config.allowSecrets.map((pattern) => compileGlob(pattern, { hidden: true }));
  return findings.filter((f) => {
    const member = f.location.member;
    if (!SECRET_CHECKS.has(f.id) || member === undefined) return true;
    const path = kind === "sdist" ? member.slice(member.indexOf("/") + 1) : member;
    return !tests.some((test) => test(path));
  });
}
