// -vvv shows how each command is run on a host, the become wrapper in full and the command
// itself left out (a no_log task's words must not show), as Ansible's connection plugins show
// theirs ("<host> EXEC /bin/sh -c '...'"); below -vvv nothing of it.
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
    const traces = loud.stdout.split('\n').filter((l) => l.startsWith('<h1> EXEC /bin/sh -c '));
    expect(traces).toContain("<h1> EXEC /bin/sh -c '<command>'");
    expect(traces).toContain(`<h1> EXEC /bin/sh -c 'sudo -H -S -n -u root /bin/sh -c '"'"'<command>'"'"''`);
    // the task's own words never appear in a trace
    expect(traces.some((l) => l.includes('traced-marker') || l.includes('as-root'))).toBe(false);
    const quiet = await runRackplay(['-i', 'inv.ini', 'pb.yml', '-vv'], { cwd: dir });
    expect(quiet.stdout).not.toContain('EXEC /bin/sh');
  });
});
