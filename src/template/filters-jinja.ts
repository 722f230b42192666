// Jinja2 3.1's own filters that Ansible playbooks use and the families above lacked:
// items, attr, tojson, filesizeformat, truncate, striptags, wordwrap, forceescape, xmlattr.
import { TemplateError } from './errors.js';
import { memberLookup } from './methods.js';
import { isDict, pyStr, truthy } from './python.js';
import { pyJsonDumps } from './serialize.js';
import { Undefined } from './undefined.js';
import { arg, type Filter } from './filter-support.js';

/** markupsafe.escape. */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function unescapeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)));
    return ENTITIES[body] ?? m;
  });
}

/** Python's textwrap for one paragraph, as wordwrap configures it (tabs and newlines kept, no hyphen splitting). */
function wrapParagraph(text: string, width: number, breakLong: boolean): string[] {
  const chunks = text.split(/(\s+)/).filter((c) => c !== '');
  const lines: string[] = [];
  let cur: string[] = [];
  let len = 0;
  const flush = (): void => {
    while (cur.length && /^\s+$/.test(cur[cur.length - 1])) len -= cur.pop()!.length;
    if (cur.length) lines.push(cur.join(''));
    cur = [];
    len = 0;
  };
  for (let chunk of chunks) {
    // whitespace at the start of a wrapped line is dropped
    if (/^\s+$/.test(chunk) && cur.length === 0 && lines.length > 0) continue;
    while (len + chunk.length > width) {
      if (/^\s+$/.test(chunk)) {
        chunk = '';
        break;
      }
      if (chunk.length > width && breakLong) {
        const room = Math.max(1, width - len);
        cur.push(chunk.slice(0, room));
        chunk = chunk.slice(room);
        flush();
        continue;
      }
      if (cur.length === 0) break;
      flush();
    }
    if (chunk) {
      cur.push(chunk);
      len += chunk.length;
    }
  }
  flush();
  return lines;
}

export const JINJA_FILTERS: Record<string, Filter> = {
  items: (v) => {
    if (v instanceof Undefined || v === undefined) return [];
    if (!isDict(v)) throw new TemplateError('Can only get item pairs from a mapping.');
    return Object.entries(v);
  },
  // getattr only: a dict's keys are items, not attributes
  attr: (v, pos) => {
    const name = pyStr(pos[0]);
    if (isDict(v)) return new Undefined(name, `'dict object' has no attribute '${name}'`, { obj: v, name });
    return memberLookup(v, name);
  },
  tojson: (v, pos, kw) => {
    const indent = arg(pos, kw, 0, 'indent', null);
    return pyJsonDumps(v, { sortKeys: true, indent: indent === null ? undefined : Number(indent), ensureAscii: true })
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/'/g, '\\u0027');
  },
  filesizeformat: (v, pos, kw) => {
    const bytes = Number(v);
    const binary = truthy(arg(pos, kw, 0, 'binary', false));
    const base = binary ? 1024 : 1000;
    const prefixes = binary ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
    if (bytes === 1) return '1 Byte';
    if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
    let unit = base;
    for (let i = 0; i < prefixes.length; i++) {
      unit = base ** (i + 2);
      if (bytes < unit || i === prefixes.length - 1) return `${((base * bytes) / unit).toFixed(1)} ${prefixes[i]}`;
    }
    return '';
  },
  truncate: (v, pos, kw) => {
    const s = pyStr(v);
    const length = Number(arg(pos, kw, 0, 'length', 255));
    const killwords = truthy(arg(pos, kw, 1, 'killwords', false));
    const end = pyStr(arg(pos, kw, 2, 'end', '...'));
    const leewayArg = arg(pos, kw, 3, 'leeway', null);
    const leeway = leewayArg === null ? 5 : Number(leewayArg);
    if (length < end.length) throw new TemplateError(`expected length >= ${end.length}, got ${length}`);
    if (leeway < 0) throw new TemplateError(`expected leeway >= 0, got ${leeway}`);
    const chars = Array.from(s);
    if (chars.length <= length + leeway) return s;
    const head = chars.slice(0, length - end.length).join('');
    if (killwords) return head + end;
    const cut = head.lastIndexOf(' ');
    return (cut < 0 ? head : head.slice(0, cut)) + end;
  },
  striptags: (v) =>
    unescapeHtml(
      pyStr(v)
        .replace(/<!--[\s\S]*?(-->|$)/g, '')
        .replace(/<[^>]*>/g, ''),
    )
      .split(/\s+/)
      .filter((w) => w !== '')
      .join(' '),
  wordwrap: (v, pos, kw) => {
    const width = Number(arg(pos, kw, 0, 'width', 79));
    const breakLong = truthy(arg(pos, kw, 1, 'break_long_words', true));
    const wrapstring = arg(pos, kw, 2, 'wrapstring', null);
    const sep = wrapstring === null ? '\n' : pyStr(wrapstring);
    return pyStr(v)
      .split(/\r\n|\r|\n/)
      .map((para) => wrapParagraph(para, width, breakLong).join(sep))
      .join(sep);
  },
  forceescape: (v) => htmlEscape(pyStr(v)),
  xmlattr: (v, pos, kw) => {
    if (!isDict(v)) throw new TemplateError('xmlattr expects a mapping');
    const parts: string[] = [];
    for (const [k, val] of Object.entries(v)) {
      if (val === null || val === undefined || val instanceof Undefined) continue;
      if (/[\s/>=]/.test(k)) throw new TemplateError(`Invalid character in attribute name: ${JSON.stringify(k)}`);
      parts.push(`${htmlEscape(k)}="${htmlEscape(pyStr(val))}"`);
    }
    const out = parts.join(' ');
    return out && truthy(arg(pos, kw, 0, 'autospace', true)) ? ' ' + out : out;
  },
};
