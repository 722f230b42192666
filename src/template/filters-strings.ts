// String and regex filters: case, trim, replace, regex_*, join/split, format, indent,
// comment, quote, escape. Separate from lists so text handling reads on its own.
import { quote } from '../transport/quote.js';
import { TemplateError } from './errors.js';
import { memberLookup } from './methods.js';
import { pyRepr, pyStr, percentFormat, truthy, type Dict } from './python.js';
import { expandReplacement, pyRegex } from './regex.js';
import { need } from './undefined.js';
import { arg, attrGetter, toList, type Filter } from './filter-support.js';

function regexOpts(pos: unknown[], kw: Dict, firstFlagIndex: number): { ignorecase: boolean; multiline: boolean } {
  return {
    ignorecase: truthy(arg(pos, kw, firstFlagIndex, 'ignorecase', false)),
    multiline: truthy(arg(pos, kw, firstFlagIndex + 1, 'multiline', false)),
  };
}

const COMMENT_STYLES: Record<string, Dict> = {
  plain: { decoration: '# ' },
  erlang: { decoration: '% ' },
  c: { decoration: '// ' },
  cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
  xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
};

/** Ansible's comment filter: every part (prefix, decoration, counts, newline) can be overridden. */
function comment(text: string, style: string, kw: Dict): string {
  const styleParams = COMMENT_STYLES[style];
  if (!styleParams) throw new TemplateError(`KeyError: '${style}'`);
  const prepostfix = pyStr('decoration' in kw ? kw.decoration : styleParams.decoration).trimEnd();
  const p: Dict = { newline: '\n', beginning: '', prefix: prepostfix, prefix_count: 1, decoration: '', postfix: prepostfix, postfix_count: 1, end: '', ...styleParams, ...kw };
  const nl = pyStr(p.newline);
  const deco = pyStr(p.decoration);
  const beginning = p.beginning ? pyStr(p.beginning) + nl : '';
  const prefix = p.prefix ? (p.prefix !== nl ? pyStr(p.prefix) + nl : nl).repeat(Number(p.prefix_count)) : '';
  const body = (deco + text.split(nl).join(nl + deco)).split(deco + nl).join(deco.trimEnd() + nl);
  const postfix = ['', ...Array.from({ length: Number(p.postfix_count) }, () => pyStr(p.postfix))].join(nl);
  const end = p.end ? nl + pyStr(p.end) : '';
  return beginning + prefix + body + postfix + end;
}

