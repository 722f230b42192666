// The sequence lookup (with_sequence): "[start-]end[/stride][:format]" or
// "start= end=|count= stride= format=", numbers in Python's int(x, 0) bases.
import { TemplateError } from './errors.js';
import { percentFormat } from './python.js';

const NUM = '(0?x?[0-9a-f]+)';
const SHORTCUT = new RegExp(`^(${NUM}-)?${NUM}(/${NUM})?(:(.+))?$`, 'i');

/** Python's int(text, 0): decimal, 0x hex, 0o/0 octal, 0b binary. */
function pyInt0(text: string, name: string): number {
  const t = text.trim().replace(/_/g, '');
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0|[1-9][0-9]*)$/.exec(t);
  if (!m) throw new TemplateError(`can't parse ${name}=${text} as integer`);
  const body = m[2];
  const n = /^0[oO]/.test(body) ? parseInt(body.slice(2), 8) : /^0[bB]/.test(body) ? parseInt(body.slice(2), 2) : Number(body);
  return m[1] === '-' ? -n : n;
}

function splitKv(term: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of term.trim().split(/\s+/)) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    if (eq < 0) throw new TemplateError(`unrecognized arguments to with_sequence: ['_raw_params']`);
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

export function sequence(term: string): string[] {
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const short = SHORTCUT.exec(term);
  if (short) {
    if (short[2] !== undefined) start = pyInt0(short[2], 'start');
    end = pyInt0(short[3], 'end');
    if (short[5] !== undefined) stride = pyInt0(short[5], 'stride');
    if (short[7] !== undefined) format = short[7];
  } else {
    const args = splitKv(term);
    const take = (name: string): number | undefined => {
      const raw = args[name];
      delete args[name];
      return raw === undefined ? undefined : pyInt0(raw, name);
    };
    start = take('start') ?? start;
    end = take('end');
    count = take('count');
    stride = take('stride') ?? stride;
    if ('format' in args) {
      format = args.format;
      delete args.format;
    }
    const left = Object.keys(args);
    if (left.length) throw new TemplateError(`unrecognized arguments to with_sequence: [${left.map((k) => `'${k}'`).join(', ')}]`);
  }
  if (count === undefined && end === undefined) throw new TemplateError('must specify count or end in with_sequence');
  if (count !== undefined && end !== undefined) throw new TemplateError("can't specify both count and end in with_sequence");
  if (count !== undefined) {
    if (count !== 0) end = start + count * stride - 1;
    else [start, end, stride] = [0, 0, 0];
  }
  const last = end as number;
  if (stride > 0 && last < start) throw new TemplateError('to count backwards make stride negative');
  if (stride < 0 && last > start) throw new TemplateError("to count forward don't make stride negative");
  if (format.split('%').length !== 2) throw new TemplateError(`bad formatting string: ${format}`);
  const out: string[] = [];
  if (stride === 0) return out;
  // range(start, end + adjust, stride)
  const stop = last + (stride > 0 ? 1 : -1);
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(percentFormat(format, [i]));
  return out;
}
