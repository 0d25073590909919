/**
 * A password or token that cannot print by accident: string conversion, JSON, template
 * literals and `util.inspect` (console.log, assertion messages, error causes) all give `***`.
 * Only the HTTP layer calls `reveal()`, at the moment it builds a header.
 */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");
const MASK = "***";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
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
