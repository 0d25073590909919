/**
 * Oracle tests: names, dist filenames, licence expressions and classifiers compared with Python's
 * packaging 26.3 and trove-classifiers (the peers venv) on broad generated sets, one Python call each.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifierStatus } from "../../src/core/classifiers.ts";
import { parseLicenseExpression } from "../../src/core/license/spdx.ts";
import { parseSdistFilename, parseWheelFilename } from "../../src/core/names/filename.ts";
import { filenameName, isNormalizedName, isValidName, normalizeName } from "../../src/core/names/name.ts";
import { normalizeVersion } from "../../src/core/pep440/version.ts";
import trove from "../../src/data/classifiers.json" with { type: "json" };
import spdx from "../../src/data/spdx.json" with { type: "json" };
import { pythonJson } from "../helpers/peers.ts";
import { seededRandom } from "../helpers/random.ts";

const seeded = seededRandom;

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;
const randomString = (rng: Rng, alphabet: readonly string[], max: number): string =>
  Array.from({ length: Math.floor(rng() * (max + 1)) }, () => pick(rng, alphabet)).join("");

// Code point order on both sides, so sorted lists compare equal however each language sorts.
const sortCodePoints = (items: string[]): string[] =>
  items.sort((a, b) => {
    const x = [...a].map((c) => c.codePointAt(0) ?? 0);
    const y = [...b].map((c) => c.codePointAt(0) ?? 0);
    for (let i = 0; i < Math.min(x.length, y.length); i++)
      if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
    return x.length - y.length;
  });

/** Lists every case where ours differs from the oracle (empty when they agree). */
function differences<T>(inputs: readonly string[], ours: readonly T[], theirs: readonly T[]): string[] {
  assert.equal(ours.length, theirs.length);
  const out: string[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const a = JSON.stringify(ours[i]);
    const b = JSON.stringify(theirs[i]);
    if (a !== b) out.push(`${JSON.stringify(inputs[i])}: slipway ${a}, packaging ${b}`);
  }
  return out;
}

// Characters outside ASCII that exist in every Unicode version both runtimes know.
const ODD = ["é", "e\u0301", " ", "\n", "\u212a", "\u0130", "+", "/", "ü", "\u0663", "ß"];

test("names: validity, normalization and is_normalized_name agree with packaging", () => {
  const rng = seeded(440);
  const alphabet = ["a", "b", "Z", "0", "9", "x", "Q", ".", "_", "-"];
  const names = [
    "",
    "Friendly-Bard",
    "FrIeNdLy-._.-bArD",
    "_not_legal",
    "a",
    "a\n",
    "zope.interface",
    "\u212aelvin",
    "\u0130stanbul",
  ];
  for (let i = 0; i < 4000; i++) {
    let name = randomString(rng, alphabet, 10);
    if (chance(rng, 0.15)) name = name.slice(0, 3) + pick(rng, ODD) + name.slice(3);
    names.push(name);
  }
  const theirs = pythonJson<[boolean, string, boolean, string][]>(
    `
import json, sys
from packaging.utils import InvalidName, canonicalize_name, is_normalized_name
out = []
for name in json.load(sys.stdin):
    try:
        canonicalize_name(name, validate=True)
        valid = True
    except InvalidName:
        valid = False
    out.append([valid, canonicalize_name(name), is_normalized_name(name), canonicalize_name(name).replace("-", "_")])
print(json.dumps(out))
`,
    names,
  );
  const ours = names.map((n) => [isValidName(n), normalizeName(n), isNormalizedName(n), filenameName(n)]);
  assert.deepEqual(differences(names, ours, theirs), []);
  assert.ok(theirs.filter((t) => t[0]).length > 1000, "the generated set has many valid names");
});

const WHEEL_NAMES = [
  "demo",
  "Demo",
  "friendly_bard",
  "Friendly.Bard",
  "a",
  "de__mo",
  "",
  "é",
  "e\u0301",
  "1x",
  "a+b",
  "_a",
  "\u0663",
];
const VERSIONS = [
  "1.0",
  "1.0.0",
  "2025.09.4",
  "1.0RC1",
  "1.0+local.7",
  "v1.0",
  "1!2.0",
  "1.0.post1",
  "1.0.dev0",
  "one",
  "",
  "1.0a",
  "1.0.*",
  "01",
  " 1.0",
  "1.0_1",
];
const BUILDS = ["1", "12abc", "007x", "b1", "", "\u0661", "99999999999999999999z"];
const PYTHONS = [
  "py3",
  "py2.py3",
  "py3.py2",
  "cp312",
  "",
  "py3.",
  "3py",
  "_x",
  "pé",
  "PY3",
  "py3.cp312.pp310",
];
const ABIS = ["none", "abi3", "cp312", "", "cp312.abi3", "none.", "CP312"];
const PLATFORMS = [
  "any",
  "linux_x86_64",
  "manylinux_2_17_x86_64.manylinux2014_x86_64",
  "",
  "win_amd64",
  "ANY",
  "a.b.",
];

