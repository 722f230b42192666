// -vvv shows each command line sent to a host, become included, as Ansible's connection
// plugins show theirs ("<host> EXEC /bin/sh -c '...'"); below -vvv nothing of it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRackplay } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-exec-trace-'));
writeFileSync(path.join(dir, 'inv.ini'), 'h1 ansible_connection=local\n');
writeFileSync(path.join(dir, 'pb.yml'), "- hosts: all\n  gather_facts: false\n  tasks:\n    - command: echo traced-marker\n    - command: echo as-root\n      become: true\n      become_user: root\n      become_method: sudo\n      ignore_errors: true\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('-vvv command trace', () => {
  it('shows the commands, sudo included, at -vvv only', async () => {
    const loud = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-vvv'], { cwd: dir });
    // each trace is the command as sent: it may run over several lines
    const traces = loud.stdout.split('\n<h1> EXEC /bin/sh -c ').slice(1);
    expect(traces.some((t) => t.includes('traced-marker'))).toBe(true);
    expect(traces.some((t) => t.startsWith("'sudo -H -S -n -u root /bin/sh -c ") && t.includes('as-root'))).toBe(true);
    const quiet = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-vv'], { cwd: dir });
    expect(quiet.stdout).not.toContain('EXEC /bin/sh');
  });
});
