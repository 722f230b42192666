// bin/rackplay.js and its V8 code cache: written only after a playbook run, private to the
// user (0600 in a 0700 directory), used by the next run, and harmless when it is garbage,
// someone else's or turned off.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecap, runRackplay } from '../helpers/cli.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'rackplay-code-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PLAYBOOK = `
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - debug: { msg: "cached {{ 6 * 7 }}" }
`;

function setup(name: string) {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'site.yml'), PLAYBOOK);
  const cacheHome = path.join(dir, 'cache');
  const env = { XDG_CACHE_HOME: cacheHome, RACKPLAY_NO_CODE_CACHE: '' };
  const cacheFiles = () => {
    try {
      return readdirSync(path.join(cacheHome, 'rackplay')).map((f) => path.join(cacheHome, 'rackplay', f));
    } catch {
      return [];
    }
  };
  const play = async () => {
    const r = await runRackplay(['site.yml', '-i', 'localhost,'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('"msg": "cached 42"');
    expect(parseRecap(r.stdout).localhost).toMatchObject({ ok: 1, failed: 0 });
    return r;
  };
  return { dir, env, cacheHome, cacheFiles, play };
}

describe('V8 code cache of the bundled CLI', () => {
  it('is written after a playbook run only, privately, and reused as it is', async () => {
    const s = setup('normal');
    const version = await runRackplay(['--version'], { cwd: s.dir, env: s.env });
    expect(version.code).toBe(0);
    expect(s.cacheFiles()).toEqual([]);

    await s.play();
    const [file] = s.cacheFiles();
    expect(file).toMatch(/\.v8cache$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const first = readFileSync(file);
    expect(first.length).toBeGreaterThan(100_000);

    // Accepted by V8, so not rewritten.
    const mtime = statSync(file).mtimeMs;
    await s.play();
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(s.cacheFiles()).toHaveLength(1);
  });

  it('survives a corrupt cache (rewritten) and ignores one that others may write', async () => {
    const s = setup('bad');
    await s.play();
    const [file] = s.cacheFiles();
    writeFileSync(file, 'not a code cache');
    await s.play();
    expect(readFileSync(file).length).toBeGreaterThan(100_000);

    // Group- or world-writable: not read, and replaced by a private one.
    writeFileSync(file, 'planted by someone else');
    chmodSync(file, 0o666);
    await s.play();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('planted');
  });

  it('is neither read nor written with RACKPLAY_NO_CODE_CACHE', async () => {
    const s = setup('off');
    const r = await runRackplay(['site.yml', '-i', 'localhost,'], { cwd: s.dir, env: { ...s.env, RACKPLAY_NO_CODE_CACHE: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(s.cacheFiles()).toEqual([]);
  });
});
