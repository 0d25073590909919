/**
 * Typed reads of `[tool.slipway.*]` settings, shared by every config section: each mistake is
 * thrown through the section's own error factory, so the message names the section and the key.
 */
import { get, type TomlTable, tomlType } from "./access.ts";

/** Makes the section's config error: `key` is the dotted key inside the section. */
export type SettingError = (key: string, message: string, hint: string) => Error;

/** A non-empty string, or undefined when the key is absent. */
export function stringSetting(
  table: TomlTable,
  key: string,
  where: string,
  fail: SettingError,
): string | undefined {
  const value = get(table, key);
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw fail(
      `${where}${key}`,
      `expected a non-empty string, found ${tomlType(value)}`,
      "write it as a quoted string",
    );
  }
  return value;
}

/** true or false, or undefined when the key is absent. */
export function booleanSetting(
  table: TomlTable,
  key: string,
  where: string,
  fail: SettingError,
): boolean | undefined {
  const value = get(table, key);
  if (value === undefined || typeof value === "boolean") return value;
  throw fail(`${where}${key}`, `expected true or false, found ${tomlType(value)}`, "write true or false");
}

/** An array of strings, or undefined when the key is absent. */
export function stringsSetting(
  table: TomlTable,
  key: string,
  where: string,
  fail: SettingError,
): string[] | undefined {
  const value = get(table, key);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw fail(`${where}${key}`, `expected an array of strings, found ${tomlType(value)}`, 'e.g. ["a", "b"]');
  }
  return value as string[];
}
