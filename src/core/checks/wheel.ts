/**
 * Wheel structure ([BDF]): the dist-info and .data directories, the WHEEL file and what may
 * live where. Purity and tag checks (WHL11–WHL15) are in wheel-content.ts.
 */
import { pushAll } from "../arrays.ts";
import type { ArchiveMember } from "../dist/artifact.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { field, fieldAll, type MetadataFile } from "../metadata/parse.ts";
import type { DistContext } from "./context.ts";
import { checkWheelContent, WHL_CONTENT_CHECKS } from "./wheel-content.ts";
import {
  distPrefix,
  isNativeBinary,
  locateDistInfo,
  readWheelFile,
  rootIsPurelib,
  type WheelLayout,
} from "./wheel-layout.ts";

const STRUCTURE_CHECKS: CheckInfo[] = [
  {
    id: "WHL01",
    severity: "error",
    title: "Wheel has exactly one top-level .dist-info directory",
    why: "Installers (pip, installer, uv) refuse a wheel with no .dist-info directory or with several: they cannot tell which metadata is the wheel's.",
    fix: "Rebuild the wheel from a clean build directory so it holds exactly one `<name>-<version>.dist-info/`.",
    source: "[INS] exactly one .dist-info, [PIP]",
  },
  {
    id: "WHL02",
    severity: "error",
    title: ".dist-info directory is named after the wheel filename, byte for byte",
    why: "PyPI reads `<name>-<version>.dist-info/METADATA`, `WHEEL` and `RECORD` using the filename's own name and version parts and rejects the upload when they are not there (warehouse#17111); uv reports 'No .dist-info directory found' when the versions differ (astral-sh/uv#2106).",
    fix: "Make the filename prefix and the .dist-info directory identical, both using the normalized name (`filenameName`) and normalized version; upgrade the build backend if it writes them differently.",
    source: "[WH], [BDF]",
  },
  {
    id: "WHL03",
    severity: "error",
    title: "At most one .data directory, with the same prefix as the .dist-info",
    why: "Installers only look at `<name>-<version>.data/`; files in any other `*.data/` directory are installed as a stray top-level package instead of into their scheme.",
    fix: "Name the data directory `<name>-<version>.data/` exactly like the .dist-info prefix and keep only one.",
    source: "[BDF], [CWC] find_wheel_dirs",
  },
  {
    id: "WHL04",
    severity: "error",
    title: ".dist-info holds METADATA and WHEEL",
    why: "PyPI rejects a wheel without METADATA ('does not contain the required METADATA file'), and installers need WHEEL to know the format version and install root. A missing RECORD is reported by REC01.",
    fix: "Rebuild with a standard build backend; never assemble or edit wheels by hand without rewriting the dist-info.",
    source: "[BDF], [WH]",
  },
  {
    id: "WHL05",
    severity: "error",
    title: "WHEEL declares Wheel-Version 1.x",
    why: "pip and installer read Wheel-Version first: a missing or unparsable value, or a major version other than 1, makes them refuse the wheel; a newer minor version only warns.",
    fix: "Write `Wheel-Version: 1.0` in the WHEEL file (any current build backend does).",
    source: "[BDF], [PIP] wheel_version / check_compatibility",
  },
  {
    id: "WHL06",
    severity: "error",
    title: "WHEEL declares Root-Is-Purelib as true or false",
    why: "Root-Is-Purelib decides whether the wheel root goes to purelib or platlib; installers and check-wheel-contents treat a missing or other value as broken.",
    fix: "Write `Root-Is-Purelib: true` for pure-Python wheels and `false` for wheels with compiled code.",
    source: "[BDF], [CWC] contents.py",
  },
  {
    id: "WHL07",
    severity: "error",
    title: "WHEEL is well-formed and its Tag, Build and Generator lines agree with the filename",
    why: "uv refuses a wheel whose WHEEL file has malformed lines or empty or partial `Tag:` lines (astral-sh/uv#2149). Tags that contradict the filename are installed (pip and uv go by the filename) but make uv reinstall the wheel on every sync (astral-sh/uv#17711), and PyPI plans to reject them (pypi/warehouse#19411).",
    fix: "Let the build backend (or `wheel tags`) write one `Tag: py-abi-plat` line per expanded filename tag, and `Build:` only when the filename has a build tag.",
    source: "[BDF], astral-sh/uv#2149",
  },
  {
    id: "WHL08",
    severity: "error",
    title: ".data directory uses only the purelib, platlib, headers, scripts and data keys",
    why: "Installers map each `.data/<key>/` to an install scheme path; an unknown key has no destination and installer/pip refuse the wheel.",
    fix: "Move the files under one of `purelib/`, `platlib/`, `headers/`, `scripts/` or `data/` inside the .data directory.",
    source: "[BDF], [INS] SCHEME_NAMES",
  },
  {
    id: "WHL09",
    severity: "warning",
    title: ".data/purelib in a purelib wheel or .data/platlib in a platlib wheel",
    why: "The wheel root is already installed to that scheme, so the .data copy is redundant and usually shows a confused build configuration (check-wheel-contents treats it as invalid).",
    fix: "Put those files at the wheel root instead, or flip Root-Is-Purelib if the root really belongs to the other scheme.",
    source: "[CWC] validate_tree",
  },
  {
    id: "WHL10",
    severity: "error",
    title: ".data/scripts holds regular files; Python scripts start with #!python",
    why: "Scripts are copied into the environment's bin directory: links and directories are not supported there, and installers only rewrite a shebang that starts exactly with `#!python`, so `#!/usr/bin/env python3` keeps pointing at the wrong interpreter.",
    fix: "Ship scripts as regular files directly in `.data/scripts/` and start Python scripts with `#!python`; better, declare `[project.scripts]` entry points.",
    source: "[BDF] recommended installer features",
  },
];

