// Bounded fuzzing of the playbook loader with plausible-looking playbooks: real keywords,
// real module names, junk keys, templates, wrong types, and the odd broken character.
// Whatever comes in, the loader returns a playbook or throws a UserError, nothing else;
// and the CLI's --syntax-check answers 0 or 4, never with a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { defaultRegistry } from '../../src/modules/index.js';
import { loadPlaybook } from '../../src/playbook/index.js';
import { PLAY_KEYWORDS, TASK_KEYWORDS } from '../../src/playbook/keywords.js';
import { runRackplay } from '../helpers/cli.js';

const registry = defaultRegistry();
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
writeFileSync(path.join(work, 'inc.yml'), '- debug: msg=included\n');
writeFileSync(path.join(work, 'hosts.ini'), 'target ansible_connection=local\n');

// Fixed, so a failure reproduces; RACKPLAY_FUZZ_SEED explores other corners by hand.
const SEED = Number(process.env.RACKPLAY_FUZZ_SEED) || 20261126;
const JUNK_KEYS = ['taks', 'wehn', 'hosts ', 'Tasks', '', '0', 'with_itmes', 'x-y', '{{ k }}', 'ñ', 'include', 'local_action', 'args'];
const INCLUDES = ['import_tasks', 'include_tasks', 'import_role', 'include_role', 'import_playbook', 'ansible.builtin.import_tasks'];
const SCALARS = [
  'inc.yml', 'missing.yml', 'all', 'localhost', 'web:&db', '{{ x }}', '{{ broken', '{% if %}', '{{ item }}', 'yes', 'no', 'true', '',
  'a=b c=d', "msg='unbalanced", 'x=1 y="2', 'echo hi', '/tmp/x', '0644', 'present', 'absent', 'latest', '%', '50%', 'linear', 'free',
  'item', 'result', 'bad-name', '- not a list', '{{ lookup("file", "nope") }}', 'src=a dest=b', 'name=x state=present',
];
const moduleNames = registry.names();

// A shared letrec: values nest, tasks hold values and blocks hold tasks.
const tree = fc.letrec((tie) => ({
  scalar: fc.oneof(fc.constantFrom(...SCALARS), fc.integer({ min: -3, max: 1000 }), fc.boolean(), fc.constant(null), fc.double({ noNaN: true }), fc.string({ maxLength: 8 })),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('scalar'),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...JUNK_KEYS, 'src', 'dest', 'msg', 'name', 'state', 'path', 'mode', 'file', 'loop_var'), fc.string({ maxLength: 5 })), tie('value'), { maxKeys: 3 }),
  ),
  task: fc
    .tuple(
      fc.option(fc.constantFrom(...moduleNames, ...INCLUDES), { nil: undefined, freq: 5 }),
      tie('value'),
      fc.dictionary(fc.constantFrom(...TASK_KEYWORDS, ...JUNK_KEYS, ...moduleNames.slice(0, 8)), tie('value'), { maxKeys: 4 }),
    )
    .map(([mod, args, rest]) => (mod === undefined ? rest : { ...rest, [mod]: args })),
  block: fc.record(
    { block: fc.array(tie('node'), { maxLength: 3 }), rescue: fc.array(tie('node'), { maxLength: 2 }), always: tie('value'), when: tie('scalar') },
    { requiredKeys: ['block'] },
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('task'), tie('task'), tie('block'), tie('scalar')),
}));

const play = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...PLAY_KEYWORDS, ...JUNK_KEYS), tree.value, { maxKeys: 4 }),
    fc.option(fc.constantFrom('all', 'localhost', '{{ target }}', ''), { nil: undefined, freq: 6 }),
    fc.record({ tasks: fc.array(tree.node, { maxLength: 4 }), handlers: fc.array(tree.task, { maxLength: 2 }), pre_tasks: fc.array(tree.node, { maxLength: 2 }) }, { requiredKeys: [] }),
  )
  .map(([keys, hosts, lists]) => ({ ...keys, ...(hosts === undefined ? {} : { hosts }), ...lists }));

