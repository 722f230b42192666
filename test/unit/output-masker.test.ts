// Secrets must not reach the screen in any form: raw, escaped inside JSON (a quote becomes
// \", a newline \n), inside Python reprs of loop items, split across colored lines or diff
// lines, or \u-escaped by the json reporter.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createDefaultReporter, createJsonReporter, SecretMasker, MASK } from '../../src/output/index.js';
import type { RunEvent } from '../../src/output/events.js';
import { pyJsonEscape, pyReprString } from '../../src/output/py-format.js';
import { render, stats, task } from './output-helpers.js';

/** The lines of a multi-line secret that are long enough to be masked on their own. */
function secretLines(secret: string): string[] {
  return secret.includes('\n') ? secret.split(/\r?\n/).filter((l) => l.trim().length >= 3) : [];
}

function everyForm(secret: string): string[] {
  // A diff or a colored block prints a multi-line secret one line at a time (with a prefix
  // or escape codes between), so each line is a form of its own.
  const forms = [secret, pyJsonEscape(secret), pyJsonEscape(secret, true), pyReprString(secret).slice(1, -1), ...secretLines(secret)];
  return forms.filter((f) => f.length >= 3);
}

function eventsShowing(secret: string): RunEvent[] {
  const t = task(`deploy ${secret}`, { action: 'template' });
  const d = task('show', { action: 'debug' });
  return [
    { kind: 'play-start', name: `play ${secret}`, hosts: ['a'], pattern: 'all' },
    { kind: 'task-start', task: t },
    {
      kind: 'host-result', task: t, host: 'a', status: 'changed',
      result: { changed: true, dest: `/etc/${secret}`, diff: { before: `pw=${secret}\nx\n`, after: 'pw=new\nx\n', after_header: secret } },
    },
    { kind: 'host-result', task: t, host: 'a', status: 'ok', item: { password: secret }, result: { item: { password: secret } } },
    { kind: 'host-result', task: t, host: 'a', status: 'failed', result: { msg: `bad password ${secret}`, [secret]: 1 } },
    { kind: 'task-start', task: d },
    { kind: 'host-result', task: d, host: 'a', status: 'ok', result: { msg: `the value is ${secret}` } },
    { kind: 'warning', message: `leaked ${secret} in a warning` },
    { kind: 'recap', durationMs: 0, stats: { a: stats({ ok: 1 }) } },
  ];
}

describe('SecretMasker', () => {
  it('replaces every occurrence, longest secret first', () => {
    const m = new SecretMasker();
    m.add('abc');
    m.add('abcdef');
    expect(m.mask('x abcdef y abc z')).toBe(`x ${MASK} y ${MASK} z`);
  });

  it('ignores secrets shorter than 3 characters, blank ones and star-only ones', () => {
    const m = new SecretMasker();
    for (const s of ['', 'a', 'no', '   ', '****']) m.add(s);
    expect(m.size).toBe(0);
    expect(m.mask('a no **** ok')).toBe('a no **** ok');
  });

  it('masks the JSON-escaped and repr-escaped forms of a secret with a quote, a backslash and a newline', () => {
    const m = new SecretMasker();
    const secret = `p"a'ss\\word\nline2`;
    m.add(secret);
    expect(m.mask(JSON.stringify({ p: secret }))).toBe(`{"p":"${MASK}"}`);
    expect(m.mask(pyReprString(secret))).toBe(`'${MASK}'`);
  });

  it('masks each line of a multi-line secret on its own, as a diff prints it', () => {
    const m = new SecretMasker();
    m.add('BEGIN-KEY\nMIIEpAIBAAKCAQEA\nEND-KEY\nab');
    // One line per write, each with its own prefix: the whole secret never appears at once.
    const diff = ['--- before', '-BEGIN-KEY', '-MIIEpAIBAAKCAQEA', '-END-KEY', '-ab', '+rotated'];
    expect(diff.map((l) => m.mask(l))).toEqual(['--- before', `-${MASK}`, `-${MASK}`, `-${MASK}`, '-ab', '+rotated']);
  });

  it('masks strings and keys deep inside values without touching the original', () => {
    const m = new SecretMasker();
    m.add('hunter2');
    const v = { a: ['x hunter2'], hunter2: { b: 'hunter2' } };
    expect(m.maskValue(v)).toEqual({ a: [`x ${MASK}`], [MASK]: { b: MASK } });
    expect(v.a[0]).toBe('x hunter2');
  });
});

describe('reporters never print a registered secret', () => {
  const secrets = ['s3cr3t-T0ken', `qu"ote'd\\pw`, 'multi\nline\nsecret', 'Key-Line-One\nKey-Line-Two\n', 'pässwörd✓'];
  for (const secret of secrets) {
    it(`default reporter, -vvv, color, diff: ${JSON.stringify(secret)}`, async () => {
      const masker = new SecretMasker();
      masker.add(secret);
      const { out, err } = await render(createDefaultReporter, eventsShowing(secret), {
        masker, verbosity: 3, color: true, diff: true,
      });
      for (const form of everyForm(secret)) {
        expect(out).not.toContain(form);
        expect(err).not.toContain(form);
      }
      expect(out).toContain(MASK);
      expect(err).toContain(MASK);
    });

    it(`json reporter: ${JSON.stringify(secret)}`, async () => {
      const masker = new SecretMasker();
      masker.add(secret);
      const { out } = await render(createJsonReporter, eventsShowing(secret), { masker });
      for (const form of everyForm(secret)) expect(out).not.toContain(form);
      expect(JSON.parse(out).plays[0].tasks[0].hosts.a.msg).toBe(`bad password ${MASK}`);
    });
  }

  it('holds for arbitrary secrets (property)', async () => {
    const secretArb = fc
      .string({ unit: fc.constantFrom('a', 'B', '7', '"', "'", '\\', '\n', '\t', 'é', '✓', ' ', '{', '}'), minLength: 3, maxLength: 12 })
      .filter((s) => s.trim().length >= 3);
    await fc.assert(
      fc.asyncProperty(secretArb, async (secret) => {
        const masker = new SecretMasker();
        masker.add(secret);
        const { out, err } = await render(createDefaultReporter, eventsShowing(secret), { masker, verbosity: 1, diff: true });
        for (const form of everyForm(secret)) {
          if (out.includes(form) || err.includes(form)) return false;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });
});
