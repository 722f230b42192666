// Execution semantics from ansible-core's integration targets: conditionals that cannot be
// evaluated, play order, looped includes and ansible_loop, block notify, ansible_failed_task
// as data, any_errors_fatal on a failed include. Each playbook runs through rackplay with
// plain assertions, and side by side with ansible-playbook where it is installed.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveAnsiblePlaybook, parseRecap, repoRoot, runBoth, runRackplay } from '../helpers/cli.js';

const dir = path.join(repoRoot, 'test/fixtures/exec-semantics');
// debug's own messages (its result printed over lines), sorted; a failure's one-line dict is not one.
const debugMsgs = (stdout: string) =>
  [...stdout.matchAll(/^(?:ok|changed): \[[^\]]+\](?: => \(item=[^)]*\))? => \{\n    "msg": "(.*)"$/gm)].map((m) => m[1]).sort();
const run = (pb: string, extra: string[] = []) => runRackplay(['-i', 'inv.ini', pb, ...extra], { cwd: dir });

describe('task execution semantics', () => {
  it('a changed_when/failed_when that errors fails the task and leaves the error in *_when_result', async () => {
    const r = await run('conditional-error.yml');
    expect(r.code).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['True foo True True']);
    // Two ignored failures of a command that changed: ok, ignored and changed all count them.
    expect(parseRecap(r.stdout).hostA).toMatchObject({ ok: 3, changed: 2, ignored: 2, failed: 0 });
  });

  it('order: is rendered from extra vars and orders the hosts (run_once takes the first)', async () => {
    const r = await run('order.yml', ['-e', 'myorder=reverse_sorted', '-f', '1']);
    expect(r.code).toBe(0);
    expect([...r.stdout.matchAll(/^changed: \[(host.)\]/gm)].map((m) => m[1])).toEqual(['hostC', 'hostB', 'hostA']);
    expect(r.stdout).toMatch(/ok: \[hostC\] =>/);
    // ansible_play_hosts stays in inventory order, as Ansible's does.
    expect(debugMsgs(r.stdout)).toEqual(['hostB,hostA,hostC']);
  });

  it('a looped include_tasks runs the file once per item with the loop variables', async () => {
    const r = await run('include-loop.yml');
    expect(r.code).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual([
      '0 first 1/3 first=True last=False first,second,third',
      '1 second 2/3 first=False last=False first,second,third',
      '2 third 3/3 first=False last=True first,second,third',
      'sub 7',
    ]);
    // extended_allitems: false leaves allitems out
    expect(r.stdout).toMatch(/\(item=b\) => \{\n    "msg": false/);
    expect(parseRecap(r.stdout).hostA.ok).toBe(8);
  });

  it("a block's notify reaches its tasks, and ansible_failed_task keeps its templates unrendered", async () => {
    const r = await run('block-notify.yml');
    expect(r.code).toBe(0);
    expect(debugMsgs(r.stdout)).toEqual(['hello=world', 'template error debug', 'trigger it']);
    expect(parseRecap(r.stdout).hostA).toMatchObject({ rescued: 1, failed: 0 });
  });

  it('any_errors_fatal stops every host when an include fails', async () => {
    const r = await run('include-fatal.yml');
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('never reached');
    expect(parseRecap(r.stdout).hostA.failed).toBe(1);
  });

  it('handlers: include_role handlers_from, one by name plus listeners, a skipped flush, force_handlers, a flush in always', async () => {
    const r = await run('handlers.yml');
    expect(r.code).toBe(2);
    expect(debugMsgs(r.stdout)).toEqual([
      'after skipped flush',
      'always handler on hostB',
      'first of the name',
      'forced on hostA',
      'forced on hostB',
      'listener one',
      'listener two',
      'role handler alt',
    ]);
    // The skipped flush ran nothing: the handlers notified before it ran at the end of tasks.
    expect(r.stdout.indexOf('after skipped flush')).toBeLessThan(r.stdout.indexOf('first of the name'));
  });

  it.skipIf(!haveAnsiblePlaybook)('matches ansible-playbook (needs ansible-playbook: apt-get install ansible)', async () => {
    for (const pb of ['conditional-error.yml', 'order.yml', 'block-notify.yml', 'handlers.yml']) {
      const both = await runBoth(dir, pb);
      expect(both.ours.code).toBe(both.theirs.code);
      expect(parseRecap(both.ours.stdout)).toEqual(parseRecap(both.theirs.stdout));
      expect(debugMsgs(both.ours.stdout)).toEqual(debugMsgs(both.theirs.stdout));
    }
    for (const pb of ['include-loop.yml', 'include-fatal.yml']) {
      const both = await runBoth(dir, pb);
      expect(both.ours.code).toBe(both.theirs.code);
      expect(parseRecap(both.ours.stdout)).toEqual(parseRecap(both.theirs.stdout));
    }
  });
});
