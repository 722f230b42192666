// Lookups that shape data rather than read the controller: subelements, together,
// nested, flattened, random_choice, sequence, varnames; and ini, which reads a file with
// Python's configparser rules. Each is also what its with_<name> loop runs.
import { readFileSync } from 'node:fs';
import { LookupFailure, TemplateError } from './errors.js';
import { isDict, pyRepr, pyStr, truthy, typeName, type Dict } from './python.js';
import { RegexSyntaxError, pyRegex } from './regex.js';
import { sequence } from './lookup-sequence.js';
import { ansibleBool } from './filters.js';
import type { Lookup, LookupContext } from './lookup-types.js';
import { decodeText } from './lookup-encoding.js';

function listify(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

/** Item without the sub-key, as Ansible pops it: the copy along the key path, not the caller's dict. */
function withoutKey(item: Dict, keys: string[]): Dict {
  const copy: Dict = { ...item };
  const [first, ...rest] = keys;
  if (rest.length === 0) delete copy[first];
  else if (isDict(copy[first])) copy[first] = withoutKey(copy[first] as Dict, rest);
  return copy;
}

function subelements(_ctx: LookupContext, terms: unknown[]): unknown[] {
  const usage = (msg = ''): never => {
    throw new TemplateError('subelements lookup expects a list of two or three items, ' + msg);
  };
  if (terms.length < 2 || terms.length > 3) usage();
  // the first term goes through listify_lookup_plugin_terms: a scalar becomes a one-item list
  const [first, subkey, flags = {}] = terms;
  const source = Array.isArray(first) || isDict(first) ? first : [first];
  if (!(Array.isArray(source) || isDict(source)) || typeof subkey !== 'string') usage('first a dict or a list, second a string pointing to the subkey');
  // as Ansible checks it: any dict passes, anything else must hold nothing but flag names
  const flagNames = typeof flags === 'string' ? [...flags] : Array.isArray(flags) ? flags : [flags];
  if (!isDict(flags) && !flagNames.every((k) => k === 'skip_missing')) usage("the optional third item must be a dict with flags ('skip_missing',)");
  let elements: unknown[];
  if (isDict(source)) {
    // a registered result that was skipped as a whole
    if ('skipped' in source && source.skipped !== false) return [];
    elements = Object.values(source);
  } else elements = source as unknown[];
  const keys = (subkey as string).split('.');
  const skipMissing = ansibleBool((flags as Dict).skip_missing ?? false);
  const out: unknown[] = [];
  for (const item of elements) {
    if (!isDict(item)) throw new TemplateError(`subelements lookup expects a dictionary, got '${pyStr(item)}'`);
    if ('skipped' in item && item.skipped !== false) continue;
    let cur: Dict = item;
    let sublist: unknown[] = [];
    let found = true;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (!(k in cur)) {
        if (skipMissing) {
          found = false;
          break;
        }
        throw new TemplateError(`could not find '${k}' key in iterated item '${pyRepr(cur)}'`);
      }
      const v = cur[k];
      if (i < keys.length - 1) {
        if (!isDict(v)) {
          if (skipMissing) {
            found = false;
            break;
          }
          throw new TemplateError(`the key ${k} should point to a dictionary, got '${pyRepr(v)}'`);
        }
        cur = v;
      } else {
        if (!Array.isArray(v)) throw new TemplateError(`the key ${k} should point to a list, got '${pyRepr(v)}'`);
        sublist = v;
      }
    }
    if (!found) continue;
    const parent = withoutKey(item, keys);
    for (const s of sublist) out.push([parent, s]);
  }
  return out;
}

/** configparser: [sections], `key = value` or `key: value`, indented continuation lines, %(name)s. */
function parseIni(text: string, caseSensitive: boolean, allowNoValue: boolean, file: string): Map<string, Map<string, string | null>> {
  const sections = new Map<string, Map<string, string | null>>([['DEFAULT', new Map()]]);
  let cur: Map<string, string | null> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    if (/^\s*[#;]/.test(line) || line.trim() === '') {
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(line) && cur && lastKey !== undefined) {
      cur.set(lastKey, (cur.get(lastKey) ?? '') + '\n' + line.trim());
      continue;
    }
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      cur = sections.get(sec[1]) ?? new Map();
      sections.set(sec[1], cur);
      lastKey = undefined;
      continue;
    }
    if (!cur) throw new TemplateError(`File contains no section headers.\nfile: '<???>', line: 1\n${pyRepr(raw + '\n')}`);
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line.trim());
    let key: string;
    let value: string | null;
    if (kv) [key, value] = [kv[1], kv[2]];
    else if (allowNoValue) [key, value] = [line.trim(), null];
    else throw new TemplateError(`Source contains parsing errors: ${pyRepr(file)}`);
    if (!caseSensitive) key = key.toLowerCase();
    if (cur.has(key)) throw new LookupFailure(`Duplicate option in '${file}': option ${pyRepr(key)} in section ${pyRepr([...sections].find(([, m]) => m === cur)?.[0])} already exists`);
    cur.set(key, value);
    lastKey = key;
  }
  return sections;
}

