// ini_file on real files, run by rackplay and by ansible-playbook (community.general's
// module): every edit twice, the second reporting ok; the same messages and the same files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, haveAnsiblePlaybook, parseRecap, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';

const fixture = path.join(repoRoot, 'test/fixtures/ini-file');
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-ini-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('ini_file', () => {
  it('edits, then reports every edit ok on the second pass', async () => {
    const out = path.join(work, 'ours');
    mkdirSync(out);
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', `out=${out}`], { cwd: fixture });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const msgs = debugMsgs(r.stdout);
    expect(msgs[1]).toMatch(/^\[False(, False){10}\]/);
    expect(readFileSync(path.join(out, 'app.ini'), 'utf8')).toContain('[main]\nkeepcache = 1\ndebuglevel=3\ngpgcheck = 1\n');
    expect(parseRecap(r.stdout).local).toMatchObject({ failed: 0, ignored: 3 });
  });

  it.skipIf(!haveAnsiblePlaybook)('leaves the same files and messages as ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    const ours = path.join(work, 'cmp-ours');
    const theirs = path.join(work, 'cmp-theirs');
    for (const d of [ours, theirs]) mkdirSync(d);
    const a = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-e', `out=${ours}`], { cwd: fixture });
    const b = await runCommand('ansible-playbook', ['-i', 'inv.ini', 'pb.yml', '-e', `out=${theirs}`], { cwd: fixture, env: { ANSIBLE_NOCOLOR: '1' } });
    expect(b.code, b.stdout).toBe(0);
    expect(debugMsgs(a.stdout).map((m) => m.replaceAll(ours, 'OUT'))).toEqual(debugMsgs(b.stdout).map((m) => m.replaceAll(theirs, 'OUT')));
    expect(parseRecap(a.stdout)).toEqual(parseRecap(b.stdout));
    for (const f of ['app.ini', 'sub/created.ini']) expect(readFileSync(path.join(ours, f), 'utf8')).toBe(readFileSync(path.join(theirs, f), 'utf8'));
  });
});
