// JSON and YAML output as Ansible's to_json / to_nice_json / to_yaml / to_nice_yaml
// produce it (Python json.dumps and PyYAML conventions), so rendered config files
// match byte for byte where it matters most: separators, key order, escaping.
import YAML from 'yaml';
import { TemplateError } from './errors.js';
import { isDict } from './python.js';
import { Undefined } from './undefined.js';

export interface JsonOptions {
  indent?: number;
  sortKeys?: boolean;
  /** [item separator, key separator], Python's defaults: [', ', ': '] without indent. */
  separators?: [string, string];
  ensureAscii?: boolean;
}

function jsonString(s: string, ensureAscii: boolean): string {
  let out = JSON.stringify(s);
  if (ensureAscii) out = out.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  return out;
}

export function pyJsonDumps(value: unknown, opts: JsonOptions = {}): string {
  const indent = opts.indent;
  const [itemSep, keySep] = opts.separators ?? (indent !== undefined ? [',', ': '] : [', ', ': ']);
  const ensureAscii = opts.ensureAscii ?? true;
  const walk = (v: unknown, level: number): string => {
    if (v instanceof Undefined) throw v.error();
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
      return String(v);
    }
    if (typeof v === 'string') return jsonString(v, ensureAscii);
    const nl = indent !== undefined ? '\n' + ' '.repeat(indent * (level + 1)) : '';
    const close = indent !== undefined ? '\n' + ' '.repeat(indent * level) : '';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return '[' + nl + v.map((x) => walk(x, level + 1)).join(itemSep + nl) + close + ']';
    }
    if (isDict(v) || (typeof v === 'object' && v !== null)) {
      const obj = v as Record<string, unknown>;
      let keys = Object.keys(obj);
      if (opts.sortKeys) keys = keys.sort();
      if (keys.length === 0) return '{}';
      return '{' + nl + keys.map((k) => jsonString(k, ensureAscii) + keySep + walk(obj[k], level + 1)).join(itemSep + nl) + close + '}';
    }
    throw new TemplateError(`Object of type ${typeof v} is not JSON serializable`);
  };
  return walk(value, 0);
}

function toPlain(v: unknown): unknown {
  if (v instanceof Undefined) throw v.error();
  if (Array.isArray(v)) return v.map(toPlain);
  if (isDict(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, toPlain(v[k])]));
  return v;
}

export function toYaml(value: unknown, opts: { indent?: number; nice: boolean; sortKeys?: boolean }): string {
  const doc = new YAML.Document(toPlain(value), { sortMapEntries: opts.sortKeys ?? true });
  if (!opts.nice) {
    // PyYAML's default_flow_style=None: collections holding only scalars go inline.
    const leafOnly = (node: unknown): boolean =>
      (YAML.isSeq(node) && node.items.every((i) => YAML.isScalar(i))) ||
      (YAML.isMap(node) && node.items.every((p) => YAML.isScalar(p.value) || p.value === null));
    YAML.visit(doc, {
      Collection(_key, node) {
        if (leafOnly(node) && node.items.length > 0) node.flow = true;
      },
    });
  }
  return doc.toString({
    indent: opts.indent ?? (opts.nice ? 4 : 2),
    indentSeq: false,
    lineWidth: 0,
    flowCollectionPadding: false,
  });
}

export function fromYaml(text: string): unknown {
  try {
    return YAML.parse(text, { version: '1.1', merge: true });
  } catch (e) {
    throw new TemplateError(`from_yaml: ${(e as Error).message}`);
  }
}

/** Every document of a YAML stream (from_yaml_all), parsed as from_yaml parses one. */
export function fromYamlAll(text: string): unknown[] {
  const docs = YAML.parseAllDocuments(text, { version: '1.1', merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    if (doc.errors.length) throw new TemplateError(`from_yaml_all: ${doc.errors[0].message}`);
    return doc.toJS();
  });
}
