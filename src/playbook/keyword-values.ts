// Normalising the keywords every play, block, task and role entry shares (when, tags,
// vars, register, loops), with positions for every mistake.
import {
  type SourcePos,
  errBadRegister,
  errBadVarName,
  errDuplicateLoop,
  errInvalidKeyword,
  errLoopControlType,
  errLoopControlValue,
  errLoopControlWithoutLoop,
  errMustBeType,
  errNameNotString,
  errUnsupportedLoop,
  errVarsNotDict,
} from '../errors.js';
import { suggest } from './suggest.js';
import { LOOKUP_NAMES } from '../template/index.js';
import { LOOP_CONTROL_KEYS, LOOP_KINDS, VALID_VAR_NAME } from './keywords.js';
import type { CommonKeywords, LoopSpec } from './types.js';
import { type DocPath, type YamlFile } from './yaml-file.js';
import { type Dict, isDict, typeWord } from './loader-base.js';
import { isTemplated } from './validate-args.js';

export function parseCommon(ds: Dict, y: YamlFile, p: DocPath, what: string): CommonKeywords {
  return parseCommonFrom(ds, ds, y, p, what);
}

const RAW_COMMON = ['become', 'become_user', 'become_method', 'become_flags', 'check_mode', 'diff', 'ignore_errors', 'ignore_unreachable', 'no_log',
  'any_errors_fatal', 'run_once', 'delegate_to', 'delegate_facts', 'environment', 'timeout', 'throttle', 'remote_user', 'connection', 'module_defaults',
  'port'] as const;

export function parseCommonFrom(ds: Dict, _whole: Dict, y: YamlFile, p: DocPath, what: string): CommonKeywords {
  const out: CommonKeywords = { tags: normTags(ds.tags, y, [...p, 'tags']), vars: normVars(ds.vars, y, [...p, 'vars'], what) };
  if (ds.name !== undefined && ds.name !== null) {
    if (typeof ds.name === 'string') out.name = ds.name;
    else if (typeof ds.name === 'number' || typeof ds.name === 'boolean') out.name = String(ds.name);
    else {
      throw errNameNotString(typeWord(ds.name), {
        pos: y.posOf([...p, 'name']),
        hint: 'quote the name if it contains `: ` or starts with `{`, `[` or `*`',
      });
    }
  }
  if (ds.when !== undefined) out.when = normWhen(ds.when, y, [...p, 'when']);
  for (const k of RAW_COMMON) if (ds[k] !== undefined) (out as unknown as Dict)[k] = ds[k];
  return out;
}

export function normWhen(v: unknown, y: YamlFile, p: DocPath): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  const check = (x: unknown, at: DocPath): unknown => {
    if (typeof x === 'string' || typeof x === 'boolean' || typeof x === 'number') return x;
    throw errMustBeType('a conditional', 'a string, a boolean or a list of those', typeWord(x), {
      pos: y.posOf(at),
      hint: 'write the condition as a Jinja2 expression without braces, e.g. `when: ansible_os_family == "Debian"`',
    });
  };
  if (Array.isArray(v)) return v.map((x, i) => check(x, [...p, i]));
  return [check(v, p)];
}

export function normTags(v: unknown, y: YamlFile, p: DocPath): string[] {
  if (v === undefined || v === null) return [];
  const one = (x: unknown, at: DocPath): string[] => {
    if (typeof x === 'string') return x.split(',').map((s) => s.trim()).filter(Boolean);
    if (typeof x === 'number' || typeof x === 'boolean') return [String(x)];
    throw errMustBeType('tags', 'a string or a list of strings', typeWord(x), { pos: y.posOf(at), hint: 'e.g. `tags: [web, config]` or `tags: web,config`' });
  };
  if (Array.isArray(v)) {
    return v.flatMap((x, i) => {
      if (typeof x === 'string') return [x];
      return one(x, [...p, i]);
    });
  }
  return one(v, p);
}

export function normStrList(v: unknown, y: YamlFile, p: DocPath, what: string): string[] {
  if (v === null || v === undefined) return [];
  const one = (x: unknown, at: DocPath): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return String(x);
    throw errMustBeType(what, 'a string or a list of strings', typeWord(x), { pos: y.posOf(at), hint: `e.g. \`${what}: restart nginx\`` });
  };
  if (Array.isArray(v)) return v.map((x, i) => one(x, [...p, i]));
  return [one(v, p)];
}

export function checkVarNames(vars: Dict, y: YamlFile, p: DocPath, what: string): void {
  for (const k of Object.keys(vars)) {
    if (!VALID_VAR_NAME.test(k)) {
      throw errBadVarName(what, k, {
        pos: y.keyPosOf([...p, k]),
        hint: 'variable names use letters, digits and underscores and do not start with a digit',
      });
    }
  }
}

