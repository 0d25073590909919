#!/usr/bin/env node
// Regenerates the data slipway ships in src/data from the pinned Python peers: the trove
// classifiers PyPI accepts (package `trove-classifiers`) and the SPDX licence and exception ids
// packaging's canonicalize_license_expression accepts (`packaging.licenses._spdx`). Run it after
// bumping those pins in test/peers/requirements.txt; the JSON is committed, never read at run time
// from anywhere else.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const python = execFileSync(process.execPath, [join(root, "scripts", "peers.mjs")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
}).trim();

// The dump is plain data; ordering and shape are fixed here so regenerating is diff-stable.
const DUMP = `
import json
from importlib.metadata import version
import trove_classifiers as trove
from packaging.licenses import _spdx

def ids(table):
    for key, entry in table.items():
        # The lookup key must be the lower-cased id: slipway rebuilds the map that way.
        assert key == entry["id"].lower(), (key, entry)
    return sorted(table.values(), key=lambda e: e["id"].lower())

licenses = ids(_spdx.LICENSES)
exceptions = ids(_spdx.EXCEPTIONS)
print(json.dumps({
    "classifiers": {
        "source": "trove-classifiers " + version("trove-classifiers"),
        "classifiers": list(trove.sorted_classifiers),
        "deprecated": {k: list(v) for k, v in sorted(trove.deprecated_classifiers.items())},
    },
    "spdx": {
        "source": "packaging " + version("packaging") + " (SPDX license list " + _spdx.VERSION + ")",
        "licenseListVersion": _spdx.VERSION,
        "licenses": [e["id"] for e in licenses if not e["deprecated"]],
        "deprecatedLicenses": [e["id"] for e in licenses if e["deprecated"]],
        "exceptions": [e["id"] for e in exceptions if not e["deprecated"]],
        "deprecatedExceptions": [e["id"] for e in exceptions if e["deprecated"]],
    },
}))
`;

const dump = JSON.parse(
  execFileSync(python, ["-c", DUMP], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }),
);

// One array item or object entry per line: small diffs when the lists change.
const write = (name, data) => {
  const file = join(root, "src", "data", name);
  writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
  process.stdout.write(`wrote ${file} (${data.source})\n`);
};

write("classifiers.json", dump.classifiers);
write("spdx.json", dump.spdx);