export const WHL_CHECKS: CheckInfo[] = [...STRUCTURE_CHECKS, ...WHL_CONTENT_CHECKS];

const C = catalogue(WHL_CHECKS);

/** Checks a wheel's layout, WHEEL file and contents; nothing for other artifacts. */
export function checkWheel(ctx: DistContext): Finding[] {
  if (ctx.artifact.kind !== "wheel") return [];
  const layout = locateDistInfo(ctx);
  const findings = checkDistInfoDirs(ctx, layout);
  const wheel = layout.distInfo === undefined ? undefined : readWheelFile(ctx, layout.distInfo);
  if (layout.distInfo !== undefined && wheel !== undefined) {
    pushAll(findings, checkWheelFile(ctx, `${layout.distInfo}/WHEEL`, wheel));
  }
  const purelib = wheel === undefined ? undefined : rootIsPurelib(wheel);
  pushAll(findings, checkDataDirs(ctx, layout, purelib));
  pushAll(findings, checkWheelContent(ctx, layout, purelib));
  return findings;
}

function checkDistInfoDirs(ctx: DistContext, layout: WheelLayout): Finding[] {
  const at = (member?: string) =>
    member === undefined ? { file: ctx.display } : { file: ctx.display, member };
  const findings: Finding[] = [];
  const { distInfos, expected, distInfo } = layout;
  if (distInfos.length === 0) {
    findings.push(finding(C.WHL01!, `${ctx.display}: the wheel has no top-level .dist-info directory`, at()));
  } else if (distInfos.length > 1) {
    findings.push(
      finding(
        C.WHL01!,
        `${ctx.display}: the wheel has ${distInfos.length} .dist-info directories (${distInfos.join(", ")}); installers need exactly one`,
        at(distInfos[1]),
      ),
    );
  }
  if (expected !== undefined && distInfos.length > 0 && !distInfos.includes(expected)) {
    findings.push(
      finding(
        C.WHL02!,
        `${ctx.display}: the .dist-info directory is ${distInfos.join(", ")} but the filename requires ${expected}; PyPI looks for ${expected}/METADATA`,
        at(distInfos[0]),
      ),
    );
  }
  if (distInfo === undefined) return findings;
  const prefix = distPrefix(distInfo);
  const stray = layout.dataDirs.filter((d) => d !== `${prefix}.data`);
  for (const dir of stray) {
    findings.push(
      finding(
        C.WHL03!,
        `${ctx.display}: data directory ${dir}/ does not match ${prefix}.data/`,
        at(`${dir}/`),
      ),
    );
  }
  const names = new Set(ctx.artifact.members.filter((m) => m.kind !== "dir").map((m) => m.name));
  for (const required of ["METADATA", "WHEEL"]) {
    if (!names.has(`${distInfo}/${required}`)) {
      findings.push(
        finding(
          C.WHL04!,
          `${ctx.display}: ${distInfo}/${required} is missing`,
          at(`${distInfo}/${required}`),
        ),
      );
    }
  }
  return findings;
}

