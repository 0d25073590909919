/**
 * Why two artifacts that should be byte-identical (two builds of one commit) are not: member by
 * member (presence, content, kind, mode, owner, mtime, order) and container by container (gzip
 * header, tar stream, ZIP entry fields). Pure: adapters/archives/list-members.ts lists each file
 * as an ArchiveListing (artifact-listing.ts).
 */
import { Buffer } from "node:buffer";
import { gzipOsName } from "../archive/gzip-header.ts";
import { methodName } from "../archive/zip-layout.ts";
import { EXTRA_TIMESTAMP, parseExtras } from "../archive/zip-records.ts";
import type { MemberKind } from "./artifact.ts";
import type { ArchiveListing, ListedMember, MemberOwner, ZipEntryInfo } from "./artifact-listing.ts";

export interface Pair<T> {
  name: string;
  a: T;
  b: T;
}

export interface Content {
  sha256: string;
  size: number;
  linkTarget: string | undefined;
}

/** `field` says which stored time: the member's own, or a ZIP extended timestamp. */
export type MtimeDiff = Pair<number | undefined> & {
  field: "mtime" | "extended timestamp";
  isoA: string;
  isoB: string;
};

/** A difference outside member content and metadata, with both values shown as text. */
export interface ContainerDiff {
  /** "gzip header", "tar stream", "zip", "artifact", or `member <name>` for ZIP entry fields. */
  scope: string;
  member?: string;
  field: string;
  a: string;
  b: string;
  note?: string;
}

export interface ArtifactDiff {
  /** Same size and sha256: nothing else is compared. */
  identical: boolean;
  onlyInA: string[];
  onlyInB: string[];
  kind: Pair<MemberKind>[];
  content: Pair<Content>[];
  mode: Pair<number | undefined>[];
  ownership: Pair<MemberOwner | undefined>[];
  mtime: MtimeDiff[];
  /** Members out of the common order, with their 1-based positions in a and in b. */
  order: Pair<number>[];
  container: ContainerDiff[];
}

/** Number of differences listed in `diff` (0 for identical artifacts). */
export function countDifferences(d: ArtifactDiff): number {
  return (
    d.onlyInA.length +
    d.onlyInB.length +
    d.kind.length +
    d.content.length +
    d.mode.length +
    d.ownership.length +
    d.mtime.length +
    d.order.length +
    d.container.length
  );
}

/**
 * Compares two listings. Members pair up by name (the n-th duplicate with the n-th); members in
 * both are compared field by field, and their order by the longest run kept in both archives, so
 * one moved member is reported alone. When the bytes differ but no compared field does, one
 * container line says where the difference must lie, so a non-identical pair never diffs empty.
 */
export function diffArtifacts(a: ArchiveListing, b: ArchiveListing): ArtifactDiff {
  const identical = a.size === b.size && a.sha256 === b.sha256;
  const diff: ArtifactDiff = {
    identical,
    onlyInA: [],
    onlyInB: [],
    kind: [],
    content: [],
    mode: [],
    ownership: [],
    mtime: [],
    order: [],
    container: [],
  };
  if (identical) return diff;
  const inA = keyed(a.members);
  const inB = keyed(b.members);
  const common: { name: string; a: number; b: number }[] = [];
  inA.forEach(({ member, index }, key) => {
    const other = inB.get(key);
    if (other === undefined) diff.onlyInA.push(member.name);
    else {
      common.push({ name: member.name, a: index + 1, b: other.index + 1 });
      compareMembers(member, other.member, diff);
    }
  });
  inB.forEach(({ member }, key) => {
    if (!inA.has(key)) diff.onlyInB.push(member.name);
  });
  diff.order = outOfOrder(common);
  compareContainers(a, b, diff);
  if (countDifferences(diff) === 0) {
    diff.container.push({
      scope: "artifact",
      field: "sha256",
      a: short(a.sha256),
      b: short(b.sha256),
      note: "no listed field differs: the difference lies in record layout or unlisted header fields",
    });
  }
  return diff;
}

/** Members by name and occurrence, in archive order (Map keeps insertion order). */
function keyed(members: readonly ListedMember[]): Map<string, { member: ListedMember; index: number }> {
  const seen = new Map<string, number>();
  const out = new Map<string, { member: ListedMember; index: number }>();
  members.forEach((member, index) => {
    const n = seen.get(member.name) ?? 0;
    seen.set(member.name, n + 1);
    out.set(`${member.name}\0${n}`, { member, index });
  });
  return out;
}

