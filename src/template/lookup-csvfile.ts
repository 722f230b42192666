// The csvfile lookup: the row whose first field is the search key, and one of its other
// columns. Options come as keywords or, the older way, as k=v words after the key; the
// file is read with the rules of Python's csv module (excel dialect, any delimiter).
import { readFileSync } from 'node:fs';
import { parseKv } from '../playbook/split-args.js';
import { TemplateError } from './errors.js';
import { pyRepr, pyStr, type Dict } from './python.js';
import type { Lookup } from './lookup-types.js';
import { decodeText } from './lookup-encoding.js';

const OPTIONS: Dict = { col: '1', default: null, delimiter: 'TAB', file: 'ansible.csv', encoding: 'utf-8' };

/** Python's csv.reader with the excel dialect: quoted fields, "" for a quote, CRLF or LF rows. */
export function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let atStart = true;
  let sawAny = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
      continue;
    }
    if (c === '"' && atStart) {
      quoted = true;
      atStart = false;
      sawAny = true;
      continue;
    }
    if (c === delimiter) {
      row.push(field);
      field = '';
      atStart = true;
      sawAny = true;
      continue;
    }
    if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (sawAny || field !== '') row.push(field);
      rows.push(row);
      [row, field, atStart, sawAny] = [[], '', true, false];
      continue;
    }
    field += c;
    atStart = false;
    sawAny = true;
  }
  if (sawAny || field !== '') {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Python's int() of a column number, as csvfile indexes the row with it. */
function column(row: string[], col: unknown): string {
  const text = pyStr(col).trim();
  if (!/^[+-]?\d+$/.test(text)) throw new TemplateError(`csvfile: invalid literal for int() with base 10: ${pyRepr(pyStr(col))}`);
  let n = Number(text);
  if (n < 0) n += row.length;
  if (n < 0 || n >= row.length) throw new TemplateError('csvfile: list index out of range');
  return row[n];
}

export const csvfile: Lookup = (ctx, terms, kw) => {
  const out: unknown[] = [];
  const params: Dict = { ...OPTIONS };
  for (const [k, v] of Object.entries(kw)) {
    if (!(k in OPTIONS)) throw new TemplateError(`Invalid option "${k}" for lookup csvfile`);
    params[k] = v;
  }
  for (const t of terms) {
    const { options, raw } = parseKv(pyStr(t), false);
    if (raw === undefined) throw new TemplateError('Search key is required but was not found');
    for (const [k, v] of Object.entries(options)) {
      if (!(k in OPTIONS)) throw new TemplateError(`${k} is not a valid option`);
      params[k] = v;
    }
    if (params.delimiter === 'TAB') params.delimiter = '\t';
    const fileName = pyStr(params.file);
    const found = ctx.findFile(fileName, 'files');
    // Ansible opens what its search gave back, None when nothing was found
    if (!found) throw new TemplateError("csvfile: [Errno 2] No such file or directory: b'None'");
    const delimiter = pyStr(params.delimiter);
    if ([...delimiter].length !== 1) throw new TemplateError('csvfile: "delimiter" must be a 1-character string');
    const text = decodeText(readFileSync(found), pyStr(params.encoding));
    const row = parseCsv(text, delimiter).find((r) => r.length > 0 && r[0] === raw);
    const value = row ? column(row, params.col) : params.default;
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
  }
  return out;
};