// Well-formed pieces, so that some playbooks get all the way through the loader.
const text = fc.constantFrom('hello', '{{ x }}', '{{ item }}', 'a b c', 'yes', '');
const goodTask = fc
  .tuple(
    fc.oneof(
      text.map((msg) => ({ debug: { msg } })),
      fc.constantFrom('echo hi', 'hostname', 'true').map((cmd) => ({ command: cmd })),
      fc.constant({ ping: null }),
      fc.dictionary(fc.constantFrom('x', 'y', 'port'), tree.scalar, { maxKeys: 2 }).map((facts) => ({ set_fact: Object.keys(facts).length ? facts : { x: 1 } })),
      text.map((line) => ({ lineinfile: { path: '/tmp/f', line } })),
    ),
    fc.record(
      { name: text, when: fc.constantFrom('x is defined', '{{ y }}', 'true'), tags: fc.constantFrom(['a'], 'b', ['a', 'never']), ignore_errors: fc.boolean(), register: fc.constantFrom('result', 'out'), loop: fc.constantFrom([1, 2], '{{ items }}') },
      { requiredKeys: [] },
    ),
  )
  .map(([mod, keywords]) => ({ ...keywords, ...mod }));
const goodNode = fc.oneof({ weight: 4, arbitrary: goodTask }, { weight: 1, arbitrary: fc.array(goodTask, { minLength: 1, maxLength: 2 }).map((block) => ({ block })) });
const goodPlay = fc.record(
  { hosts: fc.constantFrom('all', 'localhost', 'web:&db'), gather_facts: fc.boolean(), vars: fc.dictionary(fc.constantFrom('x', 'items'), tree.scalar, { maxKeys: 2 }), tasks: fc.array(goodNode, { maxLength: 4 }), handlers: fc.array(goodTask, { maxLength: 1 }) },
  { requiredKeys: ['hosts'] },
);

/** YAML text of a playbook; now and then with one character broken. */
const playbookText = fc
  .tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.array(goodPlay, { minLength: 1, maxLength: 2 }) },
      { weight: 4, arbitrary: fc.array(fc.oneof(goodPlay, play), { minLength: 1, maxLength: 3 }) },
      { weight: 1, arbitrary: tree.value },
    ), fc.option(fc.tuple(fc.nat(), fc.constantFrom('\t', ':', '"', "'", '{', '[', '-', '\n  ', '&a', '*b', '!!', '%')), { freq: 4 }))
  .map(([doc, mutation]) => {
    let text = stringify(doc);
    if (mutation) {
      const at = mutation[0] % (text.length + 1);
      text = text.slice(0, at) + mutation[1] + text.slice(at);
    }
    return text;
  });

let fileNo = 0;
function writePlaybook(text: string): string {
  const file = path.join(work, `pb-${fileNo++}.yml`);
  writeFileSync(file, text);
  return file;
}

describe('playbook loader fuzzing', () => {
  it('returns a playbook or throws a UserError, for 200 generated playbooks', async () => {
    const outcomes = { parsed: 0, userErrors: 0 };
    await fc.assert(
      fc.asyncProperty(playbookText, async (text) => {
        const file = writePlaybook(text);
        try {
          await loadPlaybook(file, { registry, rolesPath: [path.join(work, 'roles')] });
          outcomes.parsed++;
        } catch (e) {
          if (!(e instanceof UserError)) throw new Error(`not a UserError for:\n${text}\n${(e as Error)?.stack ?? String(e)}`);
          expect(e.message.length).toBeGreaterThan(0);
          outcomes.userErrors++;
        } finally {
          rmSync(file, { force: true });
        }
      }),
      { seed: SEED, numRuns: 200, interruptAfterTimeLimit: 25_000, markInterruptAsFailure: false },
    );
    // The generator is useful only if it reaches both sides.
    expect(outcomes.parsed).toBeGreaterThan(0);
    expect(outcomes.userErrors).toBeGreaterThan(0);
  }, 40_000);

  it('the CLI --syntax-check exits 0 or 4 without a stack trace, for 20 of them', async () => {
    const samples = fc.sample(playbookText, { seed: SEED + 1, numRuns: 20 });
    const codes = new Set<number>();
    for (const text of samples) {
      const file = writePlaybook(text);
      const r = await runRackplay([file, '-i', path.join(work, 'hosts.ini'), '--syntax-check'], { cwd: work, timeoutMs: 20_000 });
      expect([0, 4], `${text}\n${r.stdout}${r.stderr}`).toContain(r.code);
      expect(r.stdout + r.stderr).not.toMatch(/^\s+at .*\.[cm]?[jt]s:\d+/m);
      if (r.code === 4) expect(r.stderr).toMatch(/^ERROR! /);
      codes.add(r.code);
    }
    expect([...codes].sort()).toEqual([0, 4]);
  }, 60_000);
});