test("wheel filenames: validity and parts agree with packaging.utils.parse_wheel_filename", () => {
  const rng = seeded(427);
  const filenames = ["demo-1.0-py3-none-any.whl", "demo-1.0-py3-none-any", "-1.0-py3-none-any.whl", ".whl"];
  for (let i = 0; i < 4000; i++) {
    if (chance(rng, 0.15)) {
      filenames.push(`${randomString(rng, ["a", "1", ".", "-", "-", "_", "p", "y", "3"], 24)}.whl`);
      continue;
    }
    const build = chance(rng, 0.3) ? `-${pick(rng, BUILDS)}` : "";
    const ext = chance(rng, 0.95) ? ".whl" : pick(rng, [".WHL", ".zip", ""]);
    filenames.push(
      `${pick(rng, WHEEL_NAMES)}-${pick(rng, VERSIONS)}${build}-${pick(rng, PYTHONS)}-${pick(rng, ABIS)}-${pick(rng, PLATFORMS)}${ext}`,
    );
  }
  const theirs = pythonJson<(null | [string, string, string[], string[]])[]>(
    `
import json, sys
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
out = []
for filename in json.load(sys.stdin):
    try:
        name, version, build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        out.append(None)
        continue
    out.append([name, str(version), [str(build[0]), build[1]] if build else [], [str(t) for t in tags]])
print(json.dumps(out))
`,
    filenames,
  ).map((r) => (r === null ? null : [r[0], r[1], r[2], sortCodePoints(r[3])]));
  const ours = filenames.map((filename) => {
    const parsed = parseWheelFilename(filename);
    if (!parsed.ok) return null;
    const { name, version, build, tags } = parsed.value;
    const digits = build?.match(/^[0-9]+/)?.[0] ?? "";
    return [
      normalizeName(name),
      normalizeVersion(version),
      build === undefined ? [] : [BigInt(digits).toString(), build.slice(digits.length)],
      sortCodePoints([...new Set(tags.map((t) => t.toLowerCase()))]),
    ];
  });
  assert.deepEqual(differences(filenames, ours, theirs), []);
  assert.ok(theirs.filter((t) => t !== null).length > 500, "the generated set has many valid wheel names");
});

test("sdist filenames: validity and parts agree with packaging.utils.parse_sdist_filename", () => {
  const rng = seeded(625);
  const names = ["demo", "openslide-bin", "Friendly.Bard", "", "a b", "é", "foo-bar-1.0"];
  const filenames = ["demo-1.0.tar.gz", "demo.tar.gz", ".tar.gz", "-1.0.zip", "demo-1.0.tar.gz.zip"];
  for (let i = 0; i < 3000; i++) {
    if (chance(rng, 0.15)) {
      filenames.push(`${randomString(rng, ["a", "1", ".", "-", "-", "_", "r", "c"], 16)}.tar.gz`);
      continue;
    }
    const ext = pick(rng, [".tar.gz", ".tar.gz", ".zip", ".tgz", ".tar.bz2", ""]);
    filenames.push(`${pick(rng, names)}-${pick(rng, VERSIONS)}${ext}`);
  }
  const theirs = pythonJson<(null | [string, string])[]>(
    `
import json, sys
from packaging.utils import InvalidSdistFilename, parse_sdist_filename
out = []
for filename in json.load(sys.stdin):
    try:
        name, version = parse_sdist_filename(filename)
        out.append([name, str(version)])
    except InvalidSdistFilename:
        out.append(None)
print(json.dumps(out))
`,
    filenames,
  );
  const ours = filenames.map((filename) => {
    const parsed = parseSdistFilename(filename);
    return parsed.ok ? [normalizeName(parsed.value.name), normalizeVersion(parsed.value.version)] : null;
  });
  assert.deepEqual(differences(filenames, ours, theirs), []);
  assert.ok(theirs.filter((t) => t !== null).length > 500, "the generated set has many valid sdist names");
});

