// Loops: `loop:` and the with_* forms, expanded on the controller into the items a task
// runs once each.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { LoopSpec } from '../playbook/types.js';
import { TemplateError, type Templar } from '../template/index.js';
import type { ExecEnv, TaskInvocation } from './task-common.js';
import { currentRole } from './scope.js';

export async function expandLoop(loop: LoopSpec, templar: Templar, vars: Record<string, unknown>, findFiles: (pattern: string) => string[]): Promise<unknown[]> {
  const value = templar.render(loop.value, vars);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
  switch (loop.kind) {
    case 'loop':
      if (!Array.isArray(value)) throw new TemplateError(`Invalid data passed to 'loop', it requires a list, got this instead: ${JSON.stringify(value)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`);
      return value;
    case 'with_list':
      return list(value);
    case 'with_items':
    case 'with_flattened': {
      const flat = (v: unknown[], deep: boolean): unknown[] => v.flatMap((x) => (Array.isArray(x) ? (deep ? flat(x, deep) : x) : [x]));
      return flat(list(value), loop.kind === 'with_flattened');
    }
    case 'with_indexed_items':
      return list(value).map((x, i) => [i, x]);
    case 'with_dict': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TemplateError('with_dict expects a dict');
      return Object.entries(value).map(([key, v]) => ({ key, value: v }));
    }
    case 'with_together': {
      const lists = list(value).map(list);
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i] ?? null));
    }
    case 'with_nested': {
      const lists = list(value).map(list);
      return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
    }
    case 'with_sequence':
      return sequence(String(value));
    case 'with_fileglob':
      return list(value).flatMap((p) => findFiles(String(p)));
    case 'with_inventory_hostnames':
      return list(value);
    default:
      throw new TemplateError(`${loop.kind} is not supported by rackplay yet; use loop: with a filter instead`);
  }
}

/** with_sequence's "start=1 end=10 stride=2 format=x%02d" and "count=3" forms. */
export function sequence(spec: string): string[] {
  const args: Record<string, string> = {};
  const short = /^\s*(-?\d+)-(-?\d+)(?:\/(\d+))?(?::(.+))?\s*$/.exec(spec);
  if (short) Object.assign(args, { start: short[1], end: short[2], stride: short[3] ?? '1', format: short[4] ?? '%d' });
  else for (const m of spec.matchAll(/(\w+)=(\S+)/g)) args[m[1]] = m[2];
  const start = Number(args.start ?? 1);
  const stride = Number(args.stride ?? 1);
  const end = args.count !== undefined ? start + (Number(args.count) - 1) * stride : Number(args.end);
  if (!Number.isFinite(end) || !Number.isFinite(start) || stride === 0) throw new TemplateError(`with_sequence: bad spec '${spec}'`);
  const fmt = args.format ?? '%d';
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) {
    out.push(fmt.replace(/%(0?)(\d*)([dxXo])/, (_m, zero: string, width: string, conv: string) => {
      const s = conv === 'd' ? String(i) : conv === 'o' ? i.toString(8) : conv === 'x' ? i.toString(16) : i.toString(16).toUpperCase();
      return s.padStart(Number(width || 0), zero ? '0' : ' ');
    }));
  }
  return out;
}

export function globFiles(pattern: string, inv: TaskInvocation, env: ExecEnv): string[] {
  const role = currentRole(inv.scope);
  const base = path.isAbsolute(pattern) ? '' : role ? path.join(role.path, 'files') : path.join(env.playbookDir, 'files');
  const full = path.resolve(base || '/', pattern);
  const dir = path.dirname(full);
  const re = new RegExp('^' + path.basename(full).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  try {
    return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

