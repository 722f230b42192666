import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  argvWord,
  extractInlineOptions,
  globWord,
  guardProbe,
  pythonDelta,
  pythonTimestamp,
  readGuard,
  skipMessages,
  splitLines,
} from '../../src/modules/command-runner.js';
import { commandModule } from '../../src/modules/command.js';
import { shellModule } from '../../src/modules/shell.js';
import type { RunContext } from '../../src/modules/types.js';
import { shlexSplit } from '../../src/shlex.js';

/** What /bin/sh makes of a shell word: printed as one line. */
function shWord(word: string, env: Record<string, string> = {}): string {
  return execFileSync('/bin/sh', ['-c', `printf '%s' ${word}`], { env: { PATH: process.env.PATH, ...env } }).toString();
}

describe('extractInlineOptions', () => {
  it.each([
    ['creates=/tmp/x touch /tmp/x', 'touch /tmp/x', { creates: '/tmp/x' }],
    ['ls creates=/a chdir="/my dir" -l', 'ls -l', { creates: '/a', chdir: '/my dir' }],
    ['echo "creates=/not/extracted"', 'echo "creates=/not/extracted"', {}],
    ['echo foo=bar', 'echo foo=bar', {}],
  ])('%j', (raw, rest, options) => {
    expect(extractInlineOptions(raw)).toEqual({ rest, options });
  });

  it('keeps a multi-line script as written when nothing is extracted', () => {
    const script = 'for i in 1 2; do\n    echo  $i\ndone\n';
    expect(extractInlineOptions(script).rest).toBe(script);
  });
});

describe('python formats', () => {
  it.each([
    [3456, '0:00:00.003456'],
    [5_000_000, '0:00:05'],
    [3_723_000_001, '1:02:03.000001'],
    [86_400_000_000 + 1_000_000, '1 day, 0:00:01'],
  ])('pythonDelta(%i) = %s', (micros, text) => {
    expect(pythonDelta(micros)).toBe(text);
  });

  it('pythonTimestamp has the shape of str(datetime)', () => {
    const d = new Date(2024, 0, 2, 3, 4, 5, 6);
    expect(pythonTimestamp(d)).toBe('2024-01-02 03:04:05.006000');
  });

  it('splitLines drops only the final empty line', () => {
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(splitLines('a\r\nb')).toEqual(['a', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});

describe('shell words', () => {
  it.each(['plain', "it's", '$(touch /tmp/rackplay-canary)', '`id`', 'a;b|c>d', ' spaced  ', '"dq"', '\\back'])(
    'argvWord keeps %j literal',
    (w) => {
      expect(shWord(argvWord(w))).toBe(w);
    },
  );

  it('argvWord expands environment variables and ~ like Python expandvars/expanduser', () => {
    const env = { HOME: '/home/u', FOO: 'foo value' };
    expect(shWord(argvWord('$FOO/x'), env)).toBe('foo value/x');
    expect(shWord(argvWord('pre${FOO}post'), env)).toBe('prefoo valuepost');
    expect(shWord(argvWord('$UNSET_VAR'), env)).toBe('$UNSET_VAR');
    expect(shWord(argvWord('~/bin'), env)).toBe('/home/u/bin');
    expect(shWord(argvWord('$FOO', false), env)).toBe('$FOO');
  });

  it('globWord leaves wildcards live and quotes the rest', () => {
    expect(globWord("/tmp/a b/*.log")).toBe("'/tmp/a b/'*.log");
    expect(globWord('~/x')).toBe('"$HOME"/x');
    expect(shWord(globWord("/it's"))).toBe("/it's");
  });
});

describe('guard results', () => {
  it('only the exact nonce marker counts as a guard outcome', () => {
    expect(readGuard('n1:creates\n', 'n1')).toEqual({ kind: 'creates' });
    expect(readGuard('n1:chdir:13\n', 'n1')).toEqual({ kind: 'chdir', errno: 13 });
    expect(readGuard('n2:creates\n', 'n1')).toEqual({ kind: 'ran' });
    expect(readGuard('output n1:creates', 'n1')).toEqual({ kind: 'ran' });
  });

  it("uses Ansible's messages", () => {
    expect(skipMessages('creates', '/x', false).msg).toBe("Did not run command since '/x' exists");
    expect(skipMessages('removes', '/x', true).msg).toBe("Would not run command since '/x' does not exist");
    expect(shlexSplit('a b')).toHaveLength(2);
  });
});

describe('a batched creates/removes guard', () => {
  // A RunContext whose batch says `guardOut` and which records every exec.
  function ctxWith(guardOut: string | undefined, check = false) {
    const execs: string[] = [];
    const guards: string[] = [];
    const ctx = {
      check,
      diff: false,
      host: 'h',
      vars: {},
      exec: async (cmd: string) => {
        execs.push(cmd);
        return { rc: 0, stdout: 'ran\n', stderr: '', stdoutBytes: Buffer.from('ran\n') };
      },
      batchedGuard: async (script: string) => {
        guards.push(script);
        return guardOut === undefined ? undefined : { rc: 0, stdout: guardOut, stderr: '', stdoutBytes: Buffer.from(guardOut) };
      },
    } as unknown as RunContext;
    return { ctx, execs, guards };
  }

  it('is the same script the module offers for prediction, and only when there is something to test', () => {
    const args = { _raw_params: 'make install creates=/opt/x chdir=/src' };
    expect(commandModule.guard!(args)).toBe(guardProbe({ creates: '/opt/x', chdir: '/src' }));
    expect(shellModule.guard!({ cmd: 'rm -f /x', removes: '/x' })).toBe(guardProbe({ removes: '/x' }));
    expect(commandModule.guard!({ cmd: 'true' })).toBeUndefined();
  });

  it('ends the task without an exec when the batch says the file exists; otherwise the command runs', async () => {
    const skip = ctxWith('guard:creates\n');
    const r = await commandModule.run!({ cmd: 'touch /opt/x', creates: '/opt/x' }, skip.ctx);
    expect(r).toMatchObject({ changed: false, rc: 0, msg: "Did not run command since '/opt/x' exists" });
    expect(skip.execs).toEqual([]);
    expect(skip.guards).toEqual([commandModule.guard!({ cmd: 'touch /opt/x', creates: '/opt/x' })]);

    const checkSkip = ctxWith('guard:removes\n', true);
    const c = await shellModule.run!({ cmd: 'rm /x', removes: '/x' }, checkSkip.ctx);
    expect(c).toMatchObject({ changed: false, msg: "Would not run command since '/x' does not exist" });
    expect(checkSkip.execs).toEqual([]);

    for (const out of ['guard:run\n', undefined]) {
      const run = ctxWith(out);
      const ran = await commandModule.run!({ cmd: 'touch /opt/x', creates: '/opt/x' }, run.ctx);
      expect(ran.changed).toBe(true);
      expect(run.execs).toHaveLength(1);
    }
  });

  it('prints what readGuard expects, through a real shell', () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    try {
      const sh = (script: string) => execFileSync('/bin/sh', ['-c', script]).toString();
      expect(readGuard(sh(guardProbe({ creates: `${dir}/*` })!), 'guard')).toEqual({ kind: 'ran' });
      execFileSync('touch', [`${dir}/made`]);
      expect(readGuard(sh(guardProbe({ creates: `${dir}/*` })!), 'guard')).toEqual({ kind: 'creates' });
      expect(readGuard(sh(guardProbe({ removes: `${dir}/gone` })!), 'guard')).toEqual({ kind: 'removes' });
    } finally {
      execFileSync('rm', ['-rf', dir]);
    }
  });
});
