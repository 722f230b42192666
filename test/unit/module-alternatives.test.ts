// alternatives: `update-alternatives --display` parsed as the module parses it, and the
// plan case by case; each case's finished display plans nothing.
import { describe, expect, it } from 'vitest';
import { parseDisplay, planAlternatives, type AlternativesArgs } from '../../src/modules/alternatives.js';

const display = (mode: 'auto' | 'manual', current: string, alts: [string, number][]) =>
  `hello - ${mode} mode\n  link best version is /opt/a\n  link currently points to ${current}\n  link hello is /opt/bin/hello\n  slave hello.1 is /opt/man/hello.1\n` +
  alts.map(([p, n]) => `${p} - priority ${n}\n  slave hello.1: ${p}.1\n`).join('');
const facts = (d: string | undefined) => ({ tool: true, display: d, pathExists: true });
const a = (x: Partial<AlternativesArgs>) => ({ name: 'hello', path: '/opt/b', state: 'selected', ...x }) as AlternativesArgs;
const cmds = (x: Partial<AlternativesArgs>, d: string | undefined) => planAlternatives(a(x), facts(d)).steps.map((s) => (s.kind === 'exec' ? s.cmd : ''));

describe('alternatives', () => {
  it('parses the display output', () => {
    const cur = parseDisplay(display('manual', '/opt/b', [['/opt/a', 20], ['/opt/b', 10]]), undefined);
    expect(cur.mode).toBe('manual');
    expect(cur.path).toBe('/opt/b');
    expect(cur.link).toBe('/opt/bin/hello');
    expect(cur.alternatives.get('/opt/b')).toEqual({ priority: 10, subcommands: [{ name: 'hello.1', path: '/opt/b.1', link: '/opt/man/hello.1' }] });
  });

  const CASES: [string, Partial<AlternativesArgs>, string | undefined, RegExp[], string][] = [
    ['installs and selects a new group', { link: '/opt/bin/hello', priority: 10 }, undefined, [/--install '?\/opt\/bin\/hello'? '?hello'? '?\/opt\/b'? '?10'?/, /--set '?hello'? '?\/opt\/b'?/], display('manual', '/opt/b', [['/opt/b', 10]])],
    ['selects an installed path', {}, display('auto', '/opt/a', [['/opt/a', 20], ['/opt/b', 10]]), [/--set/], display('manual', '/opt/b', [['/opt/a', 20], ['/opt/b', 10]])],
    ['reinstalls for a new priority', { priority: 30, state: 'present' }, display('auto', '/opt/a', [['/opt/a', 20], ['/opt/b', 10]]), [/--install '?\/opt\/bin\/hello'? '?hello'? '?\/opt\/b'? '?30'?/], display('auto', '/opt/b', [['/opt/a', 20], ['/opt/b', 30]])],
    ['back to auto', { state: 'auto' }, display('manual', '/opt/b', [['/opt/a', 20], ['/opt/b', 10]]), [/--auto '?hello'?/], display('auto', '/opt/a', [['/opt/a', 20], ['/opt/b', 10]])],
    ['removes a path', { state: 'absent' }, display('auto', '/opt/a', [['/opt/a', 20], ['/opt/b', 10]]), [/--remove '?hello'? '?\/opt\/b'?/], display('auto', '/opt/a', [['/opt/a', 20]])],
  ];
  it.each(CASES)('%s', (_n, args, before, expected, finished) => {
    expect(cmds(args, before)).toEqual(expected.map((re) => expect.stringMatching(re)));
    expect(cmds(args, finished)).toEqual([]);
  });

  it('fails as the module does', () => {
    expect(() => planAlternatives(a({ link: '/x' }), { tool: true, pathExists: false })).toThrow('Specified path /opt/b does not exist');
    expect(() => planAlternatives(a({}), { tool: true, pathExists: true })).toThrow('missing the link');
  });
});