export const STRING_FILTERS: Record<string, Filter> = {
  lower: (v) => pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v).toUpperCase(),
  capitalize: (v) => {
    const s = pyStr(v);
    return s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
  },
  title: (v) => pyStr(v).replace(/[A-Za-z0-9']+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v, pos, kw) => {
    const chars = arg(pos, kw, 0, 'chars', null);
    const s = pyStr(v);
    if (chars === null) return s.trim();
    const set = new Set(Array.from(String(chars)));
    const a = Array.from(s);
    let i = 0;
    let j = a.length;
    while (i < j && set.has(a[i])) i++;
    while (j > i && set.has(a[j - 1])) j--;
    return a.slice(i, j).join('');
  },
  replace: (v, pos, kw) => {
    const s = pyStr(v);
    const old = pyStr(need(arg(pos, kw, 0, 'old')));
    const neu = pyStr(need(arg(pos, kw, 1, 'new')));
    const count = arg(pos, kw, 2, 'count', null);
    const parts = s.split(old);
    if (count === null || Number(count) < 0) return parts.join(neu);
    const n = Number(count);
    return parts.slice(0, n + 1).join(neu) + (parts.length > n + 1 ? old + parts.slice(n + 1).join(old) : '');
  },
  regex_replace: (v, pos, kw) => {
    const s = pyStr(v);
    const pattern = pyStr(arg(pos, kw, 0, 'pattern', ''));
    const replacement = pyStr(arg(pos, kw, 1, 'replacement', ''));
    const o = regexOpts(pos, kw, 2);
    const count = Number(arg(pos, kw, 4, 'count', 0));
    const re = pyRegex(pattern, o, true);
    let done = 0;
    return s.replace(re, (...m: unknown[]) => {
      if (count > 0 && done >= count) return m[0] as string;
      done++;
      const hasGroups = typeof m[m.length - 1] === 'object' && m[m.length - 1] !== null;
      const groups = hasGroups ? (m[m.length - 1] as Record<string, string | undefined>) : undefined;
      const match = m.slice(0, hasGroups ? -3 : -2) as string[];
      return expandReplacement(replacement, match, groups);
    });
  },
  regex_search: (v, pos, kw) => {
    const s = pyStr(v);
    const pattern = pyStr(need(pos[0]));
    const re = pyRegex(pattern, { ignorecase: truthy(kw.ignorecase ?? false), multiline: truthy(kw.multiline ?? false) });
    const m = re.exec(s);
    const refs = pos.slice(1);
    if (!m) return refs.length ? '' : null;
    if (refs.length === 0) return m[0];
    return refs.map((r) => {
      const ref = pyStr(r);
      const named = /^\\g<(\w+)>$/.exec(ref);
      if (named) return /^\d+$/.test(named[1]) ? (m[Number(named[1])] ?? null) : (m.groups?.[named[1]] ?? null);
      const num = /^\\(\d+)$/.exec(ref);
      if (num) return m[Number(num[1])] ?? null;
      throw new TemplateError(`Unknown argument ${pyRepr(ref)} to regex_search, expected '\\1' or '\\g<name>'`);
    });
  },
  regex_findall: (v, pos, kw) => {
    const s = pyStr(v);
    const re = pyRegex(pyStr(need(arg(pos, kw, 0, 'regex'))), { multiline: truthy(arg(pos, kw, 1, 'multiline', false)), ignorecase: truthy(arg(pos, kw, 2, 'ignorecase', false)) }, true);
    const out: unknown[] = [];
    for (const m of s.matchAll(re)) {
      if (m.length === 1) out.push(m[0]);
      else if (m.length === 2) out.push(m[1] ?? '');
      else out.push(m.slice(1).map((g) => g ?? ''));
    }
    return out;
  },
  regex_escape: (v, pos, kw) => {
    const type = arg(pos, kw, 0, 're_type', 'python');
    const s = pyStr(v);
    if (type === 'posix_basic') return s.replace(/[.*[\]^$\\]/g, '\\$&');
    if (type === 'posix_extended') throw new TemplateError(`Regex type (${pyStr(type)}) not yet implemented`);
    if (type !== 'python') throw new TemplateError(`Invalid regex type (${pyStr(type)})`);
    // Python 3.7+'s re.escape: only the characters special in a pattern (and whitespace).
    return s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => '\\' + c);
  },
  join: (v, pos, kw) => {
    const sep = pyStr(arg(pos, kw, 0, 'd', ''));
    const attribute = arg(pos, kw, 1, 'attribute', null);
    let items = toList(v);
    if (attribute !== null) items = items.map(attrGetter(attribute));
    return items.map((x) => pyStr(need(x))).join(sep);
  },
  split: (v, pos, kw) => {
    const s = pyStr(v);
    const sep = arg(pos, kw, 0, 'seperator', arg([], kw, 0, 'separator', null));
    const max = Number(arg(pos, kw, 1, 'maxsplit', -1));
    return (memberLookup(s, 'split') as (...a: unknown[]) => unknown)(sep, max);
  },
  quote: (v) => quote(pyStr(v === null ? '' : v)),
  format: (v, pos, kw) => percentFormat(pyStr(v), Object.keys(kw).length ? kw : pos),
  indent: (v, pos, kw) => {
    const width = arg(pos, kw, 0, 'width', 4);
    const first = truthy(arg(pos, kw, 1, 'first', false));
    const blank = truthy(arg(pos, kw, 2, 'blank', false));
    const pad = typeof width === 'string' ? width : ' '.repeat(Number(width));
    const lines = pyStr(v).split('\n');
    return lines.map((l, i) => ((i === 0 && !first) || (!blank && l === '') ? l : pad + l)).join('\n');
  },
  center: (v, pos) => {
    const s = pyStr(v);
    const w = Number(pos[0] ?? 80);
    const total = Math.max(0, w - s.length);
    const left = Math.floor(total / 2);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  },
  wordcount: (v) => (pyStr(v).match(/\w+/g) ?? []).length,
  comment: (v, pos, kw) => comment(pyStr(v), pyStr(arg(pos, kw, 0, 'style', 'plain')), kw),
  escape: (v) => pyStr(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
};
