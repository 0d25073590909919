/**
 * The oracle of every SARIF slipway writes: the OASIS SARIF 2.1.0 schema (vendored in
 * test/fixtures/sarif, see its README) under Python's jsonschema from the peers venv.
 */
import { fileURLToPath } from "node:url";
import { pythonJson } from "./peers.ts";

const schema = fileURLToPath(new URL("../fixtures/sarif/sarif-schema-2.1.0.json", import.meta.url));

/** The schema's complaints about `doc` (at most 20, as `path: message`); none when it is valid. */
export function sarifSchemaErrors(doc: unknown): string[] {
  return pythonJson<string[]>(
    `import json, sys, jsonschema
p = json.load(sys.stdin)
schema = json.load(open(p["schema"]))
v = jsonschema.validators.validator_for(schema)(schema)
print(json.dumps(sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(p["doc"]))[:20]))`,
    { schema, doc },
  );
}
