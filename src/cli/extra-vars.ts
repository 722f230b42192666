// -e/--extra-vars in its three forms: k=v pairs, a JSON or YAML document, @file.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { errExtraVarsData, errExtraVarsFileRead, errExtraVarsFileYaml, errExtraVarsNotDict, errExtraVarsSyntax, errExtraVarsType } from '../errors.js';
import { parseKv } from '../playbook/index.js';
import { decryptYamlFileText } from '../vault/context.js';

/** `a=1 b="two words"`, parsed as Ansible does (its parse_kv, shared with task arguments). */
export function parseKeyValues(text: string): Record<string, string> {
  let parsed;
  try {
    parsed = parseKv(text, false);
  } catch (e) {
    throw errExtraVarsData((e as Error).message, {});
  }
  if (parsed.raw !== undefined) {
    throw errExtraVarsNotDict(parsed.raw, {
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
        throw errExtraVarsFileRead(file, { hint: 'the path after @ is relative to the current directory' });
      }
      // `-e @secrets.yml` may be a vault-encrypted file, as with ansible-playbook
      text = decryptYamlFileText(text, file);
      try {
        data = parse(text, { version: '1.1' });
      } catch (e) {
        const err = e as { linePos?: { line: number; col: number }[]; message: string };
        throw errExtraVarsFileYaml(err.message.split('\n')[0], { pos: { file, line: err.linePos?.[0]?.line ?? 1, col: err.linePos?.[0]?.col ?? 1 } });
      }
    } else if (/^\s*[{[]/.test(v)) {
      try {
        data = parse(v, { version: '1.1' });
      } catch (e) {
        throw errExtraVarsSyntax((e as Error).message.split('\n')[0], {});
      }
    } else {
      data = parseKeyValues(v);
    }
    if (data === null || data === undefined) continue;
    if (typeof data !== 'object' || Array.isArray(data)) throw errExtraVarsType(v, {});
    Object.assign(out, data);
  }
  return out;
}
