// expect on shell alone: Python patterns as grep -E patterns, and the sh driver run for
// real (util-linux script makes the pty) against a small interactive script.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectScript, pythonToEre, readDriver, type DriverSpec } from '../../src/modules/expect-driver.js';
import { ModuleFailure } from '../../src/modules/types.js';

const haveScript = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v script && command -v mkfifo'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('Python patterns for grep -E', () => {
  const cases: [string, string, boolean][] = [
    ['Password:', 'Password:', false],
    ['(?i)password', 'password', true],
    ['Name\\?', 'Name\\?', false],
    ['\\d+ items\\s', '[0-9]+ items[[:space:]]', false],
    ['[\\w.]+@', '[[:alnum:]_.]+@', false],
    ['(?:yes|no)\\)', '(yes|no)\\)', false],
  ];
  for (const [py, ere, icase] of cases) it(py, () => expect(pythonToEre(py)).toEqual({ ere, ignoreCase: icase }));

  it('refuses what grep -E cannot say, naming the pattern', () => {
    for (const p of ['a+?', '(?=x)', '\\bword', '(?m)^x']) expect(() => pythonToEre(p)).toThrow(ModuleFailure);
    expect(() => pythonToEre('a*?')).toThrow("which has no a non-greedy repeat: 'a*?'");
  });
});

describe.skipIf(!haveScript)('the expect driver under sh (needs util-linux script and mkfifo)', () => {
  const root = mkdtempSync(join(tmpdir(), 'rp-expect-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const ask = join(root, 'ask.sh');
  writeFileSync(ask, '#!/bin/sh\nprintf "Name? "; read n\nprintf "Password: "; read p\nprintf "Again: "; read q\necho "hello $n ($p/$q)"\nexit 3\n');
  chmodSync(ask, 0o755);

  const run = (events: [string, string[] | string][], more: Partial<DriverSpec> = {}) => {
    const spec: DriverSpec = {
      argv: [ask],
      events: events.map(([pattern, r]) => ({ pattern, ere: pythonToEre(pattern), responses: Array.isArray(r) ? r : [r], cycle: !Array.isArray(r) })),
      timeout: 5,
      echo: false,
      nonce: 'N0NCE',
      ...more,
    };
    return readDriver(execFileSync('sh', ['-c', expectScript(spec)]), 'N0NCE');
  };

  it('answers each prompt, a string every time and a list in turn, and returns the exit status', () => {
    const r = run([['(?i)name\\?', 'alice'], ['[Pp]assword:|Again:', ['one', 'two']]]);
    expect(r).toEqual({ kind: 'rc', rc: 3, out: 'Name? Password: Again: hello alice (one/two)\r\n' });
  });

  it('says which list ran out and what it answered last', () => {
    const r = run([['Name\\?', 'a'], ['Password:', 'b'], ['Again', []]]);
    expect(r).toMatchObject({ kind: 'noresp', event: 2 });
    if (r?.kind !== 'noresp') throw new Error('no noresp');
    expect(Buffer.from(r.out).subarray(...r.span).toString()).toBe(' Again');
  });

  it('ends the command after the timeout without a match', () => {
    expect(run([['Name\\?', 'a']], { timeout: 1 })).toMatchObject({ kind: 'timeout', out: 'Name? Password: ' });
  });

  it('skips for creates and removes, and runs in chdir with echo when asked', () => {
    expect(run([], { creates: root })).toEqual({ kind: 'skip', which: 'creates' });
    expect(run([], { removes: join(root, 'nope') })).toEqual({ kind: 'skip', which: 'removes' });
    const r = run([['Name\\?', 'x'], ['Password:', 'y'], ['Again:', 'z']], { echo: true, chdir: root, argv: ['sh', '-c', 'pwd; ./ask.sh'] });
    expect(r).toMatchObject({ kind: 'rc', rc: 3 });
    expect(r?.kind === 'rc' && r.out).toBe(`${root}\r\nName? x\r\nPassword: y\r\nAgain: z\r\nhello x (y/z)\r\n`);
  });
});