export function normVars(v: unknown, y: YamlFile, p: DocPath, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (isDict(v)) {
    checkVarNames(v, y, p, `vars specified for ${what}`);
    return { ...v };
  }
  if (Array.isArray(v) && v.every(isDict)) {
    // the old list-of-mappings form
    const out: Dict = {};
    v.forEach((d, i) => {
      checkVarNames(d as Dict, y, [...p, i], `vars specified for ${what}`);
      Object.assign(out, d);
    });
    return out;
  }
  throw errVarsNotDict(what, typeWord(v), { pos: y.posOf(p), hint: 'e.g. `vars: {http_port: 80}`' });
}

export function parseRegister(v: unknown, y: YamlFile, p: DocPath): string {
  if (typeof v !== 'string' || !VALID_VAR_NAME.test(v)) {
    throw errBadRegister(String(v), {
      pos: y.posOf(p),
      hint: 'register takes a variable name: letters, digits and underscores, not starting with a digit',
    });
  }
  return v;
}

export function parseLoop(ds: Dict, y: YamlFile, p: DocPath, render?: (template: string, what: string, pos: SourcePos) => string): LoopSpec | undefined {
  const loopKeys = Object.keys(ds).filter((k) => k === 'loop' || k.startsWith('with_'));
  if (loopKeys.length === 0) {
    if (ds.loop_control !== undefined) {
      throw errLoopControlWithoutLoop({ pos: y.keyPosOf([...p, 'loop_control']), hint: 'add `loop:` or remove loop_control' });
    }
    return undefined;
  }
  // with_<name> is the lookup <name> (wantlist), as in Ansible: every lookup rackplay has.
  const kinds = [...new Set([...LOOP_KINDS, ...LOOKUP_NAMES.map((n) => `with_${n}`)])];
  for (const k of loopKeys) {
    if (k !== 'loop' && !kinds.includes(k)) {
      const guess = suggest(k, [...kinds, 'loop']);
      throw errUnsupportedLoop(k, k.slice(5), {
        pos: y.keyPosOf([...p, k]),
        hint: guess ? `did you mean \`${guess}\`?` : `use \`loop:\` or one of: ${LOOP_KINDS.join(', ')}`,
      });
    }
  }
  if (loopKeys.length > 1) {
    const second = loopKeys[1];
    const names = loopKeys.filter((k) => k !== 'loop').map((k) => k.slice(5));
    throw errDuplicateLoop(names.join(', '), {
      pos: y.keyPosOf([...p, second]),
      hint: `a task can have only one loop: use either ${loopKeys.map((k) => `\`${k}:\``).join(' or ')}`,
    });
  }
  const kind = loopKeys[0] as LoopSpec['kind'];
  const spec: LoopSpec = { kind, value: ds[kind], loop_var: 'item' };
  const lc = ds.loop_control;
  if (lc !== undefined && lc !== null) {
    const lp = [...p, 'loop_control'];
    if (!isDict(lc)) throw errLoopControlType(typeWord(lc), { pos: y.posOf(lp), hint: 'e.g. `loop_control: {loop_var: pkg}`' });
    for (const [k, v] of Object.entries(lc)) {
      if (!LOOP_CONTROL_KEYS.has(k)) {
        const guess = suggest(k, LOOP_CONTROL_KEYS);
        throw errInvalidKeyword(k, 'a LoopControl', {
          pos: y.keyPosOf([...lp, k]),
          hint: guess ? `did you mean \`${guess}\`?` : `valid loop_control keys: ${[...LOOP_CONTROL_KEYS].join(', ')}`,
        });
      }
      switch (k) {
        case 'loop_var':
        case 'index_var': {
          // Ansible renders loop_control; a template of the play's vars names the variable, and
          // one that needs the task's or host's vars stays a template the engine renders per host
          const name = render && isTemplated(v) ? render(v as string, k, y.posOf([...lp, k])) : v;
          if (typeof name !== 'string' || !(VALID_VAR_NAME.test(name) || isTemplated(name))) {
            throw errLoopControlValue(k, 'a variable name', typeWord(name), { pos: y.posOf([...lp, k]), hint: 'e.g. `loop_var: pkg`' });
          }
          spec[k] = name;
          break;
        }
        case 'label':
          spec.label = v;
          break;
        case 'pause': {
          const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
          if (!Number.isFinite(n) || n < 0) throw errLoopControlValue('pause', 'a number of seconds', typeWord(v), { pos: y.posOf([...lp, k]), hint: 'e.g. `pause: 2`' });
          spec.pause = n;
          break;
        }
        case 'extended':
          spec.extended = v === true || v === 'yes' || v === 'true';
          break;
        case 'extended_allitems':
          spec.extended_allitems = !(v === false || v === 'no' || v === 'false');
          break;
        case 'break_when':
          spec.break_when = normWhen(v, y, [...lp, k]);
          break;
        default:
          break;
      }
    }
  }
  return spec;
}
