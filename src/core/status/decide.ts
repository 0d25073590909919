/**
 * `slipway status decide`: one release decision from a status diff and the policy, with the
 * reasons (one per change), a justification paragraph naming the findings that drove it, and a
 * release-notes section. Pure and deterministic: the same diff and policy give the same words.
 */

import { dayOf, ignoreInForce, type StatusChange, type StatusDiff } from "./diff.ts";
import type { StatusFinding } from "./document.ts";
import { renderSecurityNotes } from "./notes.ts";
import { DECISIONS, type Decision, type PolicyKey, type SecurityPolicy } from "./policy.ts";

/** What the documents do not say and the decision may use. */
export interface DecideFacts {
  /** The version on the index (the old document's, or the new one's), null when unpublished. */
  publishedVersion: string | null;
}

export interface DecisionReason {
  fingerprint: string;
  /** The finding's id (advisory or rule) and the change seen. */
  id: string;
  change: StatusChange["kind"];
  level: StatusFinding["level"];
  /** The policy key that judged it; absent when no key applies (a lowered level, an ignore in force). */
  rule?: PolicyKey;
  decision: Decision;
  /** One sentence about the finding and why it calls for `decision`. */
  because: string;
}

export interface ReleaseDecision {
  decision: Decision;
  justification: string;
  /** "### Security" and a bullet per fix; empty when there is nothing to announce. */
  releaseNotes: string;
  reasons: DecisionReason[];
}

/** Whether a secret finding was found inside a built distribution (a wheel or an sdist). */
export function shippedSecret(finding: StatusFinding): boolean {
  return /\.(whl|tar\.gz|zip)(!|\/|$)/.test(finding.location.file) || /^SEC(08|09|1[0-2])$/.test(finding.id);
}

/** The policy key for a finding as it now stands. */
export function policyKeyOf(finding: StatusFinding): PolicyKey {
  if (finding.source === "secrets") return shippedSecret(finding) ? "secret-shipped" : "secret-source";
  if (finding.package === undefined) return "other";
  const fixed = typeof finding.fixedIn === "string";
  return `${finding.package.runtime ? "runtime" : "dev"}-${fixed ? "fixed" : "unfixed"}` as PolicyKey;
}

function ruleDecision(policy: SecurityPolicy, key: PolicyKey, finding: StatusFinding): Decision {
  const rule = policy[key];
  return typeof rule === "string" ? rule : rule[finding.level];
}

/** "GHSA-xxxx (CVE-…)" — the id and its first alias, for sentences. */
function named(finding: StatusFinding): string {
  const alias = finding.aliases?.find((a) => a !== finding.id);
  return alias === undefined ? finding.id : `${finding.id} (${alias})`;
}

function subject(finding: StatusFinding): string {
  const pkg = finding.package;
  if (pkg !== undefined) {
    const fix = typeof finding.fixedIn === "string" ? `, fixed in ${finding.fixedIn}` : ", no fix known";
    return `${named(finding)}, ${finding.level}, in ${pkg.name} ${pkg.version} (${pkg.runtime ? "runtime" : "dev-only"} dependency${fix})`;
  }
  const line = finding.location.line === undefined ? "" : `:${finding.location.line}`;
  return `${named(finding)}, ${finding.level}, at ${finding.location.file}${line}`;
}

const CHANGE_WORDS: Record<StatusChange["kind"], string> = {
  new: "is new",
  resolved: "is resolved",
  "severity-changed": "changed level",
  "fix-available": "now has a fix",
  "ignore-expired": "is no longer ignored",
};

