/**
 * The release policy of `slipway status decide`: `[tool.slipway.security.policy]` of
 * pyproject.toml, parsed and validated over the defaults. Each key names a kind of finding that
 * changed, and says per level which decision it calls for. docs/status-decide.md has the table.
 */
import { SlipwayError } from "../../errors.ts";
import { isTable, type TomlTable, tomlType } from "../pyproject/access.ts";
import { STATUS_LEVELS, type StatusLevel } from "./document.ts";

export type Decision = "release-now" | "release-recommended" | "hold" | "no-action";

/** Strongest first: the decision of a diff is the strongest any of its changes calls for. */
export const DECISIONS: readonly Decision[] = ["release-now", "hold", "release-recommended", "no-action"];

export type LevelDecisions = Record<StatusLevel, Decision>;

/**
 * What each kind of change calls for. A dependency finding is runtime or dev by
 * `package.runtime`, fixed or unfixed by `fixedIn`; a secret shipped when it was found in a
 * built distribution; `other` is every other source (SAST, SARIF from other tools).
 */
export interface SecurityPolicy {
  "runtime-fixed": LevelDecisions;
  "runtime-unfixed": LevelDecisions;
  "dev-fixed": LevelDecisions;
  "dev-unfixed": LevelDecisions;
  "secret-shipped": Decision;
  "secret-source": Decision;
  other: LevelDecisions;
  /** A runtime dependency's finding gone from the new document: its fix is in the tree, not yet released. */
  resolved: LevelDecisions;
}

export type PolicyKey = keyof SecurityPolicy;

function levels(
  critical: Decision,
  high: Decision,
  moderate: Decision,
  low: Decision = "no-action",
): LevelDecisions {
  return { critical, high, moderate, low, info: "no-action" };
}

/** The defaults, as documented in docs/status-decide.md. */
export const DEFAULT_POLICY: Readonly<SecurityPolicy> = {
  "runtime-fixed": levels("release-now", "release-now", "release-recommended"),
  "runtime-unfixed": levels("hold", "hold", "no-action"),
  "dev-fixed": levels("release-recommended", "release-recommended", "no-action"),
  "dev-unfixed": levels("no-action", "no-action", "no-action"),
  "secret-shipped": "release-now",
  // A secret in the tree that no distribution holds needs rotating, not a release.
  "secret-source": "no-action",
  other: levels("release-recommended", "no-action", "no-action"),
  resolved: levels("release-recommended", "release-recommended", "no-action"),
};

type SingleKey = "secret-shipped" | "secret-source";
type LevelKey = Exclude<PolicyKey, SingleKey>;

const PER_LEVEL: readonly LevelKey[] = [
  "runtime-fixed",
  "runtime-unfixed",
  "dev-fixed",
  "dev-unfixed",
  "other",
  "resolved",
];
const SINGLE: readonly SingleKey[] = ["secret-shipped", "secret-source"];

const WHERE = "[tool.slipway.security.policy]";
const HINT = `see docs/status-decide.md for the keys; each decision is one of ${DECISIONS.join(", ")}`;

function decisionOf(value: unknown, key: string): Decision {
  if (typeof value === "string" && (DECISIONS as readonly string[]).includes(value)) return value as Decision;
  throw new SlipwayError(
    "config",
    `pyproject.toml ${WHERE} ${key} is ${typeof value === "string" ? JSON.stringify(value) : tomlType(value)}, not a decision`,
    { hint: HINT },
  );
}

/**
 * The policy of `[tool.slipway.security.policy]` (undefined: none), each key over its default.
 * A per-level key takes a table of levels (`{ high = "hold" }`: the other levels keep their
 * default) or one decision for every level. Unknown keys and levels are config errors.
 */
export function parseSecurityPolicy(table: TomlTable | undefined): SecurityPolicy {
  const policy: SecurityPolicy = structuredClone(DEFAULT_POLICY) as SecurityPolicy;
  if (table === undefined) return policy;
  for (const [key, value] of Object.entries(table)) {
    const single = SINGLE.find((k) => k === key);
    const perLevel = PER_LEVEL.find((k) => k === key);
    if (single !== undefined) {
      policy[single] = decisionOf(value, key);
    } else if (perLevel !== undefined) {
      const target = policy[perLevel];
      if (isTable(value)) {
        for (const [level, decision] of Object.entries(value)) {
          if (!(STATUS_LEVELS as readonly string[]).includes(level)) {
            throw new SlipwayError("config", `pyproject.toml ${WHERE} ${key}.${level}: not a level`, {
              hint: `the levels are ${STATUS_LEVELS.join(", ")}`,
            });
          }
          target[level as StatusLevel] = decisionOf(decision, `${key}.${level}`);
        }
      } else {
        const decision = decisionOf(value, key);
        for (const level of STATUS_LEVELS) target[level] = decision;
      }
    } else {
      throw new SlipwayError("config", `pyproject.toml ${WHERE} has an unknown key ${JSON.stringify(key)}`, {
        hint: `the keys are ${[...PER_LEVEL, ...SINGLE].join(", ")}`,
      });
    }
  }
  return policy;
}
