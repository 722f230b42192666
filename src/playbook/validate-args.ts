// Module argument validation against ModuleDef.schema, with Ansible's conversions
// (`yes` → true, `"5"` → 5, `a,b` → [a, b]) and Ansible-style messages. Values that are
// still templates are not type-checked at load time: the engine validates again after
// rendering them for each host.
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { UserError, type SourcePos } from '../errors.js';
import { pyRepr } from '../output/py-format.js';
import { precompiledValidators } from './precompiled-validators.js';
import { suggest } from './suggest.js';
import { ModuleFailure, type AnyModuleDef, type ArgConstraints } from '../modules/types.js';

// No ajv-formats: no module schema uses `format` (a test keeps it so), and loading it cost
// every run start-up time.
/** The options every module argument validator is compiled with, at build and at run time. */
export const VALIDATOR_OPTIONS = { allErrors: true, strict: false, useDefaults: true, verbose: true } as const;

let ajv: Ajv | undefined;

/**
 * Ajv's compiler, loaded only when a schema was not built ahead (running from the sources,
 * or a module changed since the build): the bundled CLI never parses it.
 */
function newAjv(): Ajv {
  const load = createRequire(import.meta.url);
  const { Ajv: AjvClass } = load('ajv') as { Ajv: new (o: typeof VALIDATOR_OPTIONS) => Ajv };
  return new AjvClass(VALIDATOR_OPTIONS);
}
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(def: AnyModuleDef): ValidateFunction {
  let v = compiled.get(def.schema);
  if (!v) {
    // Built ahead by `npm run build` when the schema is the one it was built from.
    const pre = precompiledValidators[def.name];
    v = pre && pre.schema === JSON.stringify(def.schema) ? pre.validate : (ajv ??= newAjv()).compile(def.schema);
    compiled.set(def.schema, v);
  }
  return v;
}

export function isTemplated(v: unknown): boolean {
  return typeof v === 'string' && (v.includes('{{') || v.includes('{%'));
}

const BOOL_TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const BOOL_FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

type Schema = Record<string, unknown>;

function singleType(schema: Schema | undefined): string | undefined {
  if (!schema) return undefined;
  const t = schema.type;
  return typeof t === 'string' ? t : undefined;
}

