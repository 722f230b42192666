// quote() against real shells: whatever the string (NUL aside), the shell must hand the
// exact bytes to the command and run nothing else.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { quote, quoteArgv } from '../../src/transport/quote.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-quote-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const canary = path.join(work, 'PWNED');

// Pieces a hostile inventory or variable would use, mixed with arbitrary code points.
const shellMeta = [
  "'", '"', '`', '$', '$(', ')', '${', '}', '\\', '\n', '\r', '\t', ' ', ';', '&', '|', '<', '>', '*', '?', '[', ']', '~', '#',
  '!', '%', '-', '--', '-n', '-e', '=', '\u00a0', 'é', '日本', '😀', '\u202e', '\x1b[31m', '\x7f', '\x01',
  `$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; '`,
];
const codePoint = fc
  .integer({ min: 1, max: 0x10ffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));
const hostile = fc.array(fc.oneof(fc.constantFrom(...shellMeta), codePoint, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('').replace(/\0/g, ''));

const shells: [string, string[]][] = [
  ['/bin/sh', []],
  ['dash', []],
  ['bash', ['--posix']],
];

// Every shell stays in the table: a missing one shows up as skipped, with the reason.
for (const [sh, shArgs] of shells) {
  const present = spawnSync(sh, ['-c', 'true']).status === 0;
  describe.skipIf(!present)(`quote() in ${sh}${present ? '' : ' (skipped: not installed here)'}`, () => {
    it('printf %s WORD prints the word byte-exact and runs nothing', () => {
      fc.assert(
        fc.property(hostile, (s) => {
          const r = spawnSync(sh, [...shArgs, '-c', 'printf %s ' + quote(s)], { encoding: 'buffer' });
          expect(r.status).toBe(0);
          expect(r.stdout.equals(Buffer.from(s, 'utf8'))).toBe(true);
        }),
        { seed: 20240611, numRuns: 150 },
      );
      expect(existsSync(canary)).toBe(false);
    });

    it('quoteArgv keeps word boundaries: each word arrives as one argument', () => {
      fc.assert(
        fc.property(fc.array(hostile, { minLength: 1, maxLength: 4 }), (words) => {
          // printf repeats its format for every argument: a NUL after each word delimits them.
          const r = spawnSync(sh, [...shArgs, '-c', `printf '%s\\000' ${quoteArgv(words)}`], { encoding: 'buffer' });
          expect(r.status).toBe(0);
          expect(r.stdout.equals(Buffer.concat(words.map((w) => Buffer.from(w + '\0', 'utf8'))))).toBe(true);
        }),
        { seed: 777, numRuns: 80 },
      );
      expect(existsSync(canary)).toBe(false);
    });

    it('refuses a NUL byte instead of truncating', () => {
      expect(() => quote('a\0b')).toThrow(/NUL/);
    });
  });
}
