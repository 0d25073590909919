/**
 * SEC01–SEC07 on the member list, run by the archive reader (they need what only the reader
 * knows: the container type and the first bytes of each file). checkSecurity() in
 * checks/security.ts runs the other SEC checks on the finished model.
 */
import { CappedList } from "../arrays.ts";
import type { ArchiveMember, ArtifactKind } from "../dist/artifact.ts";
import { type ArchiveIssue, issue, quote } from "./issues.ts";
import {
  collisions,
  duplicates,
  existingPaths,
  linkProblem,
  memberPath,
  pathLimitProblem,
  throughSymlink,
  traversalProblem,
} from "./member-paths.ts";

export interface MemberFacts {
  kind: ArtifactKind;
  container: "zip" | "tar";
  /** First bytes of each regular file that was read (for the executable-bit check). */
  heads?: ReadonlyMap<string, Uint8Array>;
}

/** Every ART11 and SEC01–SEC07 issue for the members of one archive. */
export function checkMembers(members: readonly ArchiveMember[], facts: MemberFacts): ArchiveIssue[] {
  return [
    ...checkPathLimits(members),
    ...checkTraversal(members, facts),
    ...checkLinks(members, facts),
    ...checkSpecialFiles(members, facts),
    ...checkModes(members, facts),
    ...checkCollisions(members, facts),
  ];
}

/** Members reported one by one per check before the rest are summed up. */
const MAX_LISTED = 20;

/** ART11: paths too deep or too long to be created on disk. */
export function checkPathLimits(members: readonly ArchiveMember[]): ArchiveIssue[] {
  const found = new CappedList<ArchiveIssue>(MAX_LISTED);
  for (const m of members) {
    const problem = pathLimitProblem(m.name);
    if (problem !== undefined) {
      found.add(
        "ART11",
        () => issue("ART11", `member ${quote(m.name)} ${problem}`, { member: m.name }),
        true,
      );
    }
  }
  const issues = found.kept;
  const more = found.dropped.get("ART11");
  if (more !== undefined) {
    issues.push(
      issue("ART11", `${more.count} more members exceed the path limits (first: ${more.first.message})`),
    );
  }
  return issues;
}

/** SEC01 (all archives) and SEC02 (backslashes in ZIP names). */
export function checkTraversal(members: readonly ArchiveMember[], facts: MemberFacts): ArchiveIssue[] {
  const issues: ArchiveIssue[] = [];
  for (const m of members) {
    const problem = traversalProblem(m.name);
    if (problem !== undefined) {
      issues.push(
        issue("SEC01", `member ${quote(m.name)} ${problem.why}`, {
          member: m.name,
          severity: problem.severity,
        }),
      );
    }
    if (facts.container === "zip" && m.name.includes("\\")) {
      issues.push(
        issue("SEC02", `member ${quote(m.name)} contains a backslash, which is a separator only on Windows`, {
          member: m.name,
        }),
      );
    }
  }
  return issues;
}

/** SEC03 (links in sdists) and SEC04 (symlinks in wheels). */
export function checkLinks(members: readonly ArchiveMember[], facts: MemberFacts): ArchiveIssue[] {
  const issues: ArchiveIssue[] = [];
  const links = members.filter((m) => m.kind === "symlink" || m.kind === "hardlink");
  if (links.length === 0) return issues;
  if (facts.kind === "wheel") {
    for (const m of links) {
      issues.push(
        issue("SEC04", `member ${quote(m.name)} is a symlink${m.linkTarget ? ` to ${m.linkTarget}` : ""}`, {
          member: m.name,
        }),
      );
    }
    return issues;
  }
  const existing = existingPaths(members.map((m) => m.name));
  for (const m of links) {
    const verdict = linkProblem(
      {
        name: m.name,
        kind: m.kind === "hardlink" ? "hardlink" : "symlink",
        target: (m.linkTarget ?? "").replace(/\/+$/, ""),
      },
      existing,
    );
    if (verdict !== undefined) {
      issues.push(
        issue("SEC03", `${m.kind} ${quote(m.name)} ${verdict.why}`, {
          member: m.name,
          severity: verdict.severity,
        }),
      );
    }
  }
  const symlinks = new Set(members.filter((m) => m.kind === "symlink").map((m) => memberPath(m.name)));
  for (const [name, via] of throughSymlink(
    members.map((m) => m.name),
    symlinks,
  )) {
    issues.push(
      issue("SEC03", `member ${quote(name)} is extracted through the symlink ${quote(via)}`, {
        member: name,
      }),
    );
  }
  return issues;
}

