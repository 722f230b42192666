// Ansible's ArgumentSpecValidator (module_utils/common/arg_spec.py and parameters.py) for
// role argument specs and validate_argument_spec: aliases, unsupported names, required,
// defaults, types and elements, choices, mutually_exclusive / required_* and nested
// options, in Ansible's order and with its messages. Pure: parameters in, errors and the
// validated parameters out.
import { pyEq } from '../template/python.js';
import { copyMarked, isDict, pyClass, pyText, TYPE_CHECKERS, TypeConversionError } from './argument-spec-types.js';

type Dict = Record<string, unknown>;

/** One option of a spec as a role's meta/argument_specs.yml writes it. */
export interface OptionSpec {
  type?: string;
  elements?: string;
  required?: boolean;
  default?: unknown;
  choices?: unknown[];
  aliases?: string[];
  options?: Record<string, OptionSpec>;
  apply_defaults?: boolean;
  mutually_exclusive?: string[][];
  required_together?: string[][];
  required_one_of?: string[][];
  required_if?: unknown[][];
  required_by?: Record<string, string | string[]>;
  [other: string]: unknown;
}

export type ArgumentSpec = Record<string, OptionSpec>;

export interface ValidationOutcome {
  errors: string[];
  parameters: Dict;
}

const inside = (msg: string, ctx: string[]) => (ctx.length ? `${msg} found in ${ctx.join(' -> ')}` : msg);
const has = (d: Dict, k: string) => Object.prototype.hasOwnProperty.call(d, k);
const specOf = (s: unknown): OptionSpec => (isDict(s) ? (s as OptionSpec) : {});

/** alias → option; copies each given alias's value to its option (_handle_aliases). */
function handleAliases(spec: ArgumentSpec, params: Dict): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(spec)) {
    const v = specOf(raw);
    if (v.default !== undefined && v.default !== null && v.required) throw new TypeConversionError(`internal error: required and default are mutually exclusive for ${k}`);
    if (v.aliases === undefined || v.aliases === null) continue;
    if (!Array.isArray(v.aliases)) throw new TypeConversionError('internal error: aliases must be a list or tuple');
    for (const alias of v.aliases) {
      out[alias] = k;
      if (has(params, alias)) params[k] = params[alias];
    }
  }
  return out;
}

interface Unsupported {
  names: Set<string>;
  /** For the message: the supported names and aliases where the last one was found. */
  supported?: [string[], string[]];
}

function collectUnsupported(spec: ArgumentSpec, params: Dict, aliases: Record<string, string>, ctx: string[], into: Unsupported): void {
  const legal = new Set([...Object.keys(aliases), ...Object.keys(spec)]);
  for (const k of Object.keys(params)) {
    if (legal.has(k)) continue;
    into.names.add([...ctx, k].join('.'));
    into.supported = [Object.keys(spec).filter((o) => !(o in aliases)), Object.keys(aliases)];
  }
}

function countTerms(terms: unknown, params: Dict): number {
  const list = Array.isArray(terms) ? terms : [terms];
  return new Set(list.map(String).filter((t) => has(params, t))).size;
}

function checkMutuallyExclusive(terms: unknown, params: Dict, ctx: string[]): string | undefined {
  if (!Array.isArray(terms)) return undefined;
  const hits = terms.filter((check) => countTerms(check, params) > 1);
  if (!hits.length) return undefined;
  return inside(`parameters are mutually exclusive: ${hits.map((c) => (Array.isArray(c) ? c.join('|') : String(c))).join(', ')}`, ctx);
}

function checkRequired(spec: ArgumentSpec, params: Dict, ctx: string[]): string | undefined {
  const missing = Object.entries(spec)
    .filter(([k, v]) => specOf(v).required && !has(params, k))
    .map(([k]) => k)
    .sort();
  return missing.length ? inside(`missing required arguments: ${missing.join(', ')}`, ctx) : undefined;
}

