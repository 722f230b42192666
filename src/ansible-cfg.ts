// Finding and reading ansible.cfg, shared by the run's settings (src/cli/config.ts) and the
// vault's (src/vault/secrets.ts): both read the same file, and the vault must not depend
// on the command line to do it.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errConfigLine } from './errors.js';

/** Ansible's lookup order: ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg. */
export function findConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const candidates = [env.ANSIBLE_CONFIG, path.join(cwd, 'ansible.cfg'), path.join(os.homedir(), '.ansible.cfg'), '/etc/ansible/ansible.cfg'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Minimal INI as Python's configparser reads ansible.cfg: sections, key = value, ; and # comments. */
export function parseIni(text: string, file: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = out[sec[1].trim()] ??= {};
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv || !section) throw errConfigLine({ pos: { file, line: i + 1, col: 1 }, hint: 'expected [section] or key = value' });
    section[kv[1].trim().toLowerCase()] = kv[2].replace(/\s+[;#].*$/, '').trim();
  });
  return out;
}
