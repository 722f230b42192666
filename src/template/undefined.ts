// Jinja2's StrictUndefined, as Ansible uses it: a missing variable or attribute is
// a value that may be passed around, tested (`is defined`) or defaulted
// (`| default`), but any real use of it (printing, arithmetic, iteration,
// comparison) raises an error naming what was missing.
import { UndefinedVariableError } from './errors.js';

/** What AnsibleUndefined's repr shows: the object looked into and the name looked up, or a hint. */
export interface UndefinedOrigin {
  /** The container looked into; absent for a variable that does not exist (Jinja2's `missing`). */
  obj?: unknown;
  name: unknown;
}

export class Undefined {
  constructor(
    /** The root variable the expression started from, for `.variable` on the error. */
    readonly variable: string,
    /** Jinja2's hint: "'x' is undefined" or "'dict object' has no attribute 'y'". */
    readonly hint: string,
    /** Set for a failed lookup; without it the hint was given explicitly (`first` of an empty list). */
    readonly origin?: UndefinedOrigin,
  ) {}

  error(): UndefinedVariableError {
    return new UndefinedVariableError(this.variable, this.hint);
  }

  // Coercion to a primitive happens on `+`, `==`, `<`, string interpolation... all of
  // which StrictUndefined refuses.
  [Symbol.toPrimitive](): never {
    throw this.error();
  }

  toString(): never {
    throw this.error();
  }

  toJSON(): never {
    throw this.error();
  }

  *[Symbol.iterator](): Iterator<never> {
    throw this.error();
  }
}

export function isUndefined(v: unknown): v is Undefined {
  return v instanceof Undefined || v === undefined;
}

export function missingVariable(name: string): Undefined {
  return new Undefined(name, `'${name}' is undefined`, { name });
}

/** Throws if v is undefined; used by everything that consumes a value. */
export function need<T>(v: T): Exclude<T, Undefined | undefined> {
  if (v instanceof Undefined) throw v.error();
  if (v === undefined) throw new UndefinedVariableError('value', "'value' is undefined");
  return v as Exclude<T, Undefined | undefined>;
}

/**
 * Values whose members render on access (a lazy variable view, hostvars): nothing in them
 * was built by the template, and walking them would render every variable.
 */
const lazyViews = new WeakSet<object>();

export function markLazyView(v: object): void {
  lazyViews.add(v);
}

/** Finds an Undefined nested in a value built by a template (e.g. `[x, 1]`). */
export function assertFullyDefined(v: unknown, seen = new Set<unknown>()): void {
  if (v instanceof Undefined) throw v.error();
  if (v === null || typeof v !== 'object' || seen.has(v) || lazyViews.has(v)) return;
  seen.add(v);
  if (Array.isArray(v)) for (const item of v) assertFullyDefined(item, seen);
  else if (isPlainObject(v)) for (const item of Object.values(v)) assertFullyDefined(item, seen);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