/** required_together, required_one_of, required_if, required_by: the first failure of each. */
function additionalChecks(o: OptionSpec, params: Dict, ctx: string[]): string[] {
  const errors: string[] = [];
  for (const term of (o.required_together ?? []) as unknown[][]) {
    const counts = term.map((f) => countTerms(f, params));
    if (counts.some((c) => c > 0) && counts.includes(0)) {
      errors.push(inside(`parameters are required together: ${term.join(', ')}`, ctx));
      break;
    }
  }
  for (const term of (o.required_one_of ?? []) as unknown[][]) {
    if (countTerms(term, params) === 0) {
      errors.push(inside(`one of the following is required: ${term.join(', ')}`, ctx));
      break;
    }
  }
  for (const req of (o.required_if ?? []) as unknown[][]) {
    const [key, val, reqs, isOneOf] = req as [string, unknown, string[], boolean?];
    if (!has(params, key) || !pyEq(params[key], val)) continue;
    const missing = reqs.filter((r) => countTerms(r, params) === 0);
    if (missing.length && missing.length >= (isOneOf ? reqs.length : 0)) {
      errors.push(inside(`${key} is ${pyText(val)} but ${isOneOf ? 'any' : 'all'} of the following are missing: ${missing.join(', ')}`, ctx));
      break;
    }
  }
  for (const [key, value] of Object.entries(o.required_by ?? {})) {
    if (!has(params, key) || params[key] === null) continue;
    const missing = (typeof value === 'string' ? [value] : value).filter((r) => !has(params, r) || params[r] === null);
    if (missing.length) {
      errors.push(inside(`missing parameter(s) required by '${key}': ${missing.join(', ')}`, ctx));
      break;
    }
  }
  return errors;
}

/** _set_defaults: with `all`, every missing option (None when it has no default). */
function setDefaults(spec: ArgumentSpec, params: Dict, all: boolean): void {
  for (const [k, raw] of Object.entries(spec)) {
    const d = specOf(raw).default;
    if (!has(params, k) && ((d !== undefined && d !== null) || all)) params[k] = d ?? null;
  }
}

function checkerFor(type: unknown): [((v: unknown) => unknown) | undefined, string] {
  const name = type === undefined || type === null ? 'str' : String(type);
  return [TYPE_CHECKERS[name], name];
}

function convert(checker: ((v: unknown) => unknown) | undefined, v: unknown): unknown {
  if (!checker) throw new TypeConversionError("'NoneType' object is not callable");
  return checker(v);
}

function validateTypes(spec: ArgumentSpec, params: Dict, ctx: string[], errors: string[]): void {
  const where = ctx.length ? ` found in '${ctx.join(' -> ')}'` : '';
  for (const [param, raw] of Object.entries(spec)) {
    if (!has(params, param) || params[param] === null || params[param] === undefined) continue;
    const o = specOf(raw);
    const value = params[param];
    const [checker, wanted] = checkerFor(o.type);
    try {
      params[param] = convert(checker, value);
      if (o.elements) {
        const elements = params[param];
        if (o.type !== 'list' || !Array.isArray(elements)) {
          errors.push(`Invalid type ${wanted} for option '${pyText(elements)}'${where ? where + '.' : ''}, elements value check is supported only with 'list' type`);
        }
        const [elChecker, elWanted] = checkerFor(o.elements);
        const out: unknown[] = [];
        for (const el of Array.isArray(elements) ? elements : []) {
          try {
            out.push(convert(elChecker, el));
          } catch (e) {
            if (!(e instanceof TypeConversionError)) throw e;
            errors.push(`Elements value for option '${param}'${where} is of type ${pyClass(el)} and we were unable to convert to ${elWanted}: ${e.message}`);
          }
        }
        params[param] = out;
      }
    } catch (e) {
      if (!(e instanceof TypeConversionError)) throw e;
      errors.push(`argument '${param}' is of type ${pyClass(value)}${where ? where + '.' : ''} and we were unable to convert to ${wanted}: ${e.message}`);
    }
  }
}

const BOOL_FALSE = ['n', 'no', 'off', '0', 'false', 'f'];
const BOOL_TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const inList = (list: unknown[], v: unknown) => list.some((c) => pyEq(c, v));

function validateValues(spec: ArgumentSpec, params: Dict, ctx: string[], errors: string[]): void {
  for (const [param, raw] of Object.entries(spec)) {
    const choices = specOf(raw).choices;
    if (choices === undefined || choices === null) continue;
    if (!Array.isArray(choices)) {
      errors.push(inside(`internal error: choices for argument ${param} are not iterable: ${pyText(choices)}`, ctx));
      continue;
    }
    if (!has(params, param)) continue;
    const shown = choices.map(pyText).join(', ');
    const v = params[param];
    if (Array.isArray(v)) {
      const diff = v.filter((x) => !inList(choices, x));
      if (diff.length) errors.push(inside(`value of ${param} must be one or more of: ${shown}. Got no match for: ${diff.map(pyText).join(', ')}`, ctx));
      continue;
    }
    if (inList(choices, v)) continue;
    // a YAML boolean that became 'True'/'False' text matches the one boolean word among the choices
    for (const [word, set] of [['False', BOOL_FALSE], ['True', BOOL_TRUE]] as const) {
      const overlap = choices.filter((c) => typeof c === 'string' && set.includes(c));
      if ((typeof v === 'string' || v instanceof String) && String(v) === word && overlap.length === 1) params[param] = overlap[0];
    }
    if (!inList(choices, params[param])) errors.push(inside(`value of ${param} must be one of: ${shown}, got: ${pyText(params[param])}`, ctx));
  }
}

