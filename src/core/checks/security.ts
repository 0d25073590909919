/**
 * SEC01–SEC13: security hygiene of a distribution. SEC01–SEC07 (paths, links, special files,
 * modes, collisions) and the content scans SEC09/SEC11 run while the archive is read and arrive
 * in `ArtifactModel.findings`; checkSecurity() adds the member-list checks SEC08, SEC10, SEC12
 * and SEC13 on the finished model. Together they never report the same thing twice.
 */
import { quote } from "../archive/issues.ts";
import { memberPath } from "../archive/member-paths.ts";
import type { ArchiveMember } from "../dist/artifact.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { benignReason, NAME_RULES, type NameRule, placeholderIn } from "../secrets/patterns.ts";
import type { DistContext } from "./context.ts";

export const SEC_CHECKS: CheckInfo[] = [
  {
    id: "SEC01",
    severity: "error",
    title: "Member path escapes the extraction directory",
    why: "A member with `..`, an absolute path, a drive letter or a UNC prefix can overwrite files outside the target when unpacked (zip-slip). pip refuses such members and tools must not unpack such sdists.",
    fix: "Rebuild the distribution from a clean tree with your backend; never add members with absolute or `..` paths.",
    source: "[SDF]; [P706]; [PIP] unpacking.py",
  },
  {
    id: "SEC02",
    severity: "warning",
    title: "ZIP member name contains a backslash",
    why: "ZIP names use `/`; a backslash is an ordinary character on Linux and macOS but a separator on Windows, so the same wheel installs different paths.",
    fix: "Rename the file so its name has no backslash, or fix the build script that joined the path with `\\`.",
    source: "[BDF]; derived",
  },
  {
    id: "SEC03",
    severity: "error",
    title: "sdist link points outside the archive",
    why: "A symlink or hardlink whose target is absolute or resolves outside the extraction directory (or to it) lets an unpacked sdist read or overwrite other files; Python's tarfile data filter refuses it. Symlink targets are relative to the link's directory, hardlink targets to the archive root.",
    fix: "Replace the link with a copy of the file, or make it a relative link to a file inside the project.",
    source: "[SDF]; [P706]; cpython gh-107845, gh-149486",
  },
  {
    id: "SEC04",
    severity: "error",
    title: "Symlink inside a wheel",
    why: "The wheel format has no symlinks: installers write the link target as the content of a regular file, so the installed package is broken.",
    fix: "Replace the symlink in the project with a copy of its target before building the wheel.",
    source: "[BDF]; derived",
  },
  {
    id: "SEC05",
    severity: "error",
    title: "Device file or FIFO in the archive",
    why: "Extracting a character or block device or a FIFO from an sdist creates a special file on the user's machine; no Python project needs one.",
    fix: "Delete the special file from the project tree and rebuild.",
    source: "[SDF]; [P706]",
  },
  {
    id: "SEC06",
    severity: "warning",
    title: "Unsafe or untidy file modes",
    why: "setuid, setgid and sticky bits must be cleared by extractors and signal a tampered or careless build; group- or world-writable files and stray executable bits end up on users' machines as they are.",
    fix: "Fix the modes in the project (`chmod`), build with umask 022, and keep executable bits for scripts only.",
    source: "[SDF]; [P706] data filter",
  },
  {
    id: "SEC07",
    severity: "warning",
    title: "Member names collide on some file systems",
    why: "Names that differ only in case or Unicode normalization, and repeated tar members, overwrite each other when unpacked on macOS or Windows, so users get different files than you tested.",
    fix: "Rename one of the files so every path is unique regardless of case and normalization.",
    source: "derived",
  },
  {
    id: "SEC08",
    severity: "warning",
    title: "File that usually holds secrets is shipped",
    why: "Environment files, .pypirc, .netrc, SSH and TLS keys and credential stores end up in distributions when a backend sweeps untracked files in; once published they cannot be recalled.",
    fix: "Remove the file from the distribution (exclude it in the backend's configuration or .gitignore it), rebuild, and rotate any credential it held. In test or documentation material it is a warning; allow such paths with [tool.slipway.check] allow-secrets.",
    source: "astral-sh/uv#10556; CorporateSmalltalkConsultingLtd/ClaudeSmalltalk#22",
  },
  {
    id: "SEC09",
    severity: "error",
    title: "Secret token or private key in a file",
    why: "A PyPI, GitHub, npm, AWS or Slack token or a private key inside a published file is public forever; PyPI rejects uploads containing PyPI tokens and revokes them. Generated build scripts have leaked tokens this way. Test and documentation material (tests/, testing/, fixtures/, testdata/, examples/, docs/, dummy* directories; test_*, dummy*, fake* files), code blocks of .md/.rst documents and placeholder values (example, changeme, xxxx...) hold fake keys on purpose: there it is a warning.",
    fix: 'Revoke the credential now, remove it from the file (read it from the environment instead) and rebuild. For a test fixture or documentation example, allow its path: [tool.slipway.check] allow-secrets = ["tests/**"].',
    source: "PyO3/maturin-action#193; warehouse scanner_rules/pypi_token.yar",
  },
  {
    id: "SEC10",
    severity: "warning",
    title: "VCS, IDE or build junk in the distribution",
    why: "Directories such as .git, .venv, .tox and node_modules, editor swap files, compiled caches and nested distributions bloat the upload and can leak history or local paths. slipway's own run state (.slipway/: release journals, the lock with host and process, earlier releases' artifacts) is an error: hatchling's default sdist takes it in when the project's top .gitignore does not exclude it (hatchling reads no nested .gitignore).",
    fix: "Exclude these paths in the backend's configuration (or MANIFEST.in) and rebuild; for .slipway/, add `/.slipway/` to the project's .gitignore.",
    source: "[CMF] WARN_ABOUT_FILES_IN_VCS; [CWC] W001/W005",
  },
  {
    id: "SEC11",
    severity: "error",
    title: "Encrypted or obfuscated code",
    why: "PyPI's upload scanner refuses PyArmor- and SourceDefender-encrypted code: it cannot be reviewed and is a common malware carrier.",
    fix: "Publish the plain source, or distribute the protected build outside PyPI.",
    source: "warehouse scanner_rules/pyarmor.yar, sourcedefender.yar",
  },
  {
    id: "SEC12",
    severity: "warning",
    title: "Wheel installs a .pth file",
    why: "Lines starting with `import` in a .pth file in site-packages run at every interpreter start-up, for every program; that deserves a deliberate review.",
    fix: "Make sure the .pth file is intended (editable installs, start-up hooks); otherwise remove it from the wheel.",
    source: "derived; Python site module documentation",
  },
  {
    id: "SEC13",
    severity: "warning",
    title: "Oversized member or very many members",
    why: "Huge single files or tens of thousands of members slow every install and scan and often mean data or build output slipped in.",
    fix: "Check the listed files belong in the distribution; move large data to a separate download. The thresholds are configurable.",
    source: "[WH] ratio logic; derived",
  },
];

