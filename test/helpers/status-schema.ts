/**
 * The oracle of every SecurityStatus the tests produce: docs/schemas/security-status-1.schema.json
 * (draft 2020-12, itself checked against the metaschema) under Python's jsonschema from the peers venv.
 */
import { fileURLToPath } from "node:url";
import { pythonJson } from "./peers.ts";

const schema = fileURLToPath(new URL("../../docs/schemas/security-status-1.schema.json", import.meta.url));

/** Per document, the schema's complaints (`path: message`, at most 20); an empty list when valid. */
export function statusSchemaErrors(docs: readonly unknown[]): string[][] {
  return pythonJson<string[][]>(
    `import json, sys, jsonschema
p = json.load(sys.stdin)
schema = json.load(open(p["schema"]))
cls = jsonschema.validators.validator_for(schema)
assert cls is jsonschema.Draft202012Validator, cls
cls.check_schema(schema)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
print(json.dumps([sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(d))[:20] for d in p["docs"]]))`,
    { schema, docs },
  );
}
