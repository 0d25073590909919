/**
 * OSV records from text in either form: the PyPA advisory database's YAML or OSV's JSON. Only
 * the cold load of a database (records parsed from their files) imports this module, and with
 * it the YAML parser; a warm scan reads the cached index and never loads either.
 */
import { parse as parseYaml } from "yaml";
import { fail, type Parsed } from "../result.ts";
import { firstMessageLine, type OsvRecord, osvRecordFrom, parseOsvJson } from "./osv.ts";

/** Parses one record from its text; `format` comes from the file's extension. */
export function parseOsvRecord(text: string, format: "yaml" | "json"): Parsed<OsvRecord> {
  if (format === "json") return parseOsvJson(text);
  let value: unknown;
  try {
    // maxAliasCount bounds "billion laughs" expansion; uniqueKeys rejects duplicated keys.
    value = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    return fail(`not valid YAML: ${firstMessageLine(error)}`);
  }
  return osvRecordFrom(value);
}
