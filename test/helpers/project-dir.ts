// Throwaway project folders for side-by-side runs: an inventory and a few files, removed
// when the test file is done.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Two local hosts, a and b, with the interpreter named so ansible-playbook prints no discovery warning. */
export const LOCAL_AB_INV = '[all]\na ansible_connection=local ansible_python_interpreter=/usr/bin/python3\nb ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n';

/**
 * A maker of project folders (`inv.ini` holding `inventory`, then `files` by relative path);
 * call it at a test file's top level, where it registers the folders' removal.
 */
export function projectMaker(prefix: string, inventory = LOCAL_AB_INV): (files: Record<string, string>) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return (files) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'inv.ini'), inventory);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    return dir;
  };
}
