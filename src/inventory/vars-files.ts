// group_vars/ and host_vars/ lookup, following Ansible's host_group_vars plugin
// and DataLoader.find_vars_files: for an entity NAME the first existing of
// NAME (file or directory), NAME.yml, NAME.yaml, NAME.json is used; a directory
// contributes every file below it (sorted, recursively, hidden files and `~`
// backups skipped, only no-extension/.yml/.yaml/.json files), merged in order.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { errVarsFileRead } from '../errors.js';
import { loadVarsText } from './yaml-source.js';

export type VarsKind = 'group_vars' | 'host_vars';

const VARS_EXTENSIONS = ['.yml', '.yaml', '.json'];

export type VarsCache = Map<string, Record<string, unknown>>;

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export function findVarsFiles(dir: string, kind: VarsKind, name: string): string[] {
  const base = join(dir, kind, name);
  for (const ext of ['', ...VARS_EXTENSIONS]) {
    const candidate = base + ext;
    const st = statOrNull(candidate);
    if (!st) continue;
    return st.isDirectory() ? filesInVarsDir(candidate) : [candidate];
  }
  return [];
}

function filesInVarsDir(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const full = join(dir, entry);
    const ext = extname(entry);
    const st = statOrNull(full);
    if (!st) continue;
    if (st.isDirectory() && !ext) out.push(...filesInVarsDir(full));
    else if (st.isFile() && (!ext || VARS_EXTENSIONS.includes(ext))) out.push(full);
  }
  return out;
}

/** Merged vars of `dir/kind/name*` (empty when nothing exists). */
export function loadVarsFor(dir: string, kind: VarsKind, name: string, cache?: VarsCache): Record<string, unknown> {
  const key = `${dir}\0${kind}\0${name}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const merged: Record<string, unknown> = {};
  for (const file of findVarsFiles(dir, kind, name)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw errVarsFileRead((e as Error).message, {
        pos: { file, line: 1, col: 1 },
      });
    }
    Object.assign(merged, loadVarsText(text, file));
  }
  cache?.set(key, merged);
  return merged;
}
