// Every bad-input fixture through the real CLI and registry: exit code 4, an
// `ERROR! file:line:col` message, no stack trace, and nothing ran. A first play that
// would write a canary file precedes the broken one, and the canary must not appear:
// validation covers the whole run before any host is touched.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runRackplay } from '../helpers/cli.js';

const root = path.join(repoRoot, 'test/fixtures/bad-inputs');
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-bad-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const inventory = path.join(work, 'hosts.ini');
writeFileSync(inventory, 'target ansible_connection=local\n');

// What ansible-playbook finds only when the task runs: a warning, and with --strict an error
// (required-one-of uses a module of the unit tests' registry: the CLI knows no such module).
const DEFERRED = new Set(['bad-enum-value', 'error-in-included-file', 'error-in-role-task', 'missing-required-argument', 'unknown-argument', 'wrong-arg-type']);

describe('bad input never touches a host', () => {
  for (const name of readdirSync(root).sort()) {
    it(`${name}${DEFERRED.has(name) ? ' (--strict)' : ''}`, async () => {
      const canary = path.join(work, `${name}.canary`);
      const wrapper = path.join(root, name, `wrapper-${process.pid}.yml`);
      writeFileSync(
        wrapper,
        `- hosts: all\n  gather_facts: false\n  tasks:\n    - copy: { content: "ran\\n", dest: "${canary}" }\n- import_playbook: playbook.yml\n`,
      );
      try {
        const r = await runRackplay([wrapper, '-i', inventory, ...(DEFERRED.has(name) ? ['--strict'] : [])]);
        expect(r.code, r.stdout + r.stderr).toBe(4);
        expect(r.stderr).toMatch(/^ERROR! .+\n\nThe error appears to be in '\S+': line \d+, column \d+, but may\n/);
        expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
        expect(existsSync(canary)).toBe(false);
      } finally {
        rmSync(wrapper, { force: true });
      }
    });
  }
});

describe('without --strict, argument problems are warnings', () => {
  for (const name of [...DEFERRED].sort()) {
    it(`${name}: --syntax-check passes with a positioned warning`, async () => {
      const r = await runRackplay([path.join(root, name, 'playbook.yml'), '-i', inventory, '--syntax-check']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^\[WARNING\]: \S+:\d+:\d+: .+\n  hint: /);
      expect(r.stdout).toContain('playbook: ');
    });
  }
});

describe('bad command lines', () => {
  const good = path.join(repoRoot, 'test/fixtures/compare/site.yml');
  // ansible-playbook 2.14's codes: argparse usage errors exit 2, option values Ansible
  // rejects later exit 5 (AnsibleOptionsError), a playbook that is not there exits 1.
  it.each([
    ['an unknown option', [good, '--no-such-option'], 2, /^ERROR! unknown option '--no-such-option'/],
    ['a bad --forks', [good, '-i', inventory, '--forks', 'many'], 2, /--forks must be a positive integer/],
    ['--forks 0', [good, '-i', inventory, '--forks', '0'], 2, /--forks must be a positive integer, got '0'/],
    ['a bad --timeout', [good, '-i', inventory, '--timeout', 'soon'], 2, /--timeout must be a whole number/],
    ['no playbook', ['-i', inventory], 2, /required: playbook/],
    ['extra vars that are neither k=v nor YAML', [good, '-i', inventory, '-e', 'justaword'], 5, /could not be made into a dictionary/],
    ['a missing extra vars file', [good, '-i', inventory, '-e', '@/nonexistent/vars.yml'], 5, /could not be read/],
    ['a playbook file that is not there', [path.join(work, 'nothere.yml'), '-i', inventory], 1, /^ERROR! the playbook: \S+nothere\.yml could not be found$/m],
    ['a playbook that is a directory', [work, '-i', inventory], 1, /does not appear to be a file/],
  ])('%s → exit %i with a one-line message', async (_what, args, code, message) => {
    const r = await runRackplay(args as string[]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
    expect(r.stdout).toBe('');
  });

  it('a bad inventory range is a parse error (exit 4) naming the file and line', async () => {
    const inv = path.join(work, 'bad-range.ini');
    writeFileSync(inv, '[web]\nweb[01:xx].example.com\n');
    const r = await runRackplay([good, '-i', inv]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`The error appears to be in '${inv}': line 2,`);
  });

  it('an undefined variable fails the task, names the variable, and is no crash', async () => {
    const pb = path.join(work, 'undefined.yml');
    writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg="{{ nosuchvar }}"\n');
    const r = await runRackplay([pb, '-i', inventory]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("'nosuchvar' is undefined");
    expect(r.stdout).toMatch(/target\s+: ok=0\s+changed=0\s+unreachable=0\s+failed=1/);
  });
});
