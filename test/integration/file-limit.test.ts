// A run over more hosts than the open-files limit allows connections stops before
// contacting any host, saying what to change; Node raises its soft limit to the hard one
// when it starts, so a low soft limit alone does no harm. Real limits (prlimit) on real
// runs; the hosts are local (this machine).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rackplayBin, runCommand } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-file-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'inv.ini'), `[rack]\n${Array.from({ length: 300 }, (_, i) => `h${i} ansible_connection=local`).join('\n')}\n`);
writeFileSync(path.join(dir, 'pb.yml'), `- hosts: rack\n  gather_facts: false\n  tasks:\n    - debug: { msg: "{{ inventory_hostname }}" }\n`);

const underLimit = (nofile: string, extra: string[] = []) => runCommand('prlimit', [`--nofile=${nofile}`, process.execPath, rackplayBin, '-i', 'inv.ini', 'pb.yml', ...extra], { cwd: dir });

describe('the open-files limit', () => {
  it('a soft limit too low for the hosts does no harm when the hard one allows', async () => {
    const r = await underLimit('256:8192');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^h299 +: ok=1 /m);
  });

  it('stops the run before any task when the hard limit is too low, saying what to change', async () => {
    const r = await underLimit('256:300');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/301 hosts need about 365 open files, one connection each, but this process may open only 300/);
    expect(r.stderr).toMatch(/ulimit -Hn/);
    expect(r.stdout).not.toMatch(/TASK/);
  });

  it('a slice needs room for its own hosts only', async () => {
    const r = await underLimit('256:300', ['--slice', '1/2']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
