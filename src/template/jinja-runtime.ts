// The runtime object compiled templates call: StrictUndefined lookups, Python truth,
// operators, comparisons, tests and loop filters. Shared by every compiled template.
import { missingTest, TemplateError } from './errors.js';
import { memberLookup } from './methods.js';
import { type AnyFrame, nj } from './nunjucks-internals.js';
import { binOp, compareOp, isDict, pyIn, pySlice, pyStr, truthy } from './python.js';
import { Undefined, assertFullyDefined, missingVariable } from './undefined.js';
import { readUnsafe } from './unsafe.js';

const baseRuntime = nj.runtime;

export type TestFn = (this: unknown, value: unknown, ...args: unknown[]) => unknown;

/** Tests that must see an Undefined instead of failing on it. */
export const UNDEFINED_AWARE_TESTS = new Set(['defined', 'undefined']);

function makeRuntime(): Record<string, unknown> {
  const rt = Object.create(baseRuntime);
  Object.assign(rt, {
    contextOrFrameLookup(context: { lookup(name: string): unknown }, frame: AnyFrame, name: string): unknown {
      const fv = frame.lookup(name);
      if (fv !== undefined) return readUnsafe(fv);
      const v = context.lookup(name);
      return v === undefined ? missingVariable(name) : readUnsafe(v);
    },
    memberLookup(obj: unknown, key: unknown): unknown {
      return readUnsafe(memberLookup(readUnsafe(obj), key));
    },
    callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
      if (fn instanceof Undefined) throw fn.error();
      if (typeof fn !== 'function') throw new TemplateError(`'${name}' is not callable`);
      return fn.apply(context, args);
    },
    handleError(error: unknown, lineno: number, colno: number): unknown {
      if (error instanceof TemplateError) return error;
      const msg = error instanceof Error ? error.message : String(error);
      const err = new TemplateError(msg);
      (err as { lineno?: number }).lineno = lineno;
      (err as { colno?: number }).colno = colno;
      return err;
    },
    fromIterator(arr: unknown): unknown {
      if (arr instanceof Undefined) throw arr.error();
      // Jinja2 iterates a dict's keys.
      if (isDict(arr)) return Object.keys(arr);
      return baseRuntime.fromIterator(arr);
    },
    rpTruthy: truthy,
    rpOut(v: unknown): string {
      if (v instanceof Undefined) throw v.error();
      // Ansible's finalize prints None as ''.
      if (v === null || v === undefined) return '';
      assertFullyDefined(v);
      return pyStr(v);
    },
    rpMissing(what: string): Undefined {
      return new Undefined(what, `the ${what} evaluated to false and no else section was defined`);
    },
    rpStarArgs(v: unknown): unknown[] {
      if (v instanceof Undefined) throw v.error();
      if (typeof v === 'string') return Array.from(v);
      if (isDict(v)) return Object.keys(v);
      if (!Array.isArray(v)) throw new TemplateError(`argument after * must be an iterable, not ${v === null ? 'NoneType' : typeof v}`);
      return v;
    },
    rpStarKwargs(v: unknown): Record<string, unknown> {
      if (v instanceof Undefined) throw v.error();
      if (!isDict(v)) throw new TemplateError('argument after ** must be a mapping');
      return v;
    },
    rpIn: pyIn,
    rpBin: binOp,
    rpSlice: pySlice,
    rpCompare(values: unknown[], ops: string[]): boolean {
      for (let i = 0; i < ops.length; i++) if (!compareOp(ops[i], values[i], values[i + 1])) return false;
      return true;
    },
    rpTest(env: { tests: Record<string, unknown> }, context: unknown, name: string, value: unknown, ...args: unknown[]): boolean {
      const test = env.tests[name] as TestFn | undefined;
      if (!test) throw missingTest(name);
      if (value instanceof Undefined && !UNDEFINED_AWARE_TESTS.has(name)) throw value.error();
      return truthy(test.call(context, value, ...args));
    },
    rpLoopFilter(frame: AnyFrame, seq: unknown, names: string[], cond: (f: AnyFrame) => boolean): unknown[] {
      const items = rt.fromIterator(seq) as unknown;
      const list = typeof items === 'string' ? Array.from(items) : (items as unknown[]);
      const inner = frame.push();
      return list.filter((item) => {
        if (names.length === 1) inner.set(names[0], item);
        else names.forEach((n, i) => inner.set(n, (item as unknown[])[i]));
        return cond(inner);
      });
    },
  });
  return rt;
}

export const runtime = makeRuntime();
