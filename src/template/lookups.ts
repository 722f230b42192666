// lookup()/query() plugins that run on the controller: file, env, template, fileglob,
// pipe, vars, items, first_found, lines (plus a few trivial ones: list, dict,
// indexed_items, nested, sequence-free helpers).
import { templateVars } from './template-vars.js';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { LookupFailure, TemplateError, UndefinedVariableError } from './errors.js';
import { isDict, pyStr, truthy, typeName, type Dict } from './python.js';
import { Undefined } from './undefined.js';
import { decryptFileContent } from '../vault/context.js';
import { fnmatchRegExp } from '../fnmatch.js';
import { DATA_LOOKUPS } from './lookups-data.js';
import { inventoryHostnames } from './lookup-inventory.js';
import { csvfile } from './lookup-csvfile.js';
import { passwordLookup } from './lookup-password.js';
import { templateLookup } from './lookup-template.js';
import type { Lookup } from './lookup-types.js';

export type { Lookup, LookupContext } from './lookup-types.js';

/** Finds a relative file under each base dir's `subdir/`, then the base dir itself. */
export function findFile(name: string, subdir: string, searchPaths: string[]): string | undefined {
  if (path.isAbsolute(name)) return existsSync(name) ? name : undefined;
  for (const base of searchPaths) {
    for (const candidate of [path.join(base, subdir, name), path.join(base, name)]) {
      if (existsSync(candidate)) return candidate;
    }
  }
  if (searchPaths.length === 0 && existsSync(name)) return path.resolve(name);
  return undefined;
}

/**
 * Ansible's path_dwim_relative_stack: for each directory of the task's search stack, its
 * `subdir/name` then `name` (a directory under a role's tasks/ looks in the role's
 * `subdir/` and in tasks/), and last the playbook directory the same way.
 */
export function findInSearchStack(name: string, subdir: string, stack: string[], basedir: string | undefined): string | undefined {
  if (name.startsWith('~')) name = path.join(process.env.HOME ?? '~', name.slice(1));
  if (path.isAbsolute(name)) return existsSync(name) ? name : undefined;
  const candidates: string[] = [];
  for (const dir of stack) {
    const base = path.resolve(dir);
    const parent = path.dirname(base);
    if (path.basename(parent) === 'tasks' && existsSync(path.join(path.dirname(parent), 'tasks'))) {
      candidates.push(path.join(path.dirname(parent), subdir, name), path.join(parent, name));
    } else candidates.push(path.join(base, subdir, name), path.join(base, name));
  }
  if (basedir) candidates.push(path.join(basedir, subdir, name), path.join(basedir, name));
  if (!basedir && stack.length === 0) candidates.push(path.resolve(name));
  return candidates.find((c) => existsSync(c));
}

function shell(command: string, plugin = 'pipe'): string {
  try {
    return execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const status = (e as { status?: number }).status;
    throw new TemplateError(`lookup_plugin.${plugin}(${command}) returned ${status ?? 'an error'}`);
  }
}

function flattenTerms(terms: unknown[]): unknown[] {
  return terms.flatMap((t) => (Array.isArray(t) ? t : [t]));
}