/** A random well-formed expression (some ids unknown), rendered with random case and spacing. */
function licenseExpression(rng: Rng, depth: number): string {
  const license = () => {
    const id = pick(rng, [
      ...LICENSE_SAMPLE,
      "GPL-2.0+",
      "MIT+",
      "LicenseRef-Foo",
      "licenseref-foo.bar-1",
      "LICENSEREF-X",
      "LicenseRef-",
      "LicenseRef-a_b",
      "LicenseRef-x+",
      "DocumentRef-a:LicenseRef-b",
      "Classpath-exception-2.0",
      "Not-A-License",
    ]);
    const cased = pick(rng, [id, id, id.toLowerCase(), id.toUpperCase()]);
    if (!chance(rng, 0.2)) return cased;
    const exception = pick(rng, [...EXCEPTION_SAMPLE, "MIT", "Not-An-Exception"]);
    return `${cased} ${pick(rng, ["WITH", "with", "With"])} ${pick(rng, [exception, exception.toLowerCase()])}`;
  };
  if (depth <= 0 || chance(rng, 0.35)) return license();
  const left = licenseExpression(rng, depth - 1);
  const right = licenseExpression(rng, depth - 1);
  const op = pick(rng, ["AND", "OR", "and", "or", "Or", "aNd"]);
  const joined = `${left} ${op} ${right}`;
  if (!chance(rng, 0.4)) return joined;
  return pick(rng, [`(${joined})`, `( ${joined} )`, `(${joined} )`]);
}

const LICENSE_SAMPLE = spdx.licenses
  .filter((_, i) => i % 23 === 0)
  .concat(spdx.deprecatedLicenses.slice(0, 6));
const EXCEPTION_SAMPLE = spdx.exceptions.filter((_, i) => i % 7 === 0).concat(spdx.deprecatedExceptions);
const WHITESPACE = [" ", "  ", "\t", "\n", "\x1c", "\x85", "\u00a0", "\u3000", "\u2028"];

test("licence expressions: validity and canonical form agree with canonicalize_license_expression", () => {
  const rng = seeded(639);
  const nested = (n: number) => `${"(".repeat(n)}MIT${")".repeat(n)}`;
  const texts = [
    "",
    " ",
    "()",
    "(",
    ")",
    "MIT WITH",
    "WITH MIT",
    "mit wıth isc",
    "MIT\ufeff",
    nested(199),
    nested(200),
    nested(201),
  ];
  for (let i = 0; i < 2500; i++) {
    let text = licenseExpression(rng, 3);
    if (chance(rng, 0.2)) text = text.replaceAll(" ", () => pick(rng, WHITESPACE));
    if (chance(rng, 0.1)) text = text.replaceAll(/ ?([()]) ?/g, "$1");
    texts.push(text);
  }
  const soup = [
    "MIT",
    "mit",
    "Apache-2.0",
    "AND",
    "or",
    "WITH",
    "with",
    "(",
    ")",
    "Classpath-exception-2.0",
    "GPL-2.0+",
    "LicenseRef-x",
    "+",
    "Foo",
  ];
  for (let i = 0; i < 1500; i++) {
    texts.push(
      Array.from({ length: Math.floor(rng() * 7) }, () => pick(rng, soup)).join(pick(rng, [" ", "", "\t"])),
    );
  }
  const theirs = pythonJson<(string | null)[]>(
    `
import json, sys
from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
out = []
for text in json.load(sys.stdin):
    try:
        out.append(canonicalize_license_expression(text))
    except InvalidLicenseExpression:
        out.append(None)
print(json.dumps(out))
`,
    texts,
  );
  const ours = texts.map((text) => {
    const parsed = parseLicenseExpression(text);
    return parsed.ok ? parsed.value.canonical : null;
  });
  assert.deepEqual(differences(texts, ours, theirs), []);
  const valid = theirs.filter((t) => t !== null).length;
  assert.ok(valid > 800 && valid < texts.length - 800, `both valid and invalid cases are common (${valid})`);
});

test("classifiers: membership and deprecations agree with trove_classifiers", () => {
  const rng = seeded(301);
  const listed = [...trove.classifiers, ...Object.keys(trove.deprecated)];
  const inputs = [...listed, "Private :: Do Not Upload", "", "Typing :: Typed ", "Framework :: Django :: 99"];
  for (let i = 0; i < 500; i++) {
    const c = pick(rng, listed);
    inputs.push(
      pick(rng, [c.toLowerCase(), `${c} `, c.replace(" :: ", "::"), `${c} :: Extra`, c.slice(0, -1)]),
    );
  }
  const theirs = pythonJson<(string | string[])[]>(
    `
import json, sys
from trove_classifiers import classifiers, deprecated_classifiers
out = []
for c in json.load(sys.stdin):
    out.append("valid" if c in classifiers else deprecated_classifiers[c] if c in deprecated_classifiers else "unknown")
print(json.dumps(out))
`,
    inputs,
  );
  const ours = inputs.map((c) => {
    const status = classifierStatus(c);
    return status.kind === "deprecated"
      ? status.replacements
      : status.kind === "private"
        ? "unknown"
        : status.kind;
  });
  assert.deepEqual(differences(inputs, ours, theirs), []);
});
