/** Shared fixture of the pyproject check tests: a passing project and a runner. */

import { checkProject } from "../../src/core/checks/pyproject.ts";
import type { Finding } from "../../src/core/findings.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";

/** A project every pyproject check passes; tests change one thing at a time. */
export const BASE = `[build-system]
requires = ["hatchling>=1.27"]
build-backend = "hatchling.build"

[project]
name = "demo-pkg"
version = "1.0.0"
description = "A demo package"
readme = "README.md"
requires-python = ">=3.9"
license = "MIT"
license-files = ["LICENSE"]
authors = [{ name = "Jane Doe", email = "jane@example.org" }]
keywords = ["demo", "packaging"]
classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]
dependencies = ["requests>=2.31", "tomli; python_version < '3.11'"]

[project.optional-dependencies]
dev = ["pytest>=8"]

[project.urls]
Homepage = "https://example.org"

[project.scripts]
demo = "demo_pkg.cli:main"

[dependency-groups]
test = ["pytest"]
`;

const encode = (v: string | Uint8Array): Uint8Array =>
  typeof v === "string" ? new TextEncoder().encode(v) : v;

export function runChecks(
  toml: string,
  options: { contents?: Record<string, string | Uint8Array>; files?: string[] } = {},
): Finding[] {
  const parsed = parsePyproject(toml);
  const contents = new Map(
    Object.entries(options.contents ?? { "README.md": "# Demo\n", LICENSE: "MIT License\n" }).map(
      ([k, v]): [string, Uint8Array] => [k, encode(v)],
    ),
  );
  return checkProject({
    display: "pyproject.toml",
    pyprojectText: toml,
    pyproject: parsed.ok ? parsed.value : undefined,
    files: options.files ?? [...contents.keys(), "demo_pkg/__init__.py", "demo_pkg/cli.py"],
    contents,
  });
}

export const withId = (findings: readonly Finding[], id: string): Finding[] =>
  findings.filter((f) => f.id === id);