function checkWheelFile(ctx: DistContext, member: string, wheel: MetadataFile): Finding[] {
  const at = (fieldName?: string) =>
    fieldName === undefined ? { file: ctx.display, member } : { file: ctx.display, member, field: fieldName };
  const findings: Finding[] = [];
  for (const problem of wheel.problems) {
    findings.push(
      finding(
        C.WHL07!,
        `${member} line ${problem.line}: ${problem.detail}; uv refuses a malformed WHEEL file`,
        {
          ...at(),
          line: problem.line,
        },
      ),
    );
  }
  pushAll(findings, checkWheelVersion(member, field(wheel, "Wheel-Version"), at("Wheel-Version")));
  const purelib = field(wheel, "Root-Is-Purelib");
  if (purelib === undefined) {
    findings.push(finding(C.WHL06!, `${member} has no Root-Is-Purelib`, at("Root-Is-Purelib")));
  } else if (rootIsPurelib(wheel) === undefined) {
    findings.push(
      finding(
        C.WHL06!,
        `${member}: Root-Is-Purelib is "${purelib}", not true or false`,
        at("Root-Is-Purelib"),
      ),
    );
  }
  pushAll(findings, checkTags(ctx, member, wheel));
  if (field(wheel, "Generator") === undefined) {
    findings.push(
      finding(C.WHL07!, `${member} has no Generator line`, at("Generator"), {
        severity: "warning",
        hint: "Build with a standard backend; it records itself as `Generator: name version`.",
      }),
    );
  }
  return findings;
}

function checkWheelVersion(
  member: string,
  value: string | undefined,
  location: Finding["location"],
): Finding[] {
  if (value === undefined) return [finding(C.WHL05!, `${member} has no Wheel-Version`, location)];
  // pip reads it as `tuple(map(int, value.split(".")))`: anything else makes it refuse the wheel.
  if (!/^\d+(\.\d+)*$/.test(value.trim()))
    return [finding(C.WHL05!, `${member}: Wheel-Version "${value}" is not of the form 1.x`, location)];
  const [major = 0, minor = 0] = value.trim().split(".").map(Number);
  if (major > 1) {
    return [
      finding(C.WHL05!, `${member}: Wheel-Version ${value} is newer than installers support (1.x)`, location),
    ];
  }
  if (major < 1 || minor > 0) {
    return [
      finding(
        C.WHL05!,
        `${member}: Wheel-Version ${value} is not 1.0; pip warns when installing it`,
        location,
        {
          severity: "warning",
        },
      ),
    ];
  }
  return [];
}

// One `python-abi-platform` triple with no empty part (compressed `.` sets are tolerated).
const TAG_TRIPLE = /^[^-\s.]+(\.[^-\s.]+)*-[^-\s.]+(\.[^-\s.]+)*-[^-\s.]+(\.[^-\s.]+)*$/;

/**
 * Malformed Tag lines make uv refuse the wheel (astral-sh/uv#2149); tags that merely contradict
 * the filename are installed (pip and uv use the filename) but make uv reinstall the wheel on
 * every sync (astral-sh/uv#17711), so they are warnings.
 */
