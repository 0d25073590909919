/**
 * Small, valid distributions for the publishing tests: a wheel and an sdist of one release that
 * pass `slipway check` without errors, with content that varies by `salt` so a "rebuild" gives
 * different bytes under the same filenames.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildTar, gzipTar } from "./tar-writer.ts";
import { buildZip } from "./zip-writer.ts";

export interface DistSpec {
  /** Project name as written (default "slipway-pub-demo"). */
  name?: string;
  version?: string;
  /** Changes the module's content, hence the bytes, not the names. */
  salt?: string;
  /** Extra bytes in the package, to make a file of some size. */
  payload?: Uint8Array;
  /** More python tags, for several wheels per release (default ["py3"]). */
  pythonTags?: string[];
  /** Give the wheels a RECORD whose hash of __init__.py is wrong (a check error). */
  badRecord?: boolean;
}

export interface BuiltDists {
  wheels: string[];
  sdist: string;
  /** Every file, wheels first. */
  all: string[];
  module: string;
}

const recordHash = (data: Uint8Array): string => createHash("sha256").update(data).digest("base64url");
const utf8 = (text: string): Buffer => Buffer.from(text, "utf8");

export function metadataText(name: string, version: string): string {
  return [
    "Metadata-Version: 2.4",
    `Name: ${name}`,
    `Version: ${version}`,
    "Summary: A tiny package for slipway's publishing tests",
    "Author-email: Slipway Tests <tests@slipway.dev>",
    "License-Expression: MIT",
    "License-File: LICENSE",
    "Project-URL: Homepage, https://example.org/slipway-pub-demo",
    "Keywords: demo,publish , tests",
    "Classifier: Programming Language :: Python :: 3",
    "Classifier: Operating System :: OS Independent",
    "Requires-Python: >=3.9",
    "Description-Content-Type: text/markdown",
    "",
    `# ${name}`,
    "",
    "A package made by the tests.",
    "",
  ].join("\n");
}

const LICENSE =
  "MIT License\n\nCopyright (c) 2026 Slipway Tests\n\nPermission is hereby granted, free of charge.\n";

/** Writes the wheel(s) and sdist of one release into `dir`; returns their paths. */
export function writeDists(dir: string, spec: DistSpec = {}): BuiltDists {
  const name = spec.name ?? "slipway-pub-demo";
  const version = spec.version ?? "1.0.0";
  const module = name.toLowerCase().replace(/[-.]+/g, "_");
  const stem = `${module}-${version}`;
  const salt = spec.salt ?? "";
  mkdirSync(dir, { recursive: true });
  const init = utf8(`"""Made by slipway's tests."""\n__version__ = "${version}"\nSALT = "${salt}"\n`);
  const metadata = utf8(metadataText(name, version));
  const wheels: string[] = [];
  for (const py of spec.pythonTags ?? ["py3"]) {
    const di = `${stem}.dist-info`;
    const tags = py
      .split(".")
      .map((t) => `Tag: ${t}-none-any\n`)
      .join("");
    const files: [string, Buffer][] = [
      [`${module}/__init__.py`, init],
      ...(spec.payload === undefined
        ? []
        : ([[`${module}/payload.bin`, Buffer.from(spec.payload)]] as [string, Buffer][])),
      [`${di}/METADATA`, metadata],
      [`${di}/WHEEL`, utf8(`Wheel-Version: 1.0\nGenerator: slipway-tests\nRoot-Is-Purelib: true\n${tags}`)],
      [`${di}/licenses/LICENSE`, utf8(LICENSE)],
    ];
    const rows = files.map(
      ([n, d]) =>
        `${n},sha256=${spec.badRecord && n.endsWith("__init__.py") ? recordHash(utf8("other")) : recordHash(d)},${d.length}`,
    );
    rows.push(`${di}/RECORD,,`);
    files.push([`${di}/RECORD`, utf8(`${rows.join("\n")}\n`)]);
    const zip = buildZip({ entries: files.map(([n, data]) => ({ name: n, data, mode: 0o100644 })) });
    const path = join(dir, `${stem}-${py}-none-any.whl`);
    writeFileSync(path, zip);
    wheels.push(path);
  }
  const pyproject = `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "${name}"\nversion = "${version}"\nrequires-python = ">=3.9"\n`;
  const tar = buildTar({
    entries: [
      { name: `${stem}/`, mode: 0o755 },
      { name: `${stem}/PKG-INFO`, data: metadata, mode: 0o644 },
      { name: `${stem}/pyproject.toml`, data: pyproject, mode: 0o644 },
      { name: `${stem}/LICENSE`, data: LICENSE, mode: 0o644 },
      { name: `${stem}/src/${module}/__init__.py`, data: init, mode: 0o644 },
      ...(spec.payload === undefined
        ? []
        : [{ name: `${stem}/src/${module}/payload.bin`, data: spec.payload, mode: 0o644 }]),
    ],
    record: true,
  });
  const sdist = join(dir, `${stem}.tar.gz`);
  writeFileSync(sdist, gzipTar(tar));
  return { wheels, sdist, all: [...wheels, sdist], module };
}