export const LOOKUPS: Record<string, Lookup> = {
  file(ctx, terms, kw) {
    return flattenTerms(terms).map((t) => {
      const name = pyStr(t);
      const found = ctx.findFile(name, 'files');
      if (!found) throw new TemplateError(`could not locate file in lookup: ${name}`);
      // vault-encrypted files are decrypted, as Ansible's file lookup does
      let content = decryptFileContent(readFileSync(found), found).toString('utf8');
      if (truthy(kw.rstrip ?? true)) content = content.replace(/\s+$/, '');
      if (truthy(kw.lstrip ?? false)) content = content.replace(/^\s+/, '');
      return content;
    });
  },
  unvault(ctx, terms) {
    // the file's bytes as they are (no stripping), decrypted with the run's vault secrets when vaulted
    return flattenTerms(terms).map((t) => {
      const name = pyStr(t);
      const found = ctx.findFile(name, 'files');
      if (!found) throw new TemplateError(`Unable to find file matching "${name}" `);
      return decryptFileContent(readFileSync(found), found).toString('utf8');
    });
  },
  env(_ctx, terms, kw) {
    return flattenTerms(terms).map((t) => {
      const v = process.env[pyStr(t)];
      if (v !== undefined) return v;
      if ('default' in kw) return kw.default;
      return '';
    });
  },
  template: templateLookup,
  fileglob(ctx, terms) {
    const out: string[] = [];
    for (const t of flattenTerms(terms)) {
      const pattern = pyStr(t);
      const dirPart = path.dirname(pattern);
      const name = path.basename(pattern);
      const re = fnmatchRegExp(name);
      // Python's glob: a wildcard does not match a leading dot unless the pattern has one.
      const hiddenToo = name.startsWith('.');
      const bases = path.isAbsolute(pattern) ? [''] : ctx.searchPaths.flatMap((b) => [path.join(b, 'files'), b]);
      for (const base of bases.length ? bases : [process.cwd()]) {
        const dir = path.resolve(base, dirPart);
        let entries: string[];
        try {
          entries = readdirSync(dir);
        } catch {
          continue;
        }
        const matches = entries
          .filter((e) => re.test(e) && (hiddenToo || !e.startsWith('.')) && statSync(path.join(dir, e)).isFile())
          .sort()
          .map((e) => path.join(dir, e));
        if (matches.length) {
          out.push(...matches);
          break;
        }
      }
    }
    return out;
  },
  pipe(_ctx, terms) {
    return flattenTerms(terms).map((t) => shell(pyStr(t)).replace(/\s+$/, ''));
  },
  lines(_ctx, terms) {
    return flattenTerms(terms).flatMap((t) => {
      const out = shell(pyStr(t), 'lines');
      return out === '' ? [] : out.replace(/\n$/, '').split('\n');
    });
  },
  vars(ctx, terms, kw) {
    return flattenTerms(terms).map((t) => {
      if (typeof t !== 'string') throw new TemplateError(`Invalid setting identifier, "${pyStr(t)}" is not a string, its a <class '${typeName(t)}'>`);
      const name = t;
      let v = name in ctx.vars ? ctx.vars[name] : undefined;
      // then the host's own variables, as Ansible's lookup falls back to hostvars[inventory_hostname]
      if (v === undefined) {
        const hv = ctx.vars.hostvars as Record<string, Record<string, unknown> | undefined> | undefined;
        const mine = hv?.[pyStr(ctx.vars.inventory_hostname)];
        if (mine && name in mine) v = mine[name];
      }
      if (v !== undefined && !(v instanceof Undefined)) return v;
      if ('default' in kw) return kw.default;
      // Ansible raises AnsibleUndefinedVariable here: an undefined variable, not a lookup failure
      throw new UndefinedVariableError(name, `No variable found with this name: ${name}`);
    });
  },
  items(_ctx, terms) {
    // one level, as Ansible's _flatten: with_items [[1, [2]]] gives 1 and [2]
    return flattenTerms(terms);
  },
  list(_ctx, terms) {
    return terms;
  },
  indexed_items(_ctx, terms) {
    return flattenTerms(terms).map((t, i) => [i, t]);
  },
  dict(_ctx, terms) {
    return terms.flatMap((t) => {
      if (!isDict(t)) throw new TemplateError('with_dict expects a dict');
      return Object.keys(t).map((k) => ({ key: k, value: t[k] }));
    });
  },
  first_found(ctx, terms, kw) {
    const { names, skip } = firstFoundCandidates(terms, kw);
    for (const name of names) {
      const found = ctx.findFile(name, ctx.subdir ?? 'files');
      if (found) return [found];
    }
    if (skip) return [];
    throw new LookupFailure('No file was found when using first_found.');
  },
  ...DATA_LOOKUPS,
  inventory_hostnames: inventoryHostnames,
  csvfile,
  password: passwordLookup,
};

function splitOn(v: unknown, chars: string): string[] {
  if (typeof v === 'string') return v.split(new RegExp(`[${chars}]`));
  return Array.isArray(v) ? v.flatMap((x) => splitOn(x, chars)) : [];
}

/**
 * Ansible's first_found._process_terms: a dict term carries its own files/paths/skip, a
 * string term takes the keyword options (whose files, when given, replace the list), and
 * each path is joined with each file.
 */
function firstFoundCandidates(terms: unknown[], kw: Dict): { names: string[]; skip: boolean } {
  let names: string[] = [];
  let skip = false;
  const walk = (list: unknown[]): void => {
    for (const term of list) {
      let opts: Dict;
      if (isDict(term)) opts = term;
      else if (typeof term === 'string') opts = kw;
      else if (Array.isArray(term)) {
        walk(term);
        continue;
      } else throw new TemplateError(`Invalid term supplied, can handle string, mapping or list of strings but got: ${typeof term} for ${pyStr(term)}`);
      const files = splitOn(opts.files ?? [], ',;');
      const paths = splitOn(opts.paths ?? [], ',:;');
      skip = truthy(opts.skip ?? false);
      if (paths.length) for (const p of paths) for (const f of files) names.push(path.join(p, f));
      else if (files.length) names = files;
      else names.push(pyStr(term));
    }
  };
  walk(terms);
  return { names, skip };
}

/**
 * The terms a with_<name> loop hands over when its value is a mapping rather than a list:
 * Python iterates a dict's keys, and the lookups that insist on a list say so.
 */
export function lookupTermList(name: string, terms: unknown): unknown[] {
  if (Array.isArray(terms)) return terms;
  if (name === 'dict') return [terms];
  if (name === 'indexed_items') throw new LookupFailure('with_indexed_items expects a list');
  if (name === 'list') throw new LookupFailure('with_list expects a list');
  if (name === 'subelements') throw new LookupFailure('subelements lookup expects a list of two or three items, ');
  return isDict(terms) ? Object.keys(terms) : [terms];
}