/** SEC05: devices and FIFOs. Extractors create them for real from a tar; a ZIP only records the bits. */
export function checkSpecialFiles(members: readonly ArchiveMember[], facts: MemberFacts): ArchiveIssue[] {
  const what: Partial<Record<ArchiveMember["kind"], string>> = {
    chardev: "a character device",
    blockdev: "a block device",
    fifo: "a FIFO",
  };
  return members.flatMap((m) => {
    const kind = what[m.kind];
    if (kind === undefined) return [];
    return [
      issue("SEC05", `member ${quote(m.name)} is ${kind}`, {
        member: m.name,
        ...(facts.container === "zip" ? { severity: "warning" as const } : {}),
      }),
    ];
  });
}

const SCRIPT_NAME =
  /\.(sh|bash|zsh|fish|csh|ksh|bat|cmd|ps1|exe|so|dylib|dll|pyd|bin|run|pl|rb|cgi)$|(^|\/)(configure|gradlew|mvnw)$/i;
const MAGICS: readonly number[][] = [
  [0x23, 0x21], // #!
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x4d, 0x5a], // PE "MZ"
  [0xcf, 0xfa, 0xed, 0xfe], // Mach-O 64
  [0xce, 0xfa, 0xed, 0xfe], // Mach-O 32
  [0xca, 0xfe, 0xba, 0xbe], // Mach-O universal
];

/** True when an executable bit on this file is expected: a script or a binary. */
function expectsExec(m: ArchiveMember, facts: MemberFacts): boolean {
  if (SCRIPT_NAME.test(m.name) || /\.data\/scripts\//.test(m.name)) return true;
  const head = facts.heads?.get(m.name);
  if (head === undefined) return true;
  return MAGICS.some((magic) => magic.every((byte, i) => head[i] === byte));
}

const examples = (names: readonly string[]): string =>
  `${names.slice(0, 3).map(quote).join(", ")}${names.length > 3 ? `, and ${names.length - 3} more` : ""}`;

/** SEC06: setuid/setgid/sticky bits, group/world-writable members, stray executable bits. */
export function checkModes(members: readonly ArchiveMember[], facts: MemberFacts): ArchiveIssue[] {
  const issues: ArchiveIssue[] = [];
  const writable: string[] = [];
  const executable: string[] = [];
  for (const m of members) {
    if (m.mode === undefined || m.kind === "symlink" || m.kind === "hardlink") continue;
    if ((m.mode & 0o7000) !== 0) {
      const bits = [
        m.mode & 0o4000 ? "setuid" : "",
        m.mode & 0o2000 ? "setgid" : "",
        m.mode & 0o1000 ? "sticky" : "",
      ]
        .filter(Boolean)
        .join("+");
      issues.push(
        issue("SEC06", `member ${quote(m.name)} has the ${bits} bit set (mode ${m.mode.toString(8)})`, {
          member: m.name,
          severity: "warning",
        }),
      );
    }
    // Only tar extraction keeps write bits; pip, uv and installer apply the umask to wheel
    // members and take nothing from the zip mode but the executable bit.
    if (facts.container === "tar" && (m.mode & 0o022) !== 0) writable.push(m.name);
    if (m.kind === "file" && (m.mode & 0o111) !== 0 && !expectsExec(m, facts)) executable.push(m.name);
  }
  if (writable.length > 0) {
    issues.push(
      issue("SEC06", `${writable.length} member(s) are group- or world-writable: ${examples(writable)}`, {
        severity: "warning",
        hint: "Build with a umask of 022 (or a backend that normalizes modes) so files are 0644 and directories 0755.",
      }),
    );
  }
  if (executable.length > 0) {
    issues.push(
      issue(
        "SEC06",
        `${executable.length} file(s) have an executable bit but are neither scripts nor binaries: ${examples(executable)}`,
        {
          severity: "warning",
          hint: "Clear the executable bit (`chmod -x`) on these files in the project, or give scripts a `#!` line.",
        },
      ),
    );
  }
  return issues;
}

/** SEC07: names that collide on case-insensitive or normalizing file systems; duplicate tar names. */
export function checkCollisions(members: readonly ArchiveMember[], facts: MemberFacts): ArchiveIssue[] {
  const names = members.map((m) => m.name);
  const issues: ArchiveIssue[] = [];
  if (facts.container === "tar") {
    for (const [name, count] of duplicates(names)) {
      issues.push(
        issue("SEC07", `member ${quote(name)} appears ${count} times; the last one wins on extraction`, {
          member: name,
        }),
      );
    }
  }
  for (const group of collisions(names)) {
    const nfc = new Set(group.map((n) => n.normalize("NFC"))).size < group.length;
    const why = nfc ? "differ only in Unicode normalization" : "differ only in case";
    issues.push(
      issue(
        "SEC07",
        `members ${group.map(quote).join(" and ")} ${why}; on macOS and Windows one overwrites the other`,
        {
          member: group[0]!,
        },
      ),
    );
  }
  return issues;
}