function compareMembers(x: ListedMember, y: ListedMember, diff: ArtifactDiff): void {
  const name = x.name;
  if (x.kind !== y.kind) diff.kind.push({ name, a: x.kind, b: y.kind });
  else if (x.sha256 !== y.sha256 || x.size !== y.size || x.linkTarget !== y.linkTarget) {
    const content = (m: ListedMember): Content => ({
      sha256: m.sha256,
      size: m.size,
      linkTarget: m.linkTarget,
    });
    diff.content.push({ name, a: content(x), b: content(y) });
  }
  if (x.mode !== y.mode) diff.mode.push({ name, a: x.mode, b: y.mode });
  if (ownerText(x.owner) !== ownerText(y.owner)) diff.ownership.push({ name, a: x.owner, b: y.owner });
  const mtime = (field: MtimeDiff["field"], a: number | undefined, b: number | undefined) => {
    if (a !== b) diff.mtime.push({ name, field, a, b, isoA: isoTime(a), isoB: isoTime(b) });
  };
  mtime("mtime", x.mtime, y.mtime);
  if (x.zip !== undefined && y.zip !== undefined) {
    mtime("extended timestamp", x.zip.extendedMtime, y.zip.extendedMtime);
    const sameMeta = x.kind === y.kind && x.mode === y.mode;
    const sameContent = x.kind === y.kind && x.sha256 === y.sha256;
    compareZipEntries(name, x.zip, y.zip, { sameMeta, sameContent }, diff.container);
  }
}

function compareZipEntries(
  name: string,
  x: ZipEntryInfo,
  y: ZipEntryInfo,
  same: { sameMeta: boolean; sameContent: boolean },
  out: ContainerDiff[],
): void {
  const push = (field: string, a: string, b: string, note?: string) => {
    const found: ContainerDiff = { scope: `member ${shown(name)}`, member: name, field, a, b };
    if (note !== undefined) found.note = note;
    if (a !== b) out.push(found);
  };
  push("compression method", zipMethod(x.method), zipMethod(y.method));
  push("general-purpose flags", hex(x.flags, 4), hex(y.flags, 4));
  push("version made by", hex(x.versionMadeBy, 4), hex(y.versionMadeBy, 4));
  // The high half holds st_mode: only worth a line when the mode line does not already say it.
  if (same.sameMeta) push("external attributes", hex(x.externalAttr, 8), hex(y.externalAttr, 8));
  if (same.sameContent && x.method === y.method) {
    const note = "same content: another compression level or zlib version";
    push("compressed size", String(x.compressedSize), String(y.compressedSize), note);
  }
  for (const [where, a, b] of [
    ["central directory", x.centralExtra, y.centralExtra],
    ["local header", x.localExtra, y.localExtra],
  ] as const) {
    const found = extrasDiff(a, b);
    if (found !== undefined) push(`extra ${found.what} (${where})`, found.a, found.b);
  }
}

/** The first difference between two extra-field blocks, the 0x5455 mtime aside (reported as mtime). */
function extrasDiff(aHex: string, bHex: string): { what: string; a: string; b: string } | undefined {
  const read = (text: string) => {
    const bytes = Buffer.from(text, "hex");
    const { fields } = parseExtras(bytes);
    const shown = fields.map((f) => ({ id: f.id, data: Buffer.from(f.data).toString("hex") }));
    for (const f of fields)
      if (f.id === EXTRA_TIMESTAMP && ((f.data[0] ?? 0) & 1) !== 0) f.data.fill(0, 1, 5);
    const masked = fields.map((f) => Buffer.from(f.data).toString("hex"));
    const ids = fields.map((f) => hex(f.id, 4)).join(" ") || "none";
    // `bytes` holds the masked fields by now.
    return { whole: bytes.toString("hex"), shown, masked, ids };
  };
  const a = read(aHex);
  const b = read(bHex);
  if (a.whole === b.whole) return undefined;
  if (a.ids !== b.ids) return { what: "fields", a: a.ids, b: b.ids };
  const i = a.masked.findIndex((data, k) => data !== b.masked[k]);
  const [x, y] = [a.shown[i], b.shown[i]];
  if (x !== undefined && y !== undefined) {
    return { what: `field ${hex(x.id, 4)}`, a: shortData(x.data), b: shortData(y.data) };
  }
  return { what: "fields", a: shortData(aHex), b: shortData(bHex) };
}

/** Members not on the longest subsequence whose order both archives keep (patience sorting). */
function outOfOrder(common: readonly { name: string; a: number; b: number }[]): Pair<number>[] {
  const tails: number[] = [];
  const previous: number[] = new Array(common.length).fill(-1);
  common.forEach((item, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (common[tails[mid]!]!.b < item.b) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  });
  const kept = new Set<number>();
  for (let i = tails[tails.length - 1] ?? -1; i >= 0; i = previous[i]!) kept.add(i);
  return common.filter((_, i) => !kept.has(i)).map(({ name, a, b }) => ({ name, a, b }));
}