/** _list_no_log_values' side effect: a string where suboptions are wanted must parse as a dict. */
function subOptionStrings(spec: ArgumentSpec, params: Dict, errors: string[]): void {
  for (const [name, raw] of Object.entries(spec)) {
    const o = specOf(raw);
    const sub = params[name];
    if (!o.options || sub === undefined || sub === null) continue;
    if (o.type !== 'dict' && !(o.type === 'list' && o.elements === 'dict')) continue;
    for (const item of Array.isArray(sub) ? sub : [sub]) {
      let d = item;
      if (typeof d === 'string' || d instanceof String) {
        try {
          d = TYPE_CHECKERS.dict(d);
        } catch (e) {
          if (!(e instanceof TypeConversionError)) throw e;
          errors.push(e.message);
          return;
        }
      }
      if (!isDict(d)) {
        errors.push(`Value '${pyText(d)}' in the sub parameter field '${name}' must by a ${o.type}, not '${pyClass(d).slice(8, -2)}'`);
        return;
      }
      subOptionStrings(o.options, d, errors);
    }
  }
}

function validateSubSpecs(spec: ArgumentSpec, params: Dict, ctx: string[], errors: string[], unsupported: Unsupported): void {
  for (const [param, raw] of Object.entries(spec)) {
    const o = specOf(raw);
    if (!(o.type === 'dict' || (o.type === 'list' && o.elements === 'dict'))) continue;
    const sub = o.options;
    if (o.apply_defaults) {
      if (!sub) continue;
      if (params[param] === undefined || params[param] === null) params[param] = {};
    } else if (!sub || !has(params, param) || params[param] === null) continue;
    const here = [...ctx, param];
    const value = params[param];
    const elements = Array.isArray(value) ? value : [value];
    for (const item of elements) {
      if (!isDict(item)) {
        errors.push(`value of '${param}' must be of type dict or list of dicts`);
        continue;
      }
      validateLevel(sub, item, o, here, errors, unsupported);
    }
  }
}

/** One level of options: the checks in ArgumentSpecValidator.validate's order. */
function validateLevel(spec: ArgumentSpec, params: Dict, constraints: OptionSpec, ctx: string[], errors: string[], unsupported: Unsupported): void {
  let aliases: Record<string, string> = {};
  try {
    aliases = handleAliases(spec, params);
  } catch (e) {
    if (!(e instanceof TypeConversionError)) throw e;
    errors.push(e.message);
  }
  if (!ctx.length) subOptionStrings(spec, params, errors);
  collectUnsupported(spec, params, aliases, ctx, unsupported);
  const exclusive = checkMutuallyExclusive(constraints.mutually_exclusive, params, ctx);
  if (exclusive) errors.push(exclusive);
  setDefaults(spec, params, false);
  const required = checkRequired(spec, params, ctx);
  if (required) errors.push(required);
  validateTypes(spec, params, ctx, errors);
  validateValues(spec, params, ctx, errors);
  errors.push(...additionalChecks(constraints, params, ctx));
  setDefaults(spec, params, true);
  validateSubSpecs(spec, params, ctx, errors, unsupported);
}

/**
 * Validate `parameters` against `spec` (the `options` of an entry point); top-level
 * constraints (mutually_exclusive...) as ArgumentSpecValidator takes them.
 */
export function validateArgumentSpec(spec: ArgumentSpec, parameters: Dict, constraints: OptionSpec = {}): ValidationOutcome {
  const params = copyMarked(parameters) as Dict;
  const errors: string[] = [];
  const unsupported: Unsupported = { names: new Set() };
  validateLevel(spec, params, constraints, [], errors, unsupported);
  if (unsupported.names.size) {
    const [names, aliasNames] = unsupported.supported ?? [[], []];
    let supported = [...names].sort().join(', ');
    if (aliasNames.length) supported += ` (${[...aliasNames].sort().join(', ')})`;
    errors.push(`${[...unsupported.names].sort().join(', ')}. Supported parameters include: ${supported}.`);
  }
  return { errors, parameters: params };
}
