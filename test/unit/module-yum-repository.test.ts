// yum_repository's plan from the repos directory's facts, case by case; each case's file,
// once written, plans nothing. Python's configparser reading and writing underneath.
import { describe, expect, it } from 'vitest';
import type { FileFacts } from '../../src/facts/file-probe.js';
import { parseConfig, writeConfig } from '../../src/modules/python-configparser.js';
import { planYumRepository, type RepoFacts, type YumRepositoryArgs } from '../../src/modules/yum-repository.js';

const dir = { exists: true, type: 'directory', mode: 0o755, extra: {} } as unknown as FileFacts;
const file = (text: string | undefined): FileFacts =>
  text === undefined ? ({ exists: false, extra: {} } as FileFacts) : ({ exists: true, type: 'file', mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', content: Buffer.from(text), extra: {} } as unknown as FileFacts);
const ctx = { check: false, diff: true, host: 'h', vars: {} };
const a = (x: Partial<YumRepositoryArgs>) => ({ reposdir: '/etc/yum.repos.d', state: 'present', ...x }) as YumRepositoryArgs;
/** What the plan writes: the content of its put step (or of a write through the shell). */
const written = (facts: RepoFacts, args: YumRepositoryArgs): string | null | undefined => {
  const plan = planYumRepository(args, facts, ctx);
  if (!plan.steps.length) return undefined;
  const put = plan.steps.find((s) => s.kind === 'put');
  if (put && put.kind === 'put') return put.content.toString();
  const stdin = plan.steps.find((s) => s.kind === 'exec' && s.stdin !== undefined);
  if (stdin && stdin.kind === 'exec') return String(stdin.stdin);
  return null; // removed
};

const CASES: [string, string | undefined, Partial<YumRepositoryArgs>, string | null][] = [
  ['a new file', undefined, { name: 'xen', description: 'Xen', baseurl: ['http://m/'], gpgcheck: false }, '[xen]\nbaseurl = http://m/\ngpgcheck = 0\nname = Xen\n\n'],
  ['lists on continuation lines, keys sorted', undefined, { name: 'm', description: 'M', baseurl: ['http://a/', 'http://b/'], exclude: ['k*', 'x*'], enabled: true }, '[m]\nbaseurl = http://a/\n\thttp://b/\nenabled = 1\nexclude = k* x*\nname = M\n\n'],
  // configparser's remove_section + add_section: the replaced section moves to the end
  ['a section replaced whole, comments dropped', '# c\n[a]\nname=A\nbaseurl=http://a/\n[b]\nname = B\nbaseurl = http://b/\n', { name: 'a', description: 'A2', baseurl: ['http://a/'] }, '[b]\nname = B\nbaseurl = http://b/\n\n[a]\nbaseurl = http://a/\nname = A2\n\n'],
  ['the last section removed removes the file', '[a]\nname = A\nbaseurl = http://a/\n', { name: 'a', state: 'absent' }, null],
];

describe('yum_repository', () => {
  it.each(CASES)('%s', (_n, before, args, after) => {
    const facts = { dir, file: file(before) };
    expect(written(facts, a(args))).toBe(after);
    const finished = { dir, file: file(after ?? undefined) };
    expect(planYumRepository(a(args), finished, ctx).steps).toEqual([]);
  });

  it('reads what it writes, continuation lines and all', () => {
    const text = '[x]\nname = X\nbaseurl = http://a/\n\thttp://b/\n\n';
    expect(writeConfig(parseConfig(text))).toBe(text);
    expect(parseConfig('[s]\nKey: v\n  more\n\n; c\nother=1\n').get('s')).toEqual(new Map([['key', 'v\nmore'], ['other', '1']]));
  });

  it('fails as the module does', () => {
    const facts = { dir, file: file(undefined) };
    expect(() => planYumRepository(a({ name: 'x', description: 'd' }), facts, ctx)).toThrow("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.");
    expect(() => planYumRepository(a({ name: 'x', baseurl: ['u'] }), facts, ctx)).toThrow("Parameter 'description' is required.");
    expect(() => planYumRepository(a({ name: 'x', state: 'absent' }), { dir: file(undefined), file: file(undefined) }, ctx)).toThrow("Repo directory '/etc/yum.repos.d' does not exist.");
    expect(() => planYumRepository(a({ name: 'x', state: 'absent' }), { dir, file: file('key = v\n') }, ctx)).toThrow('File contains no section headers.');
  });
});