const INFO = catalogue(SEC_CHECKS);

export interface SecurityOptions {
  /** SEC13: a member larger than this (bytes) is reported. Default 50 MiB. */
  maxMemberSize?: number;
  /** SEC13: more members than this is reported. Default 20,000. */
  maxMembers?: number;
}

/** SEC08, SEC10, SEC12 and SEC13 on the artifact's member list. */
export function checkSecurity(ctx: DistContext, options: SecurityOptions = {}): Finding[] {
  const { artifact } = ctx;
  const file = ctx.display;
  const members = artifact.members;
  const top = artifact.kind === "sdist" ? topOf(members) : undefined;
  const rel = (name: string) => {
    const path = memberPath(name);
    return top !== undefined && path.startsWith(`${top}/`) ? path.slice(top.length + 1) : path;
  };
  return [
    ...checkSecretNames(members, artifact.contents, rel, file),
    ...checkJunk(members, rel, file, artifact.kind),
    ...(artifact.kind === "wheel" ? checkPth(members, file) : []),
    ...checkSizes(members, file, options),
  ];
}

function topOf(members: readonly ArchiveMember[]): string | undefined {
  const tops = new Set(members.map((m) => memberPath(m.name).split("/")[0]));
  return tops.size === 1 ? [...tops][0] : undefined;
}

/** The placeholder every secret of a credential file is, when all are (`example-password`). */
function placeholderOf(rule: NameRule, content: Uint8Array | undefined): string | undefined {
  if (rule.values === undefined || content === undefined) return undefined;
  const values = rule.values(new TextDecoder().decode(content));
  const words = values.map(placeholderIn);
  return values.length > 0 && words.every((w) => w !== undefined) ? words[0] : undefined;
}

function checkSecretNames(
  members: readonly ArchiveMember[],
  contents: ReadonlyMap<string, Uint8Array>,
  rel: (n: string) => string,
  file: string,
): Finding[] {
  const out: Finding[] = [];
  for (const m of members) {
    if (m.kind !== "file") continue;
    const path = rel(m.name);
    const base = path.slice(path.lastIndexOf("/") + 1);
    const rule = NAME_RULES.find((r) => r.test(path, base));
    if (rule === undefined) continue;
    const message = `${file}: member ${quote(m.name)} looks like ${rule.what}`;
    const placeholder = placeholderOf(rule, contents.get(m.name));
    const benign = benignReason(path, placeholder === undefined ? {} : { placeholder });
    out.push(
      benign === undefined
        ? finding(INFO.SEC08!, message, { file, member: m.name }, { severity: rule.severity })
        : finding(
            INFO.SEC08!,
            `${message} ${benign.why}`,
            { file, member: m.name },
            { severity: "warning", hint: benign.hint },
          ),
    );
  }
  return out;
}

