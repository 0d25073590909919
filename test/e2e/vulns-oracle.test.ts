/**
 * Vulnerability matching held against an oracle written here with Python's `packaging` (the peers
 * venv) over the same OSV files: the whole PyPA snapshot, and (package, version) pairs generated
 * from every event of the database (each bound itself, just below and just above it, its pre-,
 * dev- and post-releases) and every listed version, so every range form the database holds is crossed
 * from both sides. Both sides must give the same (package, version, vulnerability ids) set.
 * The oracle gets the records as the `yaml` package decodes them, not slipway's checked shape.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse as parseYaml } from "yaml";
import { loadAdvisoryDb } from "../../src/adapters/advisory-db.ts";
import { findVulnerabilities, indexAdvisories } from "../../src/core/vulns/match.ts";
import { advisorySnapshot } from "../helpers/advisory-snapshot.ts";
import { pythonJson } from "../helpers/peers.ts";

const ORACLE = String.raw`
import functools, json, sys
from packaging.utils import canonicalize_name
from packaging.version import Version, InvalidVersion

data = json.load(sys.stdin)

# Each bound is parsed once, not once per pin it is compared with (the same answers, faster).
@functools.lru_cache(maxsize=None)
def version(text):
    try:
        return Version(text)
    except InvalidVersion:
        return None

ZERO = object()

def in_range(events, v):
    placed = []
    for event in events:
        (kind, text), = event.items()
        text = str(text)
        at = ZERO if kind == "introduced" and text == "0" else version(text)
        if at is not None:
            placed.append((kind, at))
    key = lambda e: (0, None) if e[1] is ZERO else (1, e[1])
    limits = [at for kind, at in placed if kind == "limit"]
    if limits and not any(at is not ZERO and v < at for at in limits):
        return False
    placed.sort(key=lambda e: (0,) if e[1] is ZERO else (1, e[1]))
    affected = False
    for kind, at in placed:
        ge = True if at is ZERO else v >= at
        if kind == "introduced" and ge:
            affected = True
        elif kind == "fixed" and ge:
            affected = False
        elif kind == "last_affected" and (at is not ZERO and v > at):
            affected = False
    return affected

by_name = {}
for record in data["records"]:
    if record.get("withdrawn") is not None:
        continue
    for entry in record.get("affected") or []:
        pkg = entry["package"]
        if pkg["ecosystem"] != "PyPI":
            continue
        by_name.setdefault(canonicalize_name(pkg["name"]), []).append((record, entry))

out = []
for name, text in data["pairs"]:
    v = version(text)
    hits = {}
    for record, entry in by_name.get(canonicalize_name(name), []):
        listed = [str(x) for x in entry.get("versions") or []]
        hit = text in listed or (v is not None and any(version(x) == v for x in listed if version(x) is not None))
        if not hit and v is not None:
            hit = any(r["type"] == "ECOSYSTEM" and in_range(r["events"], v) for r in entry.get("ranges") or [])
        if hit:
            hits[record["id"]] = record
    # one finding per vulnerability: records sharing an id or alias, transitively
    groups = []
    for record in hits.values():
        ids = {record["id"], *map(str, record.get("aliases") or [])}
        joined = [g for g in groups if g & ids]
        for g in joined:
            groups.remove(g)
            ids |= g
        groups.append(ids)
    for g in groups:
        out.append("|".join([canonicalize_name(name), text, ",".join(sorted(g))]))
print(json.dumps(sorted(out)))
`;

function recordFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Versions around a bound: itself, its pre/dev/post releases and neighbours, a spelling variant. */
function around(text: string): string[] {
  const out = [text];
  const m = /^(\d+(?:\.\d+)*)/.exec(text);
  if (!m) return out;
  const release = m[1]!;
  const parts = release.split(".").map(Number);
  const next = [...parts.slice(0, -1), parts.at(-1)! + 1].join(".");
  const prev = parts.at(-1)! > 0 ? [...parts.slice(0, -1), parts.at(-1)! - 1].join(".") : undefined;
  out.push(
    `${release}.dev0`,
    `${release}rc1`,
    `${release}.post1`,
    `${release}.0`,
    `${release}+local.1`,
    next,
    `${next}a1`,
  );
  if (prev !== undefined) out.push(prev, `${prev}.99`);
  return out;
}

test("matching agrees with Python's packaging over the whole PyPA snapshot", {
  timeout: 300_000,
}, async (t) => {
  const dir = advisorySnapshot();
  if (dir === undefined) {
    t.skip("the PyPA advisory snapshot (shared/data/pypa-advisory-database) is not on this machine");
    return;
  }
  const db = await loadAdvisoryDb(dir, { SLIPWAY_NO_CACHE: "1" });
  assert.deepEqual(db.errors, [], "every record of the snapshot parses");
  const raw = recordFiles(dir).map(
    (path) => parseYaml(readFileSync(path, "utf8")) as Record<string, unknown>,
  );
  assert.equal(raw.length, db.records.length);

  const forms = new Set<string>();
  const pairs = new Map<string, [string, string]>();
  const add = (name: string, version: string) => pairs.set(`${name}\0${version}`, [name, version]);
  for (const record of db.records) {
    for (const entry of record.affected) {
      if (entry.ecosystem !== "PyPI") continue;
      add(entry.name, "0.0.1");
      add(entry.name, "99999.0");
      for (const listed of entry.versions) add(entry.name, listed);
      for (const range of entry.ranges) {
        forms.add(`${range.type}:${range.events.map((e) => e.kind).join(",")}`);
        if (range.type !== "ECOSYSTEM") continue;
        for (const event of range.events) for (const v of around(event.version)) add(entry.name, v);
      }
    }
  }
  // The generated pins cross every ECOSYSTEM range form of the database.
  assert.ok([...forms].some((f) => f.startsWith("ECOSYSTEM:") && f.includes("last_affected")));
  assert.ok(
    [...forms].some((f) => /^ECOSYSTEM:introduced(,fixed){0}$/.test(f)),
    "an open-ended range",
  );
  assert.ok(
    [...forms].some((f) => /^ECOSYSTEM:.*introduced.*introduced/.test(f)),
    "a range with several windows",
  );

  const list = [...pairs.values()];
  const index = indexAdvisories(db.records);
  const ours = list
    .flatMap(([name, version]) =>
      findVulnerabilities(index, name, version).map((f) => `${name}|${version}|${f.ids.join(",")}`),
    )
    .sort();
  const theirs = pythonJson<string[]>(ORACLE, { records: raw, pairs: list });
  console.log(`${list.length} pins, ${ours.length} findings here, ${theirs.length} in the oracle`);
  const oursSet = new Set(ours);
  const theirsSet = new Set(theirs);
  const missing = theirs.filter((x) => !oursSet.has(x));
  const extra = ours.filter((x) => !theirsSet.has(x));
  assert.deepEqual({ missing: missing.slice(0, 20), extra: extra.slice(0, 20) }, { missing: [], extra: [] });
  assert.equal(ours.length, theirs.length);
  assert.ok(ours.length > 1000, `a broad set of findings (${ours.length} over ${list.length} pins)`);
});
