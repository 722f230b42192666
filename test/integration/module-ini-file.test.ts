// ini_file on real files, run by rackplay and by ansible-playbook (community.general's
// module): every edit twice, the second reporting ok; the same messages and the same files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debugMsgs, haveAnsiblePlaybook, parseRecap, repoRoot, runRackplay } from '../helpers/cli.js';
import { expectSameOut } from '../helpers/compare-out.js';

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
    expect(msgs.some((m) => /^\[False(, False){10}\]/.test(m))).toBe(true);
    expect(readFileSync(path.join(out, 'app.ini'), 'utf8')).toContain('[main]\nkeepcache = 1\ndebuglevel=3\ngpgcheck = 1\n');
    expect(parseRecap(r.stdout).local).toMatchObject({ failed: 0, ignored: 3 });
  });

  it.skipIf(!haveAnsiblePlaybook)('leaves the same files and messages as ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    await expectSameOut(fixture, work, ['app.ini', 'sub/created.ini']);
  });
});
