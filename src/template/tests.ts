// Jinja2 and Ansible tests (`x is defined`, `result is failed`, `v is version('2.6', '>=')`).
import { existsSync, lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { TemplateError } from './errors.js';
import { memberLookup, splitKwargs } from './methods.js';
import { compareOp, isDict, pyEq, pyIn, pyStr, truthy } from './python.js';
import { pyRegex } from './regex.js';
import { Undefined } from './undefined.js';
import { comparePep440 } from './version-pep440.js';
import { strictKeywordBool } from '../boolean.js';
import { urlsplit } from './urls.js';
import { isVaultValue, wasInlineVault } from '../vault/context.js';

type Test = (value: unknown, ...args: unknown[]) => unknown;

function resultDict(value: unknown, testName: string): Record<string, unknown> {
  if (!isDict(value)) throw new TemplateError(`The '${testName}' test expects a dictionary`);
  return value;
}

// Ansible returns the key's value as it is (result.get(key, False)), so Python truthiness decides.
function resultFlag(value: unknown, key: string, testName: string): boolean {
  return truthy(resultDict(value, testName)[key] ?? false);
}

/** Without `changed`, a looped result is changed when any item was (Ansible's changed test). */
function changedTest(value: unknown): boolean {
  const r = resultDict(value, 'changed');
  if ('changed' in r) return truthy(r.changed ?? false);
  const items = r.results;
  return Array.isArray(items) && isDict(items[0]) && items.some((x) => isDict(x) && truthy(x.changed ?? false));
}

/** started/finished: an async status is 1 when true; a result without the key counts as true. */
function asyncFlag(value: unknown, key: string): boolean {
  const r = resultDict(value, key);
  return key in r ? pyEq(r[key], 1) : true;
}

function uriTest(value: unknown, schemes: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { scheme } = urlsplit(value);
    return !truthy(schemes) || pyIn(scheme, schemes);
  } catch {
    return false;
  }
}

function urlTest(value: unknown, schemes: unknown): boolean {
  if (!uriTest(value, schemes)) return false;
  const { scheme, netloc } = urlsplit(value as string);
  return netloc !== '' || scheme === 'file';
}

/** Python's LooseVersion components: runs of digits become numbers, runs of letters stay strings. */
function looseParts(v: string): (number | string)[] {
  return (v.match(/\d+|[a-zA-Z]+/g) ?? []).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function compareLoose(a: string, b: string): number {
  const pa = looseParts(a);
  const pb = looseParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (i >= pa.length) return -1;
    if (i >= pb.length) return 1;
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    // Mixed number/string components: numbers order before letters.
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function parseSemver(v: string): { nums: number[]; pre: string[] } | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  if (!m) return undefined;
  return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

function compareSemver(a: string, b: string): number {
  const pa = parseSemver(a);
  const pb = parseSemver(b);
  if (!pa || !pb) throw new TemplateError(`Version comparison failed: invalid semantic version '${pa ? b : a}'`);
  for (let i = 0; i < 3; i++) if (pa.nums[i] !== pb.nums[i]) return pa.nums[i] < pb.nums[i] ? -1 : 1;
  if (!pa.pre.length || !pb.pre.length) return pa.pre.length === pb.pre.length ? 0 : pa.pre.length ? -1 : 1;
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    if (i >= pa.pre.length) return -1;
    if (i >= pb.pre.length) return 1;
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) < Number(y) ? -1 : 1;
    if (nx) return -1;
    if (ny) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

// Ansible's op_map, in its order (its error message lists the keys)
const VERSION_OPS: Record<string, string> = {
  '==': '==', '=': '==', eq: '==',
  '<': '<', lt: '<',
  '<=': '<=', le: '<=',
  '>': '>', gt: '>',
  '>=': '>=', ge: '>=',
  '!=': '!=', '<>': '!=', ne: '!=',
};
const VERSION_TYPES = ['loose', 'strict', 'semver', 'semantic', 'pep440'];

/** distutils' StrictVersion: `1.2`, `1.2.3`, with an optional `a1`/`b2` pre-release. */
function compareStrict(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/.exec(v);
    if (!m) throw new TemplateError(`Version comparison failed: invalid version number '${v}'`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)], pre: m[4] ? [m[4], Number(m[5])] as const : undefined };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa.nums[i] !== pb.nums[i]) return pa.nums[i] < pb.nums[i] ? -1 : 1;
  if (!pa.pre || !pb.pre) return pa.pre === pb.pre ? 0 : pa.pre ? -1 : 1;
  if (pa.pre[0] !== pb.pre[0]) return pa.pre[0] < pb.pre[0] ? -1 : 1;
  return pa.pre[1] === pb.pre[1] ? 0 : pa.pre[1] < pb.pre[1] ? -1 : 1;
}