function interpolate(value: string | null, lookup: (k: string) => string | null | undefined, depth = 0): string | null {
  if (value === null || !value.includes('%')) return value;
  if (depth > 10) throw new TemplateError('Interpolation depth exceeded');
  return value.replace(/%(%|\(([^)]+)\)s)/g, (m, _all, name?: string) => {
    if (name === undefined) return '%';
    const v = lookup(name.toLowerCase());
    if (v === undefined) throw new TemplateError(`Bad value substitution: option ${pyRepr(name)} references missing option`);
    return interpolate(v, lookup, depth + 1) ?? '';
  });
}

const INI_OPTIONS = ['type', 'file', 'section', 're', 'encoding', 'default', 'case_sensitive', 'allow_no_value', 'allow_none'];

/** The legacy inline form: "key section=s file=f", where a value may carry spaces. */
function inlineParams(term: string): string[] {
  const params: Record<string, string> = {};
  const order: string[] = [];
  let current = 'key';
  term.trim().split(/\s+/).forEach((phrase, i) => {
    if (phrase.includes('=')) for (const k of INI_OPTIONS) if (phrase.includes(`${k}=`)) current = k;
    if (i === 0 || !params[current]) {
      params[current] = phrase;
      order.push(current);
    } else params[current] += ' ' + phrase;
  });
  return order.map((k) => params[k]);
}

function ini(ctx: LookupContext, terms: unknown[], kw: Dict): unknown[] {
  const out: unknown[] = [];
  for (const t of terms) {
    const term = pyStr(t);
    const opts: Dict = { type: 'ini', file: 'ansible.ini', section: 'global', re: false, encoding: 'utf-8', default: '', case_sensitive: false, allow_no_value: kw.allow_none ?? false, ...kw };
    let key = term;
    if (term.includes('=') || term.trim().includes(' ')) {
      let updated = false;
      for (const param of inlineParams(term)) {
        if (param.includes('=')) {
          const parts = param.split('=');
          if (parts.length !== 2) throw new LookupFailure(`Could not use '${param}' from ${pyRepr(inlineParams(term))}: too many values to unpack (expected 2)`);
          if (!INI_OPTIONS.includes(parts[0])) throw new LookupFailure(`${parts[0]} is not a valid option.`);
          opts[parts[0]] = parts[1];
        } else if (!updated) {
          key = param;
          updated = true;
        }
      }
      if (!updated) throw new TemplateError(`No key to lookup was provided as first term with in string inline options: ${term}`);
    }
    const fileName = pyStr(opts.file);
    const found = ctx.findFile(fileName, 'files');
    if (!found) throw new TemplateError(`Unable to find '${fileName}' in expected paths`);
    let text = decodeText(readFileSync(found), pyStr(opts.encoding));
    let section = pyStr(opts.section);
    if (opts.type === 'properties') {
      text = '[java_properties]\n' + text;
      section = 'java_properties';
    }
    const parsed = parseIni(text, truthy(opts.case_sensitive), truthy(opts.allow_no_value), fileName);
    const defaults = parsed.get('DEFAULT')!;
    const sec = section === 'DEFAULT' ? defaults : parsed.get(section);
    if (!sec) throw new LookupFailure(`No section '${section}' in ${fileName}`);
    const get = (k: string): string | null | undefined => (sec.has(k) ? sec.get(k) : defaults.get(k));
    if (ansibleBool(opts.re)) {
      const re = pyRegex(key, {});
      const names = [...new Set([...sec.keys(), ...defaults.keys()])];
      for (const k of names) if (re.exec(k)?.index === 0) out.push(interpolate(get(k) ?? null, get));
      continue;
    }
    const k = truthy(opts.case_sensitive) ? key : key.toLowerCase();
    const v = get(k);
    const value = v === undefined ? opts.default : interpolate(v, get);
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export const DATA_LOOKUPS: Record<string, Lookup> = {
  subelements,
  ini,
  together(_ctx, terms) {
    if (terms.length === 0) throw new TemplateError('with_together requires at least one element in each list');
    const lists = terms.map(listify);
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : null)));
  },
  nested(_ctx, terms) {
    if (terms.length === 0) throw new TemplateError('with_nested requires at least one element in the nested list');
    return terms.map(listify).reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
  },
  flattened(_ctx, terms) {
    const flat = (v: unknown[]): unknown[] => v.flatMap((x) => (Array.isArray(x) ? flat(x) : x === null || x === undefined ? [] : [x]));
    return flat(terms);
  },
  random_choice(_ctx, terms) {
    return terms.length ? [terms[Math.floor(Math.random() * terms.length)]] : [];
  },
  sequence(_ctx, terms) {
    return terms.flatMap((t) => sequence(pyStr(t)));
  },
  varnames(ctx, terms) {
    // the template's own names, then the variables under them; ownKeys only, so nothing is rendered
    const names: string[] = [];
    for (let o: object | null = ctx.vars; o; o = Object.getPrototypeOf(o)) for (const k of Reflect.ownKeys(o)) if (typeof k === 'string') names.push(k);
    const unique = [...new Set(names)];
    return terms.flatMap((t) => {
      if (typeof t !== 'string') throw new TemplateError(`Invalid setting identifier, "${pyStr(t)}" is not a string, it is a <class '${typeName(t)}'>`);
      let re: RegExp;
      try {
        re = pyRegex(t, {});
      } catch (e) {
        if (e instanceof RegexSyntaxError) throw new TemplateError(`Unable to use "${t}" as a search parameter: ${e.reason}`);
        throw e;
      }
      return unique.filter((n) => re.test(n));
    });
  },
};
