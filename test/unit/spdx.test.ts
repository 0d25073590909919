import assert from "node:assert/strict";
import { test } from "node:test";
import {
  parseLicenseExpression,
  SPDX_LICENSE_LIST_VERSION,
  spdxException,
  spdxLicense,
} from "../../src/core/license/spdx.ts";
import spdx from "../../src/data/spdx.json" with { type: "json" };

const canonical = (text: string): string | undefined => {
  const parsed = parseLicenseExpression(text);
  return parsed.ok ? parsed.value.canonical : undefined;
};

test("the shipped SPDX data names its source and has unique ids", () => {
  assert.match(spdx.source, /^packaging \d+\.\d+(\.\d+)? \(SPDX license list \d+\.\d+(\.\d+)?\)$/);
  assert.equal(SPDX_LICENSE_LIST_VERSION, spdx.licenseListVersion);
  const all = [...spdx.licenses, ...spdx.deprecatedLicenses].map((id) => id.toLowerCase());
  assert.equal(new Set(all).size, all.length);
  assert.ok(spdx.licenses.length > 500);
  assert.ok(spdx.deprecatedLicenses.includes("GPL-3.0"));
});

test("spdxLicense and spdxException look ids up case-insensitively", () => {
  assert.deepEqual(spdxLicense("apache-2.0"), { id: "Apache-2.0", deprecated: false });
  // SPDX still lists the old `GPL-2.0+` spelling as a (deprecated) id of its own.
  assert.deepEqual(spdxLicense("gpl-2.0+"), { id: "GPL-2.0+", deprecated: true });
  assert.equal(spdxLicense("MIT+"), undefined);
  assert.deepEqual(spdxLicense("GPL-2.0"), { id: "GPL-2.0", deprecated: true });
  assert.deepEqual(spdxException("classpath-exception-2.0"), {
    id: "Classpath-exception-2.0",
    deprecated: false,
  });
  assert.equal(spdxException("MIT"), undefined);
});

test("canonical form: reference case ids, upper-case operators, tight parentheses ([LE] example)", () => {
  assert.equal(canonical("mit and (apache-2.0 or bsd-2-clause)"), "MIT AND (Apache-2.0 OR BSD-2-Clause)");
  assert.equal(canonical("  MIT  "), "MIT");
  assert.equal(canonical("((mit))"), "((MIT))");
  assert.equal(canonical("( MIT OR Apache-2.0 )AND(0bsd)"), "(MIT OR Apache-2.0) AND (0BSD)");
  assert.equal(
    canonical("gpl-2.0-or-later with classpath-exception-2.0"),
    "GPL-2.0-or-later WITH Classpath-exception-2.0",
  );
  assert.equal(canonical("mit\tOR\nisc"), "MIT OR ISC");
});

test("parts: licences, exceptions and deprecated ids", () => {
  const parsed = parseLicenseExpression(
    "GPL-2.0+ WITH Classpath-exception-2.0 OR licenseref-My-Thing AND mit",
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, {
    canonical: "GPL-2.0+ WITH Classpath-exception-2.0 OR LicenseRef-My-Thing AND MIT",
    licenses: ["GPL-2.0", "LicenseRef-My-Thing", "MIT"],
    exceptions: ["Classpath-exception-2.0"],
    deprecated: ["GPL-2.0"],
  });
});

test("LicenseRef keeps its spelling after the prefix; the last case variant wins, as in packaging", () => {
  assert.equal(canonical("LICENSEREF-Proprietary"), "LicenseRef-Proprietary");
  assert.equal(canonical("LicenseRef-Foo OR licenseref-FOO"), "LicenseRef-FOO OR LicenseRef-FOO");
});

test("invalid expressions are refused with a reason", () => {
  const cases: Record<string, RegExp> = {
    "": /invalid license expression/,
    "   ": /invalid license expression/,
    "(mit": /invalid license expression/,
    "mit)": /invalid license expression/,
    "()": /invalid license expression/,
    "MIT Apache-2.0": /invalid license expression/,
    "MIT AND": /invalid license expression/,
    "AND MIT": /invalid license expression/,
    "MIT (Apache-2.0)": /invalid license expression/,
    "(MIT) (Apache-2.0)": /invalid license expression/,
    "MIT WITH": /invalid license expression/,
    "(MIT) WITH Classpath-exception-2.0": /invalid license expression/,
    "MIT WITH (Classpath-exception-2.0)": /invalid license expression/,
    "GPL-2.0 WITH Classpath-exception-2.0 WITH Autoconf-exception-2.0": /invalid license expression/,
    "Use-it-after-midnight": /unknown license "Use-it-after-midnight"/,
    "MIT WITH MIT": /unknown license exception "MIT"/,
    "LicenseRef-": /invalid LicenseRef/,
    "LicenseRef-a_b": /invalid LicenseRef/,
    "LicenseRef-a+": /invalid LicenseRef/,
    "MIT++": /unknown license "MIT\+"/,
    "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2": /unknown license/,
    "MIT WITH AdditionRef-Foo": /unknown license exception/,
    "MIT/Apache-2.0": /unknown license/,
    "MIT,Apache-2.0": /unknown license/,
    // U+FEFF is not whitespace for Python's str.split(); U+0085 is.
    "MIT\ufeffOR ISC": /invalid license expression/,
    "MIT\ufeff": /unknown license/,
  };
  for (const [text, reason] of Object.entries(cases)) {
    const parsed = parseLicenseExpression(text);
    assert.ok(!parsed.ok, JSON.stringify(text));
    assert.match(parsed.error, reason, JSON.stringify(text));
  }
  assert.equal(canonical("MIT\x85OR\x1cISC"), "MIT OR ISC");
});

test("operators are matched by lower-casing, so a dotless ı does not make WITH", () => {
  assert.equal(canonical("MIT wıth ISC"), undefined);
  assert.equal(canonical("MIT wItH Classpath-exception-2.0"), "MIT WITH Classpath-exception-2.0");
});

test("nesting deeper than CPython's 200 parentheses is invalid, as in packaging", () => {
  const nested = (depth: number) => `${"(".repeat(depth)}MIT${")".repeat(depth)}`;
  assert.equal(canonical(nested(200)), nested(200));
  assert.equal(canonical(nested(201)), undefined);
});
