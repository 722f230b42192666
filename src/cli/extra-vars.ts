// -e/--extra-vars in its three forms: k=v pairs, a JSON or YAML document, @file.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UserError } from '../errors.js';

/** Split `a=1 b="two words"` into pairs, honoring quotes and backslash escapes. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && quote !== "'") {
      cur += text[++i];
      inWord = true;
    } else if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new UserError(`unbalanced ${quote} quote in "${text}"`, { kind: 'options' });
  if (inWord) words.push(cur);
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new UserError(`extra vars must be key=value pairs, a JSON/YAML document or @file; got "${w}"`, { kind: 'options', hint: 'e.g. -e xen_allow_reboot=true or -e @vars.yml' });
    out[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return out;
}

export function parseExtraVars(values: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) {
    let data: unknown;
    if (v.startsWith('@')) {
      const file = v.slice(1);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new UserError(`the extra vars file ${file} could not be read`, { kind: 'options', hint: 'the path after @ is relative to the current directory' });
      }
      try {
        data = parse(text, { version: '1.1' });
      } catch (e) {
        const err = e as { linePos?: { line: number; col: number }[]; message: string };
        throw new UserError(`extra vars file is not valid YAML: ${err.message.split('\n')[0]}`, { kind: 'options', pos: { file, line: err.linePos?.[0]?.line ?? 1, col: err.linePos?.[0]?.col ?? 1 } });
      }
    } else if (/^\s*[{[]/.test(v)) {
      try {
        data = parse(v, { version: '1.1' });
      } catch (e) {
        throw new UserError(`extra vars are not valid JSON/YAML: ${(e as Error).message.split('\n')[0]}`, { kind: 'options' });
      }
    } else {
      data = parseKeyValues(v);
    }
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) throw new UserError(`extra vars must be a dictionary, got: ${v}`, { kind: 'options' });
    Object.assign(out, data);
  }
  return out;
}