function pyStr(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

// Ansible's check_type_* conversions, applied when the schema asks for one type only.
function coerce(value: unknown, schema: Schema | undefined): unknown {
  const type = singleType(schema);
  if (value === null || value === undefined || isTemplated(value) || !type) return value;
  switch (type) {
    case 'boolean':
      if (typeof value === 'string' && BOOL_TRUE.has(value.toLowerCase())) return true;
      if (typeof value === 'string' && BOOL_FALSE.has(value.toLowerCase())) return false;
      if (value === 1) return true;
      if (value === 0) return false;
      return value;
    case 'integer':
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return parseInt(value, 10);
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      return value;
    case 'number':
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      return value;
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') return pyStr(value);
      // check_type_str converts anything, a mapping or list to its Python text (ping: {data: {a: 1}})
      if (typeof value === 'object') return pyRepr(value);
      return value;
    case 'array': {
      let list: unknown[];
      if (Array.isArray(value)) list = value;
      else if (typeof value === 'string') list = value.split(',').map((s) => s.trim());
      else if (typeof value === 'number') list = [String(value)];
      else return value;
      const items = schema?.items as Schema | undefined;
      return list.map((x) => coerce(x, items));
    }
    default:
      return value;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

const ANSIBLE_TYPE: Record<string, string> = { string: 'str', integer: 'int', number: 'float', boolean: 'bool', array: 'list', object: 'dict', null: 'null' };

function valueAt(root: unknown, path: string[]): { found: boolean; templatedOnTheWay: boolean; value?: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (isTemplated(cur)) return { found: true, templatedOnTheWay: true };
    if (cur === null || typeof cur !== 'object') return { found: false, templatedOnTheWay: false };
    cur = (cur as Record<string, unknown>)[seg];
  }
  return { found: true, templatedOnTheWay: isTemplated(cur), value: cur };
}

function splitPointer(p: string): string[] {
  if (!p) return [];
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export interface ArgPositions {
  /** Position of the argument's key, or of the module key when unknown. */
  key(name: string | undefined): SourcePos;
  /** Position of the argument's value. */
  value(name: string | undefined): SourcePos;
}

function fixedPositions(pos: SourcePos): ArgPositions {
  return { key: () => pos, value: () => pos };
}

/**
 * Validate (and, once rendered, complete) a module's arguments. Returns the arguments with
 * aliases resolved and Ansible's conversions applied; with `rendered: true` schema defaults
 * are filled in. Throws a UserError in Ansible's words.
 */
export function validateModuleArgs(def: AnyModuleDef, args: Record<string, unknown>, pos: SourcePos, opts: { rendered: boolean }): Record<string, unknown> {
  return validateArgsAt(def, args, fixedPositions(pos), { rendered: opts.rendered, skipRequired: false });
}

const SELINUX_CONTEXT = ['seuser', 'serole', 'setype', 'selevel'];

/**
 * Arguments Ansible accepts that rackplay's modules have no use for, taken and dropped so
 * that playbooks written for Ansible run: the SELinux context of the file-writing modules
 * (a no-op on hosts without SELinux, which is what rackplay manages). Not `file`'s internal
 * `_diff_peek`: with it Ansible's file module only peeks and changes nothing, so dropping
 * it would change what the task does; it stays a warning and fails the task.
 */
export const ACCEPTED_UNUSED: Readonly<Record<string, readonly string[]>> = {
  file: SELINUX_CONTEXT,
  copy: SELINUX_CONTEXT,
  template: SELINUX_CONTEXT,
  lineinfile: SELINUX_CONTEXT,
  blockinfile: SELINUX_CONTEXT,
  replace: SELINUX_CONTEXT,
  get_url: SELINUX_CONTEXT,
  unarchive: SELINUX_CONTEXT,
};

const given = (args: Record<string, unknown>, k: string) => args[k] !== undefined && args[k] !== null;

/**
 * Ansible's action plugins check some arguments themselves before the module's argument
 * spec, in their own words: the task fails with these messages, not the spec's.
 */
const ACTION_CHECKS: Readonly<Record<string, (args: Record<string, unknown>, raw: Record<string, unknown>) => string | undefined>> = {
  copy: (a) =>
    !given(a, 'src') && !given(a, 'content') && a.remote_src !== true ? 'src (or content) is required' : !given(a, 'dest') ? 'dest is required' : undefined,
  template: (a) => (!given(a, 'src') || !given(a, 'dest') ? 'src and dest are required' : undefined),
  // the arguments as written: a list for src is refused, not turned into its text
  fetch: (a, raw) =>
    !given(a, 'src') || !given(a, 'dest')
      ? 'src and dest are required'
      : typeof raw.dest !== 'string'
        ? 'Invalid type supplied for dest option, it must be a string'
        : typeof raw.src !== 'string'
          ? 'Invalid type supplied for source option, it must be a string'
          : undefined,
  debug: (a) => (given(a, 'msg') && given(a, 'var') ? "'msg' and 'var' are incompatible options" : undefined),
};

/** ActionBase.run's _VALID_ARGS check, on the arguments as written (aliases are valid names). */
function invalidActionOptions(def: AnyModuleDef, args: Record<string, unknown>): string | undefined {
  if (!def.traits?.validArgs) return undefined;
  const valid = new Set([...Object.keys((def.schema as Schema).properties ?? {}), ...Object.keys(def.argAliases ?? {})]);
  const bad = Object.keys(args).filter((k) => !valid.has(k));
  return bad.length ? `Invalid options for ${def.name}: ${bad.join(',')}` : undefined;
}

export function validateArgsAt(
  def: AnyModuleDef,
  args: Record<string, unknown>,
  where: ArgPositions,
  opts: { rendered: boolean; skipRequired: boolean },
): Record<string, unknown> {
  const schema = def.schema as Schema;
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const aliases = def.argAliases ?? {};
  const written = new Map<string, string>();
  const out: Record<string, unknown> = {};
  const unused = ACCEPTED_UNUSED[def.name];
  for (const [k, v] of Object.entries(args)) {
    if (unused?.includes(k)) continue;
    const canonical = aliases[k] ?? k;
    // Ansible keeps the option itself when both it and an alias are given.
    if (canonical !== k && Object.prototype.hasOwnProperty.call(args, canonical)) continue;
    written.set(canonical, k);
    out[canonical] = coerce(v, props[canonical]);
  }
  const nameOf = (canonical: string) => written.get(canonical) ?? canonical;
  // when the task runs (the load-time warning keeps the spec's words and its did-you-mean)
  const actionCheck = opts.rendered ? (invalidActionOptions(def, args) ?? ACTION_CHECKS[def.name]?.(out, args)) : undefined;
  if (actionCheck) throw new UserError(actionCheck, { pos: where.key(undefined), hint: `see the ${def.name} module's documentation for its arguments` });

  // Only error messages need it; this runs for every task on every host.
  const supported = (): string[] => [...new Set([...Object.keys(props), ...Object.keys(aliases)])].sort();
  const additionalAllowed = schema.additionalProperties !== false;
  if (!additionalAllowed) {
    const unknown = Object.keys(out).filter((k) => !(k in props));
    if (unknown.length) {
      const names = unknown.map(nameOf);
      const guess = suggest(names[0], supported());
      throw new UserError(
        `Unsupported parameters for (${def.name}) module: ${names.join(', ')}. Supported parameters include: ${supported().join(', ')}.`,
        { pos: where.key(names[0]), hint: guess ? `did you mean \`${guess}\`?` : `see the ${def.name} module's documentation for its parameters` },
      );
    }
  }

  // Ansible checks these before defaults and types; like the modules did, only when the
  // task runs (a task that never runs is not checked).
  const constraints = opts.rendered ? def.constraints : undefined;
  if (constraints) checkMutuallyExclusive(constraints, out);

  const data = structuredClone(out);
  // Ansible skips the type check of an option given as None (null): it is as good as not
  // given, and the module's default applies
  // (the constraints below still count it as given, as Ansible's required_if does)
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const givenAsNull: Record<string, null> = {};
  for (const [k, v] of Object.entries(data)) {
    const t = props[k]?.type;
    // (only declared options: set_fact's and include_vars' free keys keep their None)
    if (v === null && k in props && !required.has(k) && t !== 'null' && !(Array.isArray(t) && t.includes('null'))) {
      delete data[k];
      givenAsNull[k] = null;
    }
  }
  const validate = validatorFor(def);
  const errors = validate(data) ? [] : (validate.errors ?? []).filter((e) => relevant(e, out, opts));
  if (errors.length) throw toUserError(def, errors, out, where, nameOf, supported());
  // ...and these once the defaults are in (ajv filled them in `data`)
  if (constraints) checkRequirements(constraints, { ...data, ...givenAsNull });
  return opts.rendered ? data : out;
}

// Ansible's argument_spec constraints, with the messages of its
// module_utils/common/validation.py. A broken one fails the task (ModuleFailure): it is
// found while the task runs, not while the playbook loads. Like Ansible, an argument
// counts as given when it is present at all.
type Constraints = ArgConstraints<string>;

function countTerms(terms: readonly string[], args: Record<string, unknown>): number {
  return terms.filter((t) => Object.prototype.hasOwnProperty.call(args, t)).length;
}

function checkMutuallyExclusive(c: Constraints, args: Record<string, unknown>): void {
  const broken = (c.mutually_exclusive ?? []).filter((terms) => countTerms(terms, args) > 1);
  if (broken.length) throw new ModuleFailure(`parameters are mutually exclusive: ${broken.map((t) => t.join('|')).join(', ')}`);
}

// Each check reports its last broken rule, as Ansible's loops leave it.
function checkRequirements(c: Constraints, args: Record<string, unknown>): void {
  const together = (c.required_together ?? []).filter((terms) => {
    const counts = terms.map((t) => countTerms([t], args));
    return counts.some((n) => n > 0) && counts.includes(0);
  });
  if (together.length) throw new ModuleFailure(`parameters are required together: ${together[together.length - 1].join(', ')}`);
  const oneOf = (c.required_one_of ?? []).filter((terms) => countTerms(terms, args) === 0);
  if (oneOf.length) throw new ModuleFailure(`one of the following is required: ${oneOf[oneOf.length - 1].join(', ')}`);
  let missingIf: string | undefined;
  for (const [key, value, requirements, isOneOf = false] of c.required_if ?? []) {
    if (!Object.prototype.hasOwnProperty.call(args, key) || args[key] !== value) continue;
    const missing = requirements.filter((r) => countTerms([r], args) === 0);
    if (missing.length && missing.length >= (isOneOf ? requirements.length : 0)) {
      missingIf = `${key} is ${pyStr(value)} but ${isOneOf ? 'any' : 'all'} of the following are missing: ${missing.join(', ')}`;
    }
  }
  if (missingIf) throw new ModuleFailure(missingIf);
}

function relevant(e: ErrorObject, args: Record<string, unknown>, opts: { rendered: boolean; skipRequired: boolean }): boolean {
  if (e.keyword === 'required' && opts.skipRequired) return false;
  // combinators repeat what their branches already said
  if (e.keyword === 'if') return false;
  if (opts.rendered) return true;
  const path = splitPointer(e.instancePath);
  const at = valueAt(args, path);
  if (at.templatedOnTheWay) return false;
  // a templated value may turn into what a conditional schema needs; only literal values count
  if ((e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'not' || e.keyword === 'required') && path.length === 0) {
    const anyTemplated = Object.values(args).some(isTemplated);
    if (anyTemplated && e.keyword !== 'required') return false;
  }
  return true;
}

function toUserError(
  def: AnyModuleDef,
  errors: ErrorObject[],
  args: Record<string, unknown>,
  where: ArgPositions,
  nameOf: (c: string) => string,
  supported: string[],
): UserError {
  const missingOf = (list: ErrorObject[]) => [...new Set(list.map((e) => String((e.params as { missingProperty: string }).missingProperty)))];
  const required = errors.filter((e) => e.keyword === 'required');
  // required inside anyOf/oneOf is Ansible's required_one_of
  const inChoice = required.filter((e) => /\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath));
  const plain = required.filter((e) => !inChoice.includes(e));
  if (!plain.length && inChoice.length) {
    const choices = missingOf(inChoice);
    return new UserError(`one of the following is required: ${choices.join(', ')}`, {
      pos: where.key(undefined),
      hint: `add one of ${choices.map((m) => `\`${m}:\``).join(', ')} to the ${def.name} task`,
    });
  }
  if (plain.length) {
    const uniq = missingOf(plain).sort();
    return new UserError(`missing required arguments: ${uniq.join(', ')}`, {
      pos: where.key(undefined),
      hint: `add ${uniq.map((m) => `\`${m}:\``).join(', ')} to the ${def.name} task`,
    });
  }
  const e = errors.find((x) => x.instancePath !== '') ?? errors[0];
  const path = splitPointer(e.instancePath);
  const top = path[0];
  const argName = top !== undefined ? nameOf(top) : undefined;
  const display = top !== undefined ? [argName, ...path.slice(1)].join('.') : undefined;
  const pos = where.value(argName);
  const value = valueAt(args, path).value;
  switch (e.keyword) {
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((x) => String(x));
      const guess = typeof value === 'string' ? suggest(value, allowed) : undefined;
      return new UserError(`value of ${display} must be one of: ${allowed.join(', ')}, got: ${fmt(value)}`, {
        pos,
        hint: guess ? `did you mean \`${guess}\`?` : `use one of: ${allowed.join(', ')}`,
      });
    }
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      return new UserError(`value of ${display} must be ${fmt(allowed)}, got: ${fmt(value)}`, { pos });
    }
    case 'type': {
      const t = (e.params as { type: string | string[] }).type;
      const wanted = (Array.isArray(t) ? t : String(t).split(',')).map((x) => ANSIBLE_TYPE[x] ?? x);
      return new UserError(`argument '${display}' is of type ${typeName(value)} and we were unable to convert to ${wanted.join(' or ')}: ${fmt(value)}`, {
        pos,
        hint: `give ${display} a ${wanted.join(' or ')} value`,
      });
    }
    case 'additionalProperties': {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      const sub = (e.parentSchema as Schema | undefined)?.properties as Record<string, unknown> | undefined;
      const guess = sub ? suggest(extra, Object.keys(sub)) : undefined;
      return new UserError(`Unsupported parameters for (${def.name}) module: ${display ? display + '.' : ''}${extra}. Supported parameters include: ${sub ? Object.keys(sub).sort().join(', ') : supported.join(', ')}.`, {
        pos,
        hint: guess ? `did you mean \`${guess}\`?` : undefined,
      });
    }
    default: {
      const description = (e.parentSchema as Schema | undefined)?.description;
      const msg = typeof description === 'string' && (e.keyword === 'not' || e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'dependencies' || e.keyword === 'dependentRequired')
        ? description
        : `${display ? `argument '${display}' ` : 'arguments '}${e.message ?? 'are invalid'}`;
      return new UserError(`${msg}${display && value !== undefined ? ` (got: ${fmt(value)})` : ''}`, {
        pos,
        hint: `see the ${def.name} module's documentation`,
      });
    }
  }
}

function fmt(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
