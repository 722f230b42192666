import path from 'node:path';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadPlaybook } from '../../src/playbook/index.js';
import { testRegistry } from '../fixtures/playbooks/test-registry.js';

const root = path.resolve('test/fixtures/bad-inputs');

/**
 * fixture dir → expected message part, file (relative to the fixture dir), line, hint part.
 * `deferred`: a problem ansible-playbook finds only when the task runs (module arguments,
 * a dynamically included file): a load-time warning, and an error with `strict`.
 */
const cases: Record<string, { msg: string; file?: string; line: number; hint: string; deferred?: true }> = {
  'yaml-syntax-error': { msg: 'Missing closing "quote', line: 5, hint: 'quotes are balanced' },
  'tab-indentation': { msg: 'Tabs are not allowed', line: 3, hint: 'indent with spaces' },
  'unknown-play-keyword': { msg: "'taks' is not a valid attribute for a Play", line: 2, hint: 'did you mean `tasks`?' },
  'task-keyword-typo': { msg: "'wehn' is not a valid attribute for a Task", line: 5, hint: 'did you mean `when`?' },
  'module-typo': { msg: "couldn't resolve module/action 'lineinfle'", line: 4, hint: 'did you mean `lineinfile`?' },
  'two-modules': { msg: 'conflicting action statements: copy, file', line: 7, hint: 'split this into two tasks' },
  'wrong-arg-type': { msg: "argument 'mode' is of type list", line: 6, hint: 'give mode a str or int value', deferred: true },
  'unknown-argument': { msg: 'Unsupported parameters for (copy) module: destt. Supported parameters include: backup, content, dest', line: 5, hint: 'did you mean `dest`?', deferred: true },
  'missing-required-argument': { msg: 'missing required arguments: path', line: 4, hint: '`path:`', deferred: true },
  'bad-enum-value': { msg: 'value of state must be one of: absent, directory, file, hard, link, touch, got: dirctory', line: 3, hint: 'did you mean `directory`?', deferred: true },
  'missing-role': { msg: "the role 'nosuchrole' was not found in", line: 4, hint: 'roles_path' },
  'role-dependency-cycle': { msg: 'role dependency cycle: alpha -> beta -> alpha', file: 'roles/beta/meta/main.yml', line: 2, hint: 'remove one of these dependencies' },
  'circular-import-tasks': { msg: 'circular import: ', file: 'b.yml', line: 2, hint: 'cannot import itself' },
  'import-missing-file': { msg: "Could not find or access 'tasks/nope.yml'", line: 4, hint: 'searched:' },
  'playbook-is-dict': { msg: 'A playbook must be a list of plays, got a mapping', line: 1, hint: 'start the play with a dash' },
  'play-without-hosts': { msg: "the field 'hosts' is required but was not set", line: 1, hint: '`hosts: all`' },
  'loop-and-with-items': { msg: 'duplicate loop in task: items', line: 5, hint: 'only one loop' },
  'block-with-module': { msg: "'copy' is not a valid attribute for a Block", line: 6, hint: 'into a task under `block:`' },
  'empty-task': { msg: 'empty task', line: 4, hint: 'remove the lone `-`' },
  'task-name-not-string': { msg: "The field 'name' is supposed to be a string type", line: 4, hint: 'quote the name' },
  'bad-loop-control': { msg: "'loop_vars' is not a valid attribute for a LoopControl", line: 6, hint: 'did you mean `loop_var`?' },
  'unquoted-template': { msg: 'found unhashable key', line: 4, hint: 'must be quoted' },
  'multi-document': { msg: 'several documents', line: 4, hint: '---' },
  'extra-params-non-freeform': { msg: "this task 'copy' has extra params, which is only allowed in the following modules: command, meta, set_fact, shell", line: 4, hint: 'not of the form key=value' },
  'include-with-task-keyword': { msg: "'become' is not a valid attribute for a TaskInclude", line: 4, hint: '`apply:`' },
  'import-with-loop': { msg: "You cannot use loops on 'import_tasks' statements", line: 4, hint: 'include_tasks' },
  'bad-register-name': { msg: "Invalid variable name in 'register' specified: 'up-time'", line: 4, hint: 'letters, digits and underscores' },
  'error-in-role-task': { msg: 'value of state must be one of: started, stopped, restarted, reloaded, got: restart', file: 'roles/broken/tasks/main.yml', line: 6, hint: 'did you mean `restarted`?', deferred: true },
  'unbalanced-kv-quotes': { msg: 'failed at splitting arguments, either an unbalanced jinja2 block or quotes', line: 3, hint: 'quote is not closed' },
  'missing-tasks-from': { msg: 'Could not find specified file in role: tasks/nothere', line: 3, hint: 'tasks_from' },
  'include-role-bad-option': { msg: 'Invalid options for include_role: task_from', line: 5, hint: 'did you mean `tasks_from`?' },
  'bad-var-name': { msg: "'bad-name' is not a valid variable name", line: 4, hint: 'underscores' },
  // Ansible 2.14's include: of a plain file name is a static import: a missing file is a load error
  'legacy-include': { msg: "Could not find or access 'other.yml'", line: 3, hint: 'searched' },
  'unknown-with-lookup': { msg: "unsupported loop 'with_itmes'", line: 4, hint: 'did you mean `with_items`?' },
  'error-in-included-file': { msg: 'Unsupported parameters for (copy) module: bogus', file: 'inc.yml', line: 4, hint: 'copy', deferred: true },
  'required-one-of': { msg: 'one of the following is required: src, content', line: 3, hint: '`src:`', deferred: true },
};

describe('bad playbooks are UserErrors with position and hint', () => {
  it('every fixture directory has an expectation', () => {
    expect(readdirSync(root).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const [name, want] of Object.entries(cases)) {
    it(name, async () => {
      const dir = path.join(root, name);
      const warnings: UserError[] = [];
      const load = (strict: boolean) =>
        loadPlaybook(path.join(dir, 'playbook.yml'), { registry: testRegistry(), rolesPath: [], strict, warn: (w) => warnings.push(w) }).then(
          () => undefined,
          (e: unknown) => e,
        );
      if (want.deferred) {
        // the run goes on: one warning, where the strict load fails
        expect(await load(false)).toBeUndefined();
        expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining(want.msg)]);
        expect(warnings[0].pos).toEqual((await load(true) as UserError).pos);
      }
      const err = await load(true);
      expect(err).toBeInstanceOf(UserError);
      const ue = err as UserError;
      expect(ue.message).toContain(want.msg);
      expect(ue.pos?.file).toBe(path.join(dir, want.file ?? 'playbook.yml'));
      expect(ue.pos?.line).toBe(want.line);
      expect(ue.pos?.col).toBeGreaterThanOrEqual(1);
      expect(ue.hint).toContain(want.hint);
      expect(ue.exitCode).toBe(4);
    });
  }
});
