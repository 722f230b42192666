// -e/--extra-vars in its three forms: k=v pairs, a JSON or YAML document, @file.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { parseKv } from '../playbook/index.js';
import { decryptYamlFileText } from '../vault/context.js';

/** `a=1 b="two words"`, parsed as Ansible does (its parse_kv, shared with task arguments). */
export function parseKeyValues(text: string): Record<string, string> {
  let parsed;
  try {
    parsed = parseKv(text, false);
  } catch (e) {
    throw new UserError(`Invalid extra vars data supplied: ${(e as Error).message}`, { kind: 'options' });
  }
  if (parsed.raw !== undefined) {
    throw new UserError(`Invalid extra vars data supplied. '${parsed.raw}' could not be made into a dictionary`, {
      kind: 'options',
      hint: 'extra vars must be key=value pairs, a JSON/YAML document or @file, e.g. -e xen_allow_reboot=true or -e @vars.yml',
    });
  }
  return parsed.options;
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
      // `-e @secrets.yml` may be a vault-encrypted file, as with ansible-playbook
      text = decryptYamlFileText(text, file);
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
