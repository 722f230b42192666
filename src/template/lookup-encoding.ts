// Files read by lookups (ini, csvfile) in the encoding the caller names with Python's codec
// names, which mostly coincide with the WHATWG labels TextDecoder knows.
import { TextDecoder } from 'node:util';
import { TemplateError } from './errors.js';

const PY_ALIASES: Record<string, string> = { 'latin-1': 'latin1', 'latin_1': 'latin1', l1: 'latin1', utf_8: 'utf-8', u8: 'utf-8', 'utf8-sig': 'utf-8', 'utf_8_sig': 'utf-8' };

export function decodeText(bytes: Buffer, encoding: string): string {
  const name = encoding.trim().toLowerCase();
  const label = PY_ALIASES[name] ?? name;
  for (const candidate of [label, label.replace(/_/g, '-'), label.replace(/^iso(\d)/, 'iso-$1')]) {
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(candidate, { fatal: true });
    } catch {
      continue;
    }
    try {
      return decoder.decode(bytes);
    } catch {
      throw new TemplateError(`'${name}' codec can't decode the file`);
    }
  }
  throw new TemplateError(`unknown encoding: ${encoding}`);
}
