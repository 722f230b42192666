// Role argument specs (meta/argument_specs.yml, meta/main.yml's argument_specs) and the
// validate_argument_spec module, run by rackplay and compared with ansible-playbook.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/role-argument-specs');

describe('role argument specs', () => {
  it('validate each entry point before its tasks, with Ansible\'s messages', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'pb.yml'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("TASK [web : Validating arguments against arg spec 'main' - Serve a site]");
    expect(debugMsgs(r.stdout)).toEqual([
      'The arg spec validation passed',
      "Validating arguments against arg spec 'main' - Serve a site main",
      "Validation of arguments failed:\\nmissing required arguments: web_cert",
      "argument 'web_port' is of type <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> and we were unable to convert to int: <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> cannot be converted to an int | missing required arguments: name found in web_users | argument 'uid' is of type <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> found in 'web_users'. and we were unable to convert to int: <class 'ansible.parsing.yaml.objects.AnsibleUnicode'> cannot be converted to an int",
      'legacy yes', // validation converts nothing in the variables themselves
      'tls with /etc/cert.pem',
      'web on 8080',
    ]);
    expect(parseRecap(r.stdout).h1).toMatchObject({ failed: 0, rescued: 2, ignored: 1 });
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    expectSameRun(await runBoth(dir));
  });
});