function checkTags(ctx: DistContext, member: string, wheel: MetadataFile): Finding[] {
  const location = { file: ctx.display, member, field: "Tag" };
  const tags = fieldAll(wheel, "Tag").map((t) => t.trim());
  const findings: Finding[] = [];
  for (const tag of tags.filter((t) => !TAG_TRIPLE.test(t))) {
    const message = `${member}: Tag ${JSON.stringify(tag)} is not a python-abi-platform triple; uv refuses the wheel`;
    findings.push(finding(C.WHL07!, message, location));
  }
  const name = ctx.wheelName;
  if (name === undefined) return findings;
  const warn = { severity: "warning" as const };
  if (tags.length === 0) {
    findings.push(
      finding(C.WHL07!, `${member} has no Tag lines; expected ${name.tags.join(", ")}`, location, warn),
    );
  } else {
    const missing = name.tags.filter((t) => !tags.includes(t));
    const extra = tags.filter((t) => !name.tags.includes(t) && TAG_TRIPLE.test(t));
    if (missing.length > 0) {
      const message = `${member} lacks Tag ${missing.join(", ")} that the filename declares`;
      findings.push(finding(C.WHL07!, message, location, warn));
    }
    if (extra.length > 0) {
      const message = `${member} has Tag ${extra.join(", ")} that the filename does not declare`;
      findings.push(finding(C.WHL07!, message, location, warn));
    }
  }
  const build = field(wheel, "Build")?.trim();
  if (build !== name.build) {
    const what =
      name.build === undefined
        ? `has Build ${build} but the filename has no build tag`
        : `has Build ${build ?? "(none)"} but the filename's build tag is ${name.build}`;
    findings.push(finding(C.WHL07!, `${member} ${what}`, { ...location, field: "Build" }, warn));
  }
  return findings;
}

const SCHEME_KEYS = new Set(["purelib", "platlib", "headers", "scripts", "data"]);
function checkDataDirs(ctx: DistContext, layout: WheelLayout, purelib: boolean | undefined): Finding[] {
  if (layout.distInfo === undefined) return [];
  const dataDir = `${distPrefix(layout.distInfo)}.data/`;
  const findings: Finding[] = [];
  const badKeys = new Set<string>();
  for (const member of ctx.artifact.members) {
    if (!member.name.startsWith(dataDir)) continue;
    const rest = member.name.slice(dataDir.length);
    if (rest === "") continue;
    const slash = rest.indexOf("/");
    const key = slash < 0 ? rest : rest.slice(0, slash);
    const location = { file: ctx.display, member: member.name };
    if (slash < 0 && member.kind !== "dir") {
      findings.push(
        finding(C.WHL08!, `${member.name} sits directly in ${dataDir}, outside any scheme key`, location),
      );
    } else if (!SCHEME_KEYS.has(key) && !badKeys.has(key)) {
      badKeys.add(key);
      findings.push(
        finding(
          C.WHL08!,
          `${dataDir}${key}/ is not an install scheme (purelib, platlib, headers, scripts, data)`,
          location,
        ),
      );
    } else if (key === "scripts") {
      pushAll(findings, checkScript(ctx, member, rest.slice("scripts/".length)));
    }
  }
  const redundant = purelib === true ? "purelib" : purelib === false ? "platlib" : undefined;
  const hit = ctx.artifact.members.find((m) => redundant && m.name.startsWith(`${dataDir}${redundant}/`));
  if (redundant !== undefined && hit !== undefined) {
    findings.push(
      finding(
        C.WHL09!,
        `${dataDir}${redundant}/ is used although Root-Is-Purelib is ${purelib}, so the wheel root is already ${redundant}`,
        { file: ctx.display, member: hit.name },
      ),
    );
  }
  return findings;
}

function checkScript(ctx: DistContext, member: ArchiveMember, inScripts: string): Finding[] {
  const location = { file: ctx.display, member: member.name };
  if (inScripts === "") return [];
  if (member.kind !== "file" && member.kind !== "dir") {
    return [
      finding(
        C.WHL10!,
        `${member.name} is a ${member.kind}; .data/scripts may only hold regular files`,
        location,
      ),
    ];
  }
  if (member.kind === "dir" || inScripts.includes("/")) {
    const message = `${member.name} is inside a subdirectory of .data/scripts; installers copy scripts flat into bin/`;
    return [finding(C.WHL10!, message, location, { severity: "warning" })];
  }
  const bytes = ctx.artifact.contents.get(member.name);
  if (bytes === undefined || isNativeBinary(bytes)) return [];
  const end = bytes.indexOf(0x0a);
  const first = new TextDecoder("latin1").decode(
    bytes.subarray(0, end < 0 ? Math.min(bytes.length, 256) : end),
  );
  if (first.startsWith("#!") && !first.startsWith("#!python") && /python/i.test(first)) {
    const message = `${member.name} starts with ${JSON.stringify(first.trim())}; installers only rewrite a shebang starting "#!python"`;
    return [finding(C.WHL10!, message, location, { severity: "warning" })];
  }
  return [];
}
