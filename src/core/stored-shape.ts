/**
 * Strict shapes for the JSON slipway reads back from its own state files (journals, the lock,
 * a stored release plan). Those files are hostile input — a repository can commit them, a remote
 * ref can carry them — so every field is checked for its type and range before anything acts on
 * it, an unknown field is an error (never ignored), and a path must stay inside the project.
 */
import { SlipwayError } from "../errors.ts";
import { isAbsolute, resolvePath } from "./archive/member-paths.ts";

/** A field that does not fit: where (`files[2].target`), what was expected, and what was found. */
export class ShapeError extends Error {
  readonly at: string;
  readonly expected: string | undefined;

  /** `expected` undefined: the field should not be there at all. */
  constructor(at: string, expected: string | undefined, found: unknown) {
    super(
      expected === undefined
        ? `${at}: unknown field`
        : `${at === "" ? "the file" : at}: expected ${expected}, found ${describeValue(found)}`,
    );
    this.at = at;
    this.expected = expected;
  }
}

/** Checks `value` (found at `at`) and returns it typed; throws a ShapeError otherwise. */
export type Shape<T> = (value: unknown, at: string) => T;

/** An optional field of a `record`: absent is fine, present must fit `shape`. */
export interface Optional<T> {
  optional: Shape<T>;
}

type Fields = Record<string, Shape<unknown> | Optional<unknown>>;
type Required<F extends Fields> = {
  [K in keyof F as F[K] extends Optional<unknown> ? never : K]: F[K] extends Shape<infer T> ? T : never;
};
type Optionals<F extends Fields> = {
  [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: F[K] extends Optional<infer T> ? T : never;
};
export type RecordOf<F extends Fields> = Required<F> & Optionals<F>;

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const child = (at: string, key: string | number) =>
  typeof key === "number" ? `${at}[${key}]` : at === "" ? key : `${at}.${key}`;

export const string: Shape<string> = (value, at) => {
  if (typeof value !== "string") throw new ShapeError(at, "a string", value);
  return value;
};

export const boolean: Shape<boolean> = (value, at) => {
  if (typeof value !== "boolean") throw new ShapeError(at, "true or false", value);
  return value;
};

export function integer(min: number, max: number): Shape<number> {
  return (value, at) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ShapeError(at, `an integer from ${min} to ${max}`, value);
    }
    return value;
  };
}

export function literal<T extends string | number | boolean>(...values: T[]): Shape<T> {
  return (value, at) => {
    if (!values.includes(value as T)) {
      throw new ShapeError(at, values.map((v) => JSON.stringify(v)).join(" or "), value);
    }
    return value as T;
  };
}

/** A string matching `pattern`; `what` says in words what that is. */
export function matching(pattern: RegExp, what: string): Shape<string> {
  return (value, at) => {
    if (typeof value !== "string" || !pattern.test(value)) throw new ShapeError(at, what, value);
    return value;
  };
}

/** A string `test` accepts (returns true); `what` says in words what that is. */
export function checked(test: (text: string) => boolean, what: string): Shape<string> {
  return (value, at) => {
    if (typeof value !== "string" || !test(value)) throw new ShapeError(at, what, value);
    return value;
  };
}

export function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return (value, at) => (value === null ? null : shape(value, at));
}

export function optional<T>(shape: Shape<T>): Optional<T> {
  return { optional: shape };
}

export function list<T>(shape: Shape<T>): Shape<T[]> {
  return (value, at) => {
    if (!Array.isArray(value)) throw new ShapeError(at, "an array", value);
    return value.map((item, i) => shape(item, child(at, i)));
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An object with exactly these fields: a missing required one or any other one is an error. */
export function record<F extends Fields>(fields: F): Shape<RecordOf<F>> {
  return (value, at) => {
    if (!isObject(value)) throw new ShapeError(at, "an object", value);
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) throw new ShapeError(child(at, key), undefined, value[key]);
    }
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(fields)) {
      const present = Object.hasOwn(value, key);
      if ("optional" in field) {
        if (present) out[key] = field.optional(value[key], child(at, key));
      } else {
        out[key] = field(present ? value[key] : undefined, child(at, key));
      }
    }
    return out as RecordOf<F>;
  };
}

/** Any JSON object (its values unchecked): for data the caller checks with its own shape. */
export const object: Shape<Record<string, unknown>> = (value, at) => {
  if (!isObject(value)) throw new ShapeError(at, "an object", value);
  return value;
};

/** Any JSON value. */
export const anything: Shape<unknown> = (value) => value;

/**
 * Why `path` is not a plain relative path inside the project (absolute, a drive or UNC path, a
 * `..` segment, empty, a NUL), or undefined when it is one. Symlinks are the caller's to check.
 */
export function relativePathProblem(path: string): string | undefined {
  if (path === "" || path.includes("\0")) return "is empty or holds a NUL";
  if (isAbsolute(path)) return "is absolute";
  if (path.split(/[/\\]/).includes("..") || resolvePath(path).escapes) return "climbs out with ..";
  if (resolvePath(path).parts.length === 0) return "names the project itself";
  return undefined;
}

/** A relative path that stays inside the project (lexically; see `relativePathProblem`). */
export const relativePath: Shape<string> = checked(
  (path) => relativePathProblem(path) === undefined,
  "a relative path inside the project",
);

/** A full git object id (SHA-1 or SHA-256). */
export const objectId: Shape<string> = matching(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "a full git object id");

/** A lowercase hex sha256 digest. */
export const sha256: Shape<string> = matching(/^[0-9a-f]{64}$/, "a sha256 (64 hex digits)");

/**
 * A branch or tag name git accepts (`git check-ref-format` rules) that cannot be read as an
 * option: no leading `-`, no `..`, no control characters or `~^:?*[\` or space, no `@{`, no
 * component starting with `.` or ending with `.lock`, no trailing `/` or `.`.
 */
export function isRefName(name: string): boolean {
  if (name === "" || name === "@" || name.startsWith("-") || name.endsWith("/") || name.endsWith(".")) {
    return false;
  }
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(name)) return false;
  return name.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}

export const refName: Shape<string> = checked(isRefName, "a git branch or tag name");

/** An http(s) URL. */
export const httpUrl: Shape<string> = checked((text) => {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}, "an http(s) URL");

/**
 * `value` checked against `shape`; a SlipwayError ("io") naming `file` and the field that does
 * not fit otherwise (`.slipway/version-edit.json is not a file slipway wrote: files[0].target: …`).
 */
export function checkStored<T>(value: unknown, shape: Shape<T>, file: string, hint: string): T {
  try {
    return shape(value, "");
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new SlipwayError("io", `${file} is not a file slipway wrote: ${error.message}`, {
      hint,
      cause: error,
    });
  }
}

/** `text` parsed as JSON, then `checkStored`. */
export function parseStored<T>(text: string, shape: Shape<T>, file: string, hint: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SlipwayError("io", `${file} is not a file slipway wrote: not JSON`, { hint, cause });
  }
  return checkStored(value, shape, file, hint);
}
