// Seeded `random` and `shuffle` filters and the password lookup give the values Ansible
// gives (Python's Random), and the lookup's files are made, read and salted as Ansible's
// are: one run of each tool over its own copy of the same password store.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, haveAnsiblePlaybook, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';

const fixture = path.join(repoRoot, 'test/fixtures/seeded-random');
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-seeded-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A password store with one salted entry written beforehand, so its hash is fixed. */
function store(name: string): string {
  const dir = path.join(work, name);
  cpSync(fixture, dir, { recursive: true });
  writeFileSync(path.join(dir, 'salted8'), 'hunter2 salt=abcdefgh\n');
  return dir;
}

describe('seeded randomness', () => {
  it('gives Python\'s values and keeps the password files as Ansible does', async () => {
    const dir = store('ours');
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', `out=${dir}`], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const msgs = debugMsgs(r.stdout);
    // values computed with CPython 3.11's random.Random for these seeds
    expect(msgs).toContain('minute 22 hour 1 step 80 pick c');
    expect(msgs.filter((m) => m.startsWith('file 0600 dir 0700 '))).toHaveLength(2);
    const pw = readFileSync(path.join(dir, 'web01/pw'), 'utf8');
    expect(pw).toMatch(/^[A-Za-z0-9.,:_-]{12}\n$/);
    expect(msgs).toContain(`${pw.trim()} ${pw.trim()}`);
    expect(msgs).toContain('$1$abcdefgh$vhxKZ/s1ygZHyCEDPyqtQ/ $1$abcdefgh$vhxKZ/s1ygZHyCEDPyqtQ/ True');
    // a salt is added to a file made without one, for the next run's same hash
    expect(readFileSync(path.join(dir, 'new-salt'), 'utf8')).toMatch(/^[A-Za-z0-9.,:_-]{20} salt=[A-Za-z0-9./]{16}\n$/);
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook value for value (needs ansible-playbook: apt-get install ansible)', async () => {
    const ours = store('cmp-ours');
    const theirs = store('cmp-theirs');
    const a = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', `out=${ours}`], { cwd: ours });
    const b = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'pb.yml', '-e', `out=${theirs}`], { cwd: theirs, env: { ANSIBLE_NOCOLOR: '1' } });
    expect(b.code, b.stdout).toBe(0);
    expect(debugMsgs(a.stdout).map((m) => m.replaceAll(ours, 'OUT'))).toEqual(debugMsgs(b.stdout).map((m) => m.replaceAll(theirs, 'OUT')));
    for (const f of ['web01/pw', 'db02.example.com/pw', 'salted8']) expect(readFileSync(path.join(ours, f), 'utf8')).toBe(readFileSync(path.join(theirs, f), 'utf8'));
  });
});
