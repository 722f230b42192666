// lookup()/query() plugins that run on the controller: file, env, template, fileglob,
// pipe, vars, items, first_found, lines (plus a few trivial ones: list, dict,
// indexed_items, nested, sequence-free helpers).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { TemplateError } from './errors.js';
import { isDict, pyStr, truthy, type Dict } from './python.js';
import { Undefined } from './undefined.js';
import { decryptFileContent } from '../vault/context.js';
import { fnmatchRegExp } from '../fnmatch.js';

export interface LookupContext {
  /** Variables visible to the template that called lookup(). */
  vars: Record<string, unknown>;
  /** Base directories for relative paths (role dir, playbook dir...). */
  searchPaths: string[];
  renderFile(file: string, vars: Record<string, unknown>): string;
}

export type Lookup = (ctx: LookupContext, terms: unknown[], kw: Dict) => unknown[];

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

function shell(command: string): string {
  try {
    return execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const status = (e as { status?: number }).status;
    throw new TemplateError(`lookup_plugin.pipe(${command}) returned ${status ?? 'an error'}`);
  }
}

function flattenTerms(terms: unknown[]): unknown[] {
  return terms.flatMap((t) => (Array.isArray(t) ? t : [t]));
}

export const LOOKUPS: Record<string, Lookup> = {
  file(ctx, terms, kw) {
    return flattenTerms(terms).map((t) => {
      const name = pyStr(t);
      const found = findFile(name, 'files', ctx.searchPaths);
      if (!found) throw new TemplateError(`The 'file' lookup had an issue accessing the file '${name}'. file not found, use -vvvvv to see paths searched`);
      // vault-encrypted files are decrypted, as Ansible's file lookup does
      let content = decryptFileContent(readFileSync(found), found).toString('utf8');
      if (truthy(kw.rstrip ?? true)) content = content.replace(/\s+$/, '');
      if (truthy(kw.lstrip ?? false)) content = content.replace(/^\s+/, '');
      return content;
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
  template(ctx, terms, kw) {
    return flattenTerms(terms).map((t) => {
      const name = pyStr(t);
      const found = findFile(name, 'templates', ctx.searchPaths);
      if (!found) throw new TemplateError(`the template file ${name} could not be found for the lookup`);
      const extra = isDict(kw.template_vars) ? kw.template_vars : {};
      const vars = Object.assign(Object.create(ctx.vars), extra) as Record<string, unknown>;
      return ctx.renderFile(found, vars);
    });
  },
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
      const out = shell(pyStr(t));
      return out === '' ? [] : out.replace(/\n$/, '').split('\n');
    });
  },
  vars(ctx, terms, kw) {
    return flattenTerms(terms).map((t) => {
      const name = pyStr(t);
      const v = name in ctx.vars ? ctx.vars[name] : undefined;
      if (v !== undefined && !(v instanceof Undefined)) return v;
      if ('default' in kw) return kw.default;
      throw new TemplateError(`No variable found with this name: ${name}`);
    });
  },
  items(_ctx, terms) {
    // terms is listified first; with_items then flattens one more level.
    return flattenTerms(flattenTerms(terms));
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
    const files: string[] = [];
    const paths: string[] = [];
    let skip = truthy(kw.skip ?? false);
    const add = (spec: unknown): void => {
      if (isDict(spec)) {
        const fs = spec.files ?? spec.file ?? [];
        const ps = spec.paths ?? spec.path ?? [];
        for (const f of Array.isArray(fs) ? fs : pyStr(fs).split(/[,;]/)) files.push(pyStr(f));
        for (const p of Array.isArray(ps) ? ps : pyStr(ps).split(/[,:;]/)) paths.push(pyStr(p));
        if (spec.skip !== undefined) skip = truthy(spec.skip);
      } else if (Array.isArray(spec)) spec.forEach(add);
      else files.push(pyStr(spec));
    };
    terms.forEach(add);
    if (kw.files !== undefined) add({ files: kw.files, paths: kw.paths ?? [] });
    for (const f of files) {
      const candidates = paths.length && !path.isAbsolute(f) ? paths.map((p) => (path.isAbsolute(p) ? path.join(p, f) : findFile(path.join(p, f), 'files', ctx.searchPaths) ?? path.join(p, f))) : [findFile(f, 'files', ctx.searchPaths) ?? f];
      for (const c of candidates) if (existsSync(c)) return [path.resolve(c)];
    }
    if (skip) return [];
    throw new TemplateError('No file was found when using first_found.');
  },
};