function judge(change: StatusChange, policy: SecurityPolicy, day: string): DecisionReason {
  const { finding } = change;
  const base = {
    fingerprint: finding.fingerprint,
    id: finding.id,
    change: change.kind,
    level: finding.level,
  };
  let what: string = CHANGE_WORDS[change.kind];
  if (change.kind === "severity-changed") {
    what = `was ${change.raised ? "raised" : "lowered"} from ${change.from}`;
    if (!change.raised) return { ...base, decision: "no-action", because: `${subject(finding)} ${what}.` };
  }
  if (change.kind === "ignore-expired") {
    what =
      change.expired === undefined ? "lost its ignore" : `is no longer ignored (expired ${change.expired})`;
  } else if (ignoreInForce(finding, day)) {
    const until = finding.ignored?.expires ?? "";
    return {
      ...base,
      decision: "no-action",
      because: `${subject(finding)} ${what} but is ignored until ${until}.`,
    };
  }
  if (change.kind === "resolved") {
    // Only a runtime dependency's fix is something a release ships to users; a dev tool's, a
    // secret's or a code finding's departure is not.
    if (finding.package === undefined || !finding.package.runtime) {
      return { ...base, decision: "no-action", because: `${subject(finding)} ${what}.` };
    }
    const decision = policy.resolved[finding.level];
    return {
      ...base,
      rule: "resolved",
      decision,
      because: `${subject(finding)} ${what}: resolved → ${decision}.`,
    };
  }
  const rule = policyKeyOf(finding);
  const decision = ruleDecision(policy, rule, finding);
  return { ...base, rule, decision, because: `${subject(finding)} ${what}: ${rule} → ${decision}.` };
}

const LEAD: Record<Decision, (project: string) => string> = {
  "release-now": (p) => `Release ${p} now`,
  hold: (p) => `Hold the release of ${p}`,
  "release-recommended": (p) => `A release of ${p} is recommended`,
  "no-action": (p) => `No release of ${p} is called for`,
};

/** Findings named in the justification before "and N more". */
const NAMED = 20;

function justify(
  diff: StatusDiff,
  decision: Decision,
  reasons: DecisionReason[],
  facts: DecideFacts,
): string {
  const published = facts.publishedVersion === null ? "" : ` (published: ${facts.publishedVersion})`;
  const window = `between ${diff.from} and ${diff.to}`;
  if (reasons.length === 0) {
    return `${LEAD[decision](diff.project)}${published}: its security status did not change ${window} (${diff.unchanged} finding(s) unchanged).`;
  }
  const drivers = reasons.filter((r) => r.decision === decision);
  const rest = reasons.length - drivers.length;
  const shown = drivers.slice(0, NAMED).map((r) => r.because);
  if (drivers.length > NAMED) shown.push(`And ${drivers.length - NAMED} more like these.`);
  const why =
    decision === "hold" ? " Releasing changes nothing until a fix exists; release when one does." : "";
  const lesser = reasons.filter((r) => r.decision !== decision);
  const listed = lesser.slice(0, NAMED).map((r) => `${r.id} (${r.change}, ${r.decision})`);
  if (lesser.length > NAMED) listed.push(`${lesser.length - NAMED} more`);
  const others = rest === 0 ? "" : ` ${rest} other change(s) call for less: ${listed.join(", ")}.`;
  return `${LEAD[decision](diff.project)}${published}: ${reasons.length} change(s) ${window}. ${shown.join(" ")}${why}${others}`;
}

/**
 * Judges each change of `diff` by `policy`; the decision is the strongest any change calls for
 * (release-now, then hold, then release-recommended, then no-action). A hold does not outrank a
 * release-now: a fix that exists is shipped even while another waits for one.
 */
export function decideRelease(diff: StatusDiff, policy: SecurityPolicy, facts: DecideFacts): ReleaseDecision {
  const day = dayOf(diff.to);
  const reasons = diff.changes.map((change) => judge(change, policy, day));
  let decision: Decision = "no-action";
  for (const reason of reasons) {
    if (DECISIONS.indexOf(reason.decision) < DECISIONS.indexOf(decision)) decision = reason.decision;
  }
  const acted = diff.changes.filter((_, i) => {
    const d = reasons[i]?.decision;
    return d === "release-now" || d === "release-recommended";
  });
  return {
    decision,
    justification: justify(diff, decision, reasons, facts),
    releaseNotes: renderSecurityNotes(acted),
    reasons,
  };
}
