/**
 * A password or token that cannot print by accident: string conversion, JSON, template
 * literals and `util.inspect` (console.log, assertion messages, error causes) all give `***`.
 * Only the HTTP layer calls `reveal()`, at the moment it builds a header. Every value wrapped
 * is also remembered (for the life of the process), so that the output redaction can mask it
 * — and its encoded forms — in text that came from elsewhere, such as an index's answer.
 */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");
const MASK = "***";

/** Shorter values are not remembered: masking them would mangle ordinary words. */
export const MIN_SECRET_LENGTH = 4;

const known = new Set<string>();
let knownVersion = 0;

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    if (value.length >= MIN_SECRET_LENGTH && !known.has(value)) {
      known.add(value);
      knownVersion++;
    }
  }

  /** The real value. Call it only where the value leaves the process (an Authorization header). */
  reveal(): string {
    return this.#value;
  }

  /** True when the wrapped value is the empty string. */
  get empty(): boolean {
    return this.#value === "";
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }

  [INSPECT](): string {
    return MASK;
  }
}

/** A Secret from an optional string: undefined stays undefined. */
export function secretOf(value: string | undefined): Secret | undefined {
  return value === undefined ? undefined : new Secret(value);
}

/**
 * Every value a Secret has wrapped in this process, and a number that changes whenever the set
 * grows (so a caller can cache what it derives from them). For redaction only.
 */
export function knownSecrets(): { values: readonly string[]; version: number } {
  return { values: [...known], version: knownVersion };
}