/** slipway's run state in a project (src/adapters/state-dir.ts): never part of a distribution. */
const STATE_DIR = ".slipway";

/** Junk directories at any depth; `rootOnly` ones only at the project root. */
const JUNK_DIRS = new Set([
  ".git",
  ".hg",
  ".svn",
  ".bzr",
  ".tox",
  ".nox",
  "node_modules",
  ".idea",
  ".vscode",
  ".mypy_cache",
  ".pytest_cache",
  ".ruff_cache",
  ".ipynb_checkpoints",
]);
const JUNK_ROOT_DIRS = new Set([".venv", "venv", ".eggs", STATE_DIR]);
const SDIST_ROOT_DIRS = new Set(["dist", "build"]);
const JUNK_FILES = /(^|\/)(\.DS_Store|Thumbs\.db|[^/]*~|\.[^/]*\.sw[po]|\.#[^/]*)$/;
const NESTED_DISTS = /\.(whl|tar\.gz|egg)$/;

/** SEC10: the first junk directory of a path, or the path itself when the file is junk. */
function junkRoot(path: string, kind: DistContext["artifact"]["kind"]): string | undefined {
  const parts = path.split("/");
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (JUNK_DIRS.has(part) || (kind === "sdist" && part === "__pycache__"))
      return `${parts.slice(0, i + 1).join("/")}/`;
    if (i === 0 && (JUNK_ROOT_DIRS.has(part) || (kind === "sdist" && SDIST_ROOT_DIRS.has(part))))
      return `${part}/`;
  }
  if (JUNK_FILES.test(path) || NESTED_DISTS.test(path)) return path;
  if (kind === "sdist" && /\.(py[co]|so|pyd|dylib)$/.test(path)) return path;
  return undefined;
}

function checkJunk(
  members: readonly ArchiveMember[],
  rel: (n: string) => string,
  file: string,
  kind: DistContext["artifact"]["kind"],
): Finding[] {
  const groups = new Map<string, { member: string; count: number }>();
  for (const m of members) {
    if (m.kind === "dir") continue;
    const root = junkRoot(rel(m.name), kind);
    if (root === undefined) continue;
    const group = groups.get(root);
    if (group === undefined) groups.set(root, { member: m.name, count: 1 });
    else group.count++;
  }
  return [...groups].map(([root, { member, count }]) => {
    const shipped = `${file}: ${quote(root)} is shipped (${count} file${count === 1 ? "" : "s"}, e.g. ${quote(member)})`;
    if (root === `${STATE_DIR}/`) {
      return finding(
        INFO.SEC10!,
        `${shipped}: slipway's run state (release journals, the lock naming this host, built artifacts) must not be published`,
        { file, member },
        {
          severity: "error",
          hint: "Add `/.slipway/` to the project's .gitignore (hatchling reads only that top-level one) or exclude it in the backend's sdist configuration, and rebuild.",
        },
      );
    }
    return finding(
      INFO.SEC10!,
      root.endsWith("/") ? shipped : `${file}: member ${quote(member)} is build or editor junk`,
      { file, member },
    );
  });
}

function checkPth(members: readonly ArchiveMember[], file: string): Finding[] {
  return members
    .filter((m) => m.kind === "file" && /^([^/]+\.data\/(purelib|platlib)\/)?[^/]+\.pth$/.test(m.name))
    .map((m) =>
      finding(
        INFO.SEC12!,
        `${file}: member ${quote(m.name)} is a .pth file; its import lines run at every Python start-up`,
        {
          file,
          member: m.name,
        },
      ),
    );
}

function checkSizes(members: readonly ArchiveMember[], file: string, options: SecurityOptions): Finding[] {
  const maxSize = options.maxMemberSize ?? 50 * 1024 * 1024;
  const maxMembers = options.maxMembers ?? 20_000;
  const out: Finding[] = [];
  if (members.length > maxMembers) {
    out.push(
      finding(INFO.SEC13!, `${file}: the archive has ${members.length} members (threshold ${maxMembers})`, {
        file,
      }),
    );
  }
  for (const m of members) {
    if (m.size > maxSize) {
      const mib = (m.size / 1024 / 1024).toFixed(1);
      out.push(
        finding(
          INFO.SEC13!,
          `${file}: member ${quote(m.name)} is ${mib} MiB (threshold ${(maxSize / 1024 / 1024).toFixed(0)} MiB)`,
          {
            file,
            member: m.name,
          },
        ),
      );
    }
  }
  return out;
}