/** Ansible's version_compare: its checks in its order, with its messages. */
export function versionTest(value: unknown, ...rest: unknown[]): boolean {
  const { pos, kw } = splitKwargs(rest);
  const other = pos[0] ?? kw.version;
  const opName = String(pos[1] ?? kw.operator ?? 'eq');
  const strictArg = pos[2] ?? kw.strict;
  const typeArg = pos[3] ?? kw.version_type;
  const given = (v: unknown) => v !== undefined && v !== null && !(v instanceof Undefined);
  if (given(strictArg) && given(typeArg)) throw new TemplateError("Cannot specify both 'strict' and 'version_type'");
  if (!truthy(value)) throw new TemplateError('Input version value cannot be empty');
  if (!truthy(other)) throw new TemplateError('Version parameter to compare against cannot be empty');
  let type = 'loose';
  if (truthy(strictArg)) type = 'strict';
  else if (given(typeArg) && truthy(typeArg)) {
    type = String(typeArg);
    if (!VERSION_TYPES.includes(type)) throw new TemplateError(`Invalid version type (${type}). Must be one of ${VERSION_TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  const op = VERSION_OPS[opName];
  if (!op) throw new TemplateError(`Invalid operator type (${opName}). Must be one of ${Object.keys(VERSION_OPS).map((t) => `'${t}'`).join(', ')}`);
  const a = pyStr(value);
  const b = pyStr(other);
  let cmp: number;
  if (type === 'semver' || type === 'semantic') cmp = compareSemver(a, b);
  else if (type === 'strict') cmp = compareStrict(a, b);
  else if (type === 'pep440') {
    try {
      cmp = comparePep440(a, b);
    } catch (e) {
      throw new TemplateError(`Version comparison failed: ${(e as Error).message}`);
    }
  } else cmp = compareLoose(a, b);
  return compareOp(op, cmp, 0);
}

/**
 * Ansible's truthy test: with convert_bool, boolean(value) (strict) when the value is one
 * of its boolean words; anything else ("fred") keeps Python's truthiness.
 */
function truthyConverted(v: unknown, convert: boolean): boolean {
  if (convert) {
    try {
      return strictKeywordBool('value', v);
    } catch {
      // boolean() raised: Ansible's test goes on with the value as it is
    }
  }
  return truthy(v);
}

function isSubset(a: unknown, b: unknown): boolean {
  const small = Array.isArray(a) ? a : [];
  const big = Array.isArray(b) ? b : [];
  return small.every((x) => big.some((y) => pyEq(x, y)));
}

function statOr<T>(p: string, f: (p: string) => T, dflt: T): T {
  try {
    return f(p);
  } catch {
    return dflt;
  }
}

function regexTest(value: unknown, pattern: unknown, rest: unknown[], mode: 'match' | 'search' | 'fullmatch'): boolean {
  const { pos, kw } = splitKwargs(rest);
  const re = pyRegex(pyStr(pattern), { ignorecase: truthy(pos[0] ?? kw.ignorecase ?? false), multiline: truthy(pos[1] ?? kw.multiline ?? false) });
  const s = pyStr(value);
  const m = re.exec(s);
  if (!m) return false;
  if (mode === 'search') return true;
  // Python's re.match anchors at the start only; find a match there.
  const anchored = new RegExp('^(?:' + re.source + ')' + (mode === 'fullmatch' ? '$' : ''), re.flags.replace('m', ''));
  return anchored.test(s);
}

export const TESTS: Record<string, Test> = {
  defined: (v) => !(v instanceof Undefined) && v !== undefined,
  undefined: (v) => v instanceof Undefined || v === undefined,
  none: (v) => v === null,
  truthy: (v, ...rest) => {
    const { pos, kw } = splitKwargs(rest);
    return truthyConverted(v, truthy(pos[0] ?? kw.convert_bool ?? false));
  },
  falsy: (v, ...rest) => {
    const { pos, kw } = splitKwargs(rest);
    return !truthyConverted(v, truthy(pos[0] ?? kw.convert_bool ?? false));
  },
  true: (v) => v === true,
  false: (v) => v === false,
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  number: (v) => typeof v === 'number' || typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  mapping: (v) => isDict(v),
  sequence: (v) => typeof v === 'string' || Array.isArray(v) || isDict(v),
  iterable: (v) => typeof v === 'string' || Array.isArray(v) || isDict(v),
  callable: (v) => typeof v === 'function',
  match: (v, p, ...rest) => regexTest(v, p, rest, 'match'),
  search: (v, p, ...rest) => regexTest(v, p, rest, 'search'),
  regex: (v, p, ...rest) => {
    const { pos, kw } = splitKwargs(rest);
    const mode = String(pos[2] ?? kw.match_type ?? 'search') as 'match' | 'search' | 'fullmatch';
    return regexTest(v, p, [pos[0] ?? kw.ignorecase ?? false, pos[1] ?? kw.multiline ?? false], mode);
  },
  in: (v, container) => pyIn(v, container),
  contains: (container, item) => pyIn(item, container),
  version: versionTest,
  version_compare: versionTest,
  succeeded: (v) => !resultFlag(v, 'failed', 'succeeded'),
  failed: (v) => resultFlag(v, 'failed', 'failed'),
  changed: changedTest,
  skipped: (v) => resultFlag(v, 'skipped', 'skipped'),
  finished: (v) => asyncFlag(v, 'finished'),
  started: (v) => asyncFlag(v, 'started'),
  unreachable: (v) => resultFlag(v, 'unreachable', 'unreachable'),
  reachable: (v) => !resultFlag(v, 'unreachable', 'reachable'),
  file: (v) => statOr(pyStr(v), (p) => statSync(p).isFile(), false),
  directory: (v) => statOr(pyStr(v), (p) => statSync(p).isDirectory(), false),
  link: (v) => statOr(pyStr(v), (p) => lstatSync(p).isSymbolicLink(), false),
  exists: (v) => existsSync(pyStr(v)),
  // lexists: true for a dangling symlink too
  link_exists: (v) => statOr(pyStr(v), (p) => (lstatSync(p), true), false),
  abs: (v) => path.posix.isAbsolute(pyStr(v)),
  same_file: (a, b) => statOr(pyStr(a), (p) => statSync(p).ino === statSync(pyStr(b)).ino, false),
  mount: (v) => statOr(pyStr(v), (p) => p === '/' || statSync(p).dev !== statSync(path.dirname(p)).dev, false),
  subset: (a, b) => isSubset(a, b),
  superset: (a, b) => isSubset(b, a),
  divisibleby: (v, n) => Number(v) % Number(n) === 0,
  even: (v) => Number(v) % 2 === 0,
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  equalto: (a, b) => pyEq(a, b),
  sameas: (a, b) => a === b,
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  any: (v) => (Array.isArray(v) ? v.some(truthy) : false),
  all: (v) => (Array.isArray(v) ? v.every(truthy) : false),
  nan: (v) => typeof v === 'number' && Number.isNaN(v),
  uri: (v, schemes) => uriTest(v, schemes),
  url: (v, schemes) => urlTest(v, schemes),
  urn: (v) => uriTest(v, ['urn']),
  escaped: () => false,
  // a `!vault` value is one whether or not it could be opened (no secret given: it stays
  // the opaque value), as Ansible's AnsibleVaultEncryptedUnicode keeps its type
  vault_encrypted: (v) => isVaultValue(v) || (typeof v === 'string' && (v.startsWith('$ANSIBLE_VAULT;') || (v !== '' && wasInlineVault(v)))),
  attr: (v, name) => !(memberLookup(v, name) instanceof Undefined),
};

// Jinja2's `'upper' is filter` and `'defined' is test`, asked of the environment in use.
TESTS.filter = function (this: unknown, v) {
  const env = (this as { env?: { filters?: Record<string, unknown> } } | undefined)?.env;
  return typeof v === 'string' && !!env?.filters && v in env.filters;
};
TESTS.test = (v) => typeof v === 'string' && Object.prototype.hasOwnProperty.call(TESTS, v);

// Aliases Ansible and Jinja2 accept.
TESTS.success = TESTS.succeeded;
TESTS.successful = TESTS.succeeded;
TESTS.is_same_file = TESTS.same_file;
TESTS.is_mount = TESTS.mount;
TESTS.isnan = TESTS.nan;
TESTS.failure = TESTS.failed;
TESTS.change = TESTS.changed;
TESTS.skip = TESTS.skipped;
TESTS.is_file = TESTS.file;
TESTS.is_dir = TESTS.directory;
TESTS.is_link = TESTS.link;
TESTS.is_abs = TESTS.abs;
TESTS.issubset = TESTS.subset;
TESTS.issuperset = TESTS.superset;
TESTS.None = TESTS.none;
TESTS.True = TESTS.true;
TESTS.False = TESTS.false;
TESTS.null = TESTS.none;
for (const [alias, op] of [
  ['eq', '=='], ['==', '=='], ['ne', '!='], ['!=', '!='], ['lt', '<'], ['<', '<'], ['le', '<='], ['<=', '<='],
  ['gt', '>'], ['>', '>'], ['ge', '>='], ['>=', '>='], ['lessthan', '<'], ['greaterthan', '>'],
] as const) {
  TESTS[alias] = (a, b) => compareOp(op, a, b);
}