function compareContainers(a: ArchiveListing, b: ArchiveListing, diff: ArtifactDiff): void {
  const out = diff.container;
  const push = (scope: string, field: string, x: string, y: string, note?: string) => {
    if (x === y) return;
    out.push(note === undefined ? { scope, field, a: x, b: y } : { scope, field, a: x, b: y, note });
  };
  const ca = a.container;
  const cb = b.container;
  if (ca.format === "zip" && cb.format === "zip")
    push("zip", "comment", JSON.stringify(ca.comment), JSON.stringify(cb.comment));
  if (ca.format !== "tar.gz" || cb.format !== "tar.gz") {
    push("artifact", "format", ca.format, cb.format);
    return;
  }
  const [x, y] = [ca.gzip, cb.gzip];
  const optional = (v: string | undefined) => (v === undefined ? "none" : JSON.stringify(v));
  push("gzip header", "mtime", String(x.mtime), String(y.mtime));
  push("gzip header", "OS", `${x.os} (${gzipOsName(x.os)})`, `${y.os} (${gzipOsName(y.os)})`);
  push("gzip header", "extra flags (XFL)", xflText(x.extraFlags), xflText(y.extraFlags));
  push("gzip header", "flags", hex(x.flags, 2), hex(y.flags, 2));
  push("gzip header", "original filename", optional(x.filename), optional(y.filename));
  push("gzip header", "comment", optional(x.comment), optional(y.comment));
  push("gzip header", "extra field", optional(x.extra), optional(y.extra));
  push("gzip header", "compression method", String(x.method), String(y.method));
  push("tar stream", "size", String(ca.tarSize), String(cb.tarSize));
  if (ca.tarSha256 === cb.tarSha256) {
    const note = "same tar stream: another compression level or zlib version";
    push("gzip", "compressed data size", String(a.size - x.length), String(b.size - y.length), note);
  } else if (ca.tarSize === cb.tarSize && countDifferences(diff) === out.length) {
    const note =
      "no member differs: other tar header fields (pax atime/ctime, devices, format) or padding do";
    push("tar stream", "sha256", short(ca.tarSha256), short(cb.tarSha256), note);
  }
}

/**
 * Human lines, most telling first: archive-level differences, then members only in one side,
 * content, kind, mode, owner, mtime, order, and ZIP entry fields. At most `limit` lines (default
 * 20) and then one "and N more"; no lines for identical artifacts.
 */
export function renderArtifactDiff(diff: ArtifactDiff, options: { limit?: number } = {}): string[] {
  const m = (name: string, text: string) => `member ${shown(name)}: ${text}`;
  const containerLine = (c: ContainerDiff) =>
    `${c.scope}: ${c.field} ${c.a} vs ${c.b}${c.note === undefined ? "" : ` (${c.note})`}`;
  const lines = [
    ...diff.container.filter((c) => c.member === undefined).map(containerLine),
    ...diff.onlyInA.map((name) => m(name, "only in a")),
    ...diff.onlyInB.map((name) => m(name, "only in b")),
    ...diff.content.map(({ name, a, b }) => m(name, contentText(a, b))),
    ...diff.kind.map(({ name, a, b }) => m(name, `kind ${a} vs ${b}`)),
    ...diff.mode.map(({ name, a, b }) => m(name, `mode ${modeText(a)} vs ${modeText(b)}`)),
    ...diff.ownership.map(({ name, a, b }) => m(name, `owner ${ownerText(a)} vs ${ownerText(b)}`)),
    ...diff.mtime.map((d) =>
      m(d.name, `${d.field === "mtime" ? "mtime" : "mtime (0x5455)"} ${d.isoA} vs ${d.isoB}`),
    ),
    ...diff.order.map(({ name, a, b }) => m(name, `position ${a} vs ${b}`)),
    ...diff.container.filter((c) => c.member !== undefined).map(containerLine),
  ];
  const limit = Math.max(0, options.limit ?? 20);
  if (lines.length <= limit) return lines;
  return [...lines.slice(0, limit), `and ${lines.length - limit} more`];
}

function contentText(a: Content, b: Content): string {
  if (a.linkTarget !== b.linkTarget)
    return `link target ${JSON.stringify(a.linkTarget ?? "")} vs ${JSON.stringify(b.linkTarget ?? "")}`;
  const sizes = a.size === b.size ? "" : `, ${a.size} vs ${b.size} bytes`;
  return `content differs (sha256 ${short(a.sha256)} vs ${short(b.sha256)}${sizes})`;
}

/**
 * Seconds since the epoch as an ISO 8601 UTC time ("2023-11-14T22:13:20Z", milliseconds only
 * when the value has a fraction); "none" when absent, the number itself when out of range.
 */
export function isoTime(seconds: number | undefined): string {
  if (seconds === undefined) return "none";
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(seconds);
  const iso = new Date(ms).toISOString();
  return Number.isInteger(seconds) ? iso.replace(".000Z", "Z") : iso;
}

const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, "0")}`;
/** Extra-field data in full up to 24 bytes: the differing byte must show. */
const shortData = (h: string): string => (h.length > 48 ? `${h.slice(0, 48)}…` : h);
const short = (h: string): string => (h.length > 12 ? `${h.slice(0, 12)}…` : h);
const modeText = (mode: number | undefined): string =>
  mode === undefined ? "none" : mode.toString(8).padStart(4, "0");
const ownerText = (o: MemberOwner | undefined): string =>
  o === undefined ? "none" : `${o.uname}:${o.gname} (${o.uid}:${o.gid})`;
const zipMethod = (method: number): string =>
  method === 0 ? "stored" : method === 8 ? "deflate" : methodName(method);
const xflText = (xfl: number): string =>
  `${xfl}${xfl === 2 ? " (maximum compression)" : xfl === 4 ? " (fastest)" : ""}`;
/** A member name on one line: control characters escaped. */
const shown = (name: string): string =>
  name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
