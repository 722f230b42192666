// hostvars[x] is a host's variables without hostvars itself (Ansible's
// get_vars(include_hostvars=False)): showing it whole must end, and show what Ansible shows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { haveAnsiblePlaybook, runBoth, runRackplay } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-hostvars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'inv.ini'), 'h1 ansible_connection=local\nh2 ansible_connection=local colour=blue\n');
writeFileSync(
  path.join(dir, 'pb.yml'),
  `- hosts: all
  gather_facts: false
  tasks:
    - name: show another host's variables whole
      debug:
        var: hostvars['h2']
      run_once: true
    - name: what the view holds
      debug:
        msg: "{{ 'hostvars' in hostvars['h2'] }} {{ hostvars['h2'].colour }} {{ hostvars['h2'].inventory_hostname }} {{ 'groups' in hostvars['h2'] }}"
      run_once: true
`,
);

/** The keys of the one-variable debug result, as printed. */
function shownKeys(stdout: string): string[] {
  const block = stdout.slice(stdout.indexOf(`"hostvars['h2']": {`));
  return [...block.slice(0, block.indexOf('\n    }')).matchAll(/^ {8}"([^"]+)":/gm)].map((m) => m[1]).sort();
}

describe("hostvars['x'] shown whole", () => {
  it('prints the host\'s variables, without hostvars, and the play goes on', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('"msg": "False blue h2 True"');
    expect(shownKeys(r.stdout)).toContain('colour');
    expect(shownKeys(r.stdout)).not.toContain('hostvars');
  });

  it.skipIf(!haveAnsiblePlaybook)('shows the same keys as ansible-playbook, apart from rackplay_version and ansible_forks (needs ansible-playbook: apt-get install ansible)', async () => {
    const { ours, theirs } = await runBoth(dir);
    expect(ours.code).toBe(theirs.code);
    expect(shownKeys(ours.stdout).filter((k) => k !== 'rackplay_version')).toEqual(shownKeys(theirs.stdout).filter((k) => k !== 'ansible_forks'));
  });
});
