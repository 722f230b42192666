// import_role is a play role, as Ansible's loader makes it: the imported role's defaults and
// vars, and the import's own vars (as the role's vars), are visible to every task of the
// play, before and after the import (the last import wins); inside the role the import's
// vars are block vars, below set_fact; role_names lists each import. include_role with
// public: true does the same from when it runs to the end of the batch. Also: a templated
// include name in the banner is rendered with the first host's vars. Compared with
// ansible-playbook 2.14 where it is installed, plus plain assertions that hold without it.
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, runBoth, runRackplay } from '../helpers/cli.js';
import { projectMaker } from '../helpers/project-dir.js';

const project = projectMaker('rp-import-role-vars');

const ROLES = {
  'roles/r/tasks/main.yml': '- debug: msg="in r {{ x | default(\'-\') }} {{ rdef }} {{ rvar }}"\n',
  'roles/r/defaults/main.yml': 'rdef: r-default\n',
  'roles/r/vars/main.yml': 'rvar: r-var\n',
  'roles/s/tasks/main.yml': '- debug: msg="s {{ inventory_hostname }}"\n',
  'roles/q/tasks/main.yml': '- name: "include in a role {{ v }}"\n  include_role: {name: s}\n',
};

const PLAY_WIDE = `- hosts: all
  gather_facts: false
  roles: [s]
  tasks:
    - debug: msg="before {{ x | default('-') }} {{ rdef | default('-') }} {{ rvar | default('-') }} {{ role_names }} {{ ansible_play_role_names }}"
    - import_role: {name: r}
      vars: {x: imported, rvar: from-import}
    - set_fact: {x: fact}
    - import_role: {name: r}
      vars: {x: second}
    - debug: msg="after {{ x }} {{ rdef }} {{ rvar }}"
- hosts: all
  gather_facts: false
  tasks:
    - debug: msg="next play {{ x }} {{ rdef | default('-') }}"
`;

// serial: 1 shows that a public include lasts for its batch only (each batch runs a copy of the play)
const PUBLIC = `- hosts: all
  gather_facts: false
  serial: 1
  tasks:
    - debug: msg="{{ inventory_hostname }} before {{ rdef | default('-') }} {{ x | default('-') }}"
    - include_role: {name: r, public: true}
      vars: {x: pub}
      when: inventory_hostname == 'a'
    - include_role: {name: r, public: false}
      vars: {x: private}
    - debug: msg="{{ inventory_hostname }} after {{ rdef | default('-') }} {{ x | default('-') }} {{ role_names }}"
`;

const BANNERS = `- hosts: all
  gather_facts: false
  vars: {v: 42}
  tasks:
    - name: "include_role {{ v }}"
      include_role: {name: s}
    - include_role: {name: q}
    - name: "include_tasks {{ v }} {{ not_defined }}"
      include_tasks: roles/s/tasks/main.yml
`;

describe('import_role as a play role', () => {
  it('shows the imported role defaults, vars and the import vars to the whole play, below set_fact inside the role', async () => {
    const dir = project({ 'pb.yml': PLAY_WIDE, ...ROLES });
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const msgs = debugMsgs(r.stdout).filter((m) => !m.startsWith('s '));
    expect(msgs).toEqual(
      [
        ...Array(2).fill("before second r-default r-var ['s', 'r', 'r'] ['s', 'r', 'r']"),
        ...Array(2).fill('in r imported r-default from-import'),
        ...Array(2).fill('in r fact r-default r-var'),
        ...Array(2).fill('after fact r-default r-var'),
        ...Array(2).fill('next play fact -'),
      ].sort(),
    );
  });

  it('include_role with public: true adds the role, its vars and defaults, to the rest of the batch', async () => {
    const dir = project({ 'pb.yml': PUBLIC, ...ROLES });
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const msgs = debugMsgs(r.stdout).filter((m) => / (before|after) /.test(m));
    expect(msgs).toEqual(['a after r-default pub [\'r\']', 'a before - -', 'b after - - []', 'b before - -']);
  });

  it('renders a templated include_role / include_tasks name in its banner', async () => {
    const dir = project({ 'pb.yml': BANNERS, ...ROLES });
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('TASK [include_role 42]');
    expect(r.stdout).toContain('TASK [include in a role 42]');
    // a name that cannot be rendered stays as written
    expect(r.stdout).toContain('TASK [include_tasks {{ v }} {{ not_defined }}]');
  });

  it.skipIf(!haveAnsiblePlaybook)('the same as ansible-playbook (skipped without it)', async () => {
    for (const pb of [PLAY_WIDE, PUBLIC, BANNERS]) expectSameRun(await runBoth(project({ 'pb.yml': pb, ...ROLES })));
    const { ours, theirs } = await runBoth(project({ 'pb.yml': BANNERS, ...ROLES }));
    const banners = (out: string) => out.split('\n').filter((l) => l.startsWith('TASK ['));
    expect(banners(ours.stdout)).toEqual(banners(theirs.stdout));
  });
});
