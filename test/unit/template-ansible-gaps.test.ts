// Tests, filters and lookups found missing by running ansible-core 2.14's integration
// targets; the expected values are what ansible-playbook 2.14.18 printed for the same
// expressions (see test/integration/template-ansible-gaps.test.ts for the side-by-side run).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { expandLoop, sequence } from '../../src/engine/loops.js';
import type { LoopSpec } from '../../src/playbook/types.js';
import { Templar, UndefinedVariableError } from '../../src/template/index.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'rp-gaps-'));
const role = path.join(root, 'roles', 'r1');
mkdirSync(path.join(role, 'files'), { recursive: true });
mkdirSync(path.join(role, 'templates'), { recursive: true });
mkdirSync(path.join(root, 'files'));
writeFileSync(path.join(role, 'files', 'a.txt'), 'role-file\n');
writeFileSync(path.join(role, 'templates', 't.j2'), 'tmpl {{ x }}');
writeFileSync(path.join(root, 'files', 'b.txt'), 'pb-file\n');
writeFileSync(path.join(root, 'files', 'conf.ini'), '[sec]\nuser = alice\npass=secret\nurl = http://%(user)s@x\n[other]\nuser=bob\n');
writeFileSync(path.join(root, 'files', 'p.properties'), 'user.name=carol\nuser.port = 80\n');
symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling'));

const t = new Templar({ searchPaths: () => [root] });
const u = 'https://user:pw@Www.Example.com:8080/p/a?x=1&y=2#frag';
const vars: Record<string, unknown> = {
  u,
  root,
  users: [{ name: 'a', groups: ['g1', 'g2'] }, { name: 'b', groups: ['g3'] }],
  myvar1: 1,
  myvar2: 2,
  c: { changed: true, failed: false, rc: 0 },
  lr: { changed: true, msg: 'All items completed', results: [{ changed: false }, { changed: true }] },
  noresults: { results: [{ changed: false }] },
  skippedloop: { skipped: true, results: [] },
};
const ev = (expr: string, extra: Record<string, unknown> = {}): unknown => t.evaluate(expr, { ...vars, ...extra });

describe('task result tests, the whole family', () => {
  test.each([
    ['c is successful', true], ['c is success', true], ['c is succeeded', true],
    ['c is failure', false], ['c is failed', false], ['c is change', true], ['c is changed', true],
    ['c is skip', false], ['c is skipped', false], ['c is finished', true], ['c is started', true],
    ['c is unreachable', false], ['c is reachable', true],
    // a loop's result without `changed` is changed when an item was
    ['lr is changed', true], ['noresults is changed', false],
    ["{'finished': 0, 'started': 1} is finished", false], ["{'finished': 1} is finished", true], ["{'started': 1} is started", true],
  ])('%s', (expr, want) => {
    expect(ev(expr)).toBe(want);
  });

  test('a non-dict is an error, and the aliases Ansible lacks are gone', () => {
    expect(() => ev("'x' is changed")).toThrow("The 'changed' test expects a dictionary");
    expect(() => ev('c is succeed')).toThrow();
  });
});

describe('uri, url, urn, isnan, link_exists', () => {
  test('as Ansible answers them', () => {
    expect(ev("[u is uri, 'foo' is uri, 'foo' is url, 'file:///x' is url, 'urn:isbn:1' is urn, 'http://x' is urn, u is uri(['ftp']), u is url(['https']), 'mailto:a@b' is url]")).toEqual([
      true, true, false, true, true, false, false, true, false,
    ]);
    expect(ev("[(0.0/1) is isnan, 'x' is isnan, '/' is is_mount, '/tmp' is is_same_file('/tmp')]")).toEqual([false, false, true, true]);
    expect(ev('[root ~ "/dangling" is link_exists, root ~ "/dangling" is exists, "/nonexist" is link_exists]')).toEqual([true, false, false]);
  });
});

describe('url filters', () => {
  test('urlsplit: the dict and each part', () => {
    expect(ev('u | urlsplit')).toEqual({
      fragment: 'frag', hostname: 'www.example.com', netloc: 'user:pw@Www.Example.com:8080', password: 'pw',
      path: '/p/a', port: 8080, query: 'x=1&y=2', scheme: 'https', username: 'user',
    });
    expect(ev("['scheme', 'netloc', 'path', 'query', 'fragment', 'username', 'password', 'hostname', 'port'] | map('extract', u | urlsplit) | list")).toEqual([
      'https', 'user:pw@Www.Example.com:8080', '/p/a', 'x=1&y=2', 'frag', 'user', 'pw', 'www.example.com', 8080,
    ]);
    expect(ev("u | urlsplit('port')")).toBe(8080);
    expect(ev("'foo/bar' | urlsplit")).toEqual({ fragment: '', hostname: null, netloc: '', password: null, path: 'foo/bar', port: null, query: '', scheme: '', username: null });
    expect(ev("'http://[::1]:80/' | urlsplit('hostname')")).toBe('::1');
    expect(() => ev("'foo' | urlsplit('nope')")).toThrow('urlsplit: unknown URL component: nope');
  });

  test('urldecode', () => {
    expect(ev("'a%20b+c%2Fd' | urldecode")).toBe('a b c/d');
    expect(ev("'caf%C3%A9%zz' | urldecode")).toBe('café%zz');
  });
});

describe('mathstuff and path filters', () => {
  test('as Ansible computes them', () => {
    expect(ev('[16 | log(2), 2 | pow(10), 27 | root(3), 16 | root, 100 | log(10)]')).toEqual([4, 1024, 3, 4, 2]);
    expect(ev('8 | log')).toBeCloseTo(2.0794415416798357, 12);
    expect(ev('[1,2,3] | permutations(2) | list')).toEqual([[1, 2], [1, 3], [2, 1], [2, 3], [3, 1], [3, 2]]);
    expect(ev('[1,2,3] | permutations | list | length')).toBe(6);
    expect(ev('[1,2,3] | combinations(2) | list')).toEqual([[1, 2], [1, 3], [2, 3]]);
    expect(ev("['1K' | human_to_bytes, '1.5 MB' | human_to_bytes, '10 Mb' | human_to_bytes(isbits=True), '2' | human_to_bytes, '1' | human_to_bytes(default_unit='G')]")).toEqual([1024, 1572864, 10485760, 2, 1073741824]);
    expect(() => ev("'10 Mb' | human_to_bytes")).toThrow("human_to_bytes() can't interpret following string: 10 Mb");
    expect(ev("[{'n': 'a', 'v': 1}, {'n': 'b', 'v': 2}] | rekey_on_member('n')")).toEqual({ a: { n: 'a', v: 1 }, b: { n: 'b', v: 2 } });
    expect(() => ev("[{'n': 'a'}, {'n': 'a'}] | rekey_on_member('n')")).toThrow('Key a is not unique, cannot correctly turn into dict');
    expect(ev("['example.com' | to_uuid, 'x' | to_uuid(namespace='11111111-2222-3333-4444-555555555555')]")).toEqual([
      'ae780c3a-a3ab-53c2-bfb4-098da300b3fe', 'ae643dff-6199-5c7f-b5fe-bf3250d1d468',
    ]);
    expect(ev("[['a', 'b', 'c'] | path_join, ['a', '/b', 'c'] | path_join, 'C:/x/y.txt' | win_basename, 'C:/x/y.txt' | win_dirname, 'C:/x/y.txt' | win_splitdrive]")).toEqual([
      'a/b/c', '/b/c', 'y.txt', 'C:/x', ['C:', '/x/y.txt'],
    ]);
    expect(ev("'$HOME/x ${NO_SUCH_VAR_RP}' | expandvars")).toBe(`${process.env.HOME}/x \${NO_SUCH_VAR_RP}`);
    expect(ev("(root ~ '/files/*.txt') | fileglob")).toEqual([path.join(root, 'files', 'b.txt')]);
  });
});

describe('password_hash, as crypt(3) computes it (ansible-playbook without passlib)', () => {
  test.each<[string, string]>([
    ["'pw' | password_hash('sha512', 'saltsalt')", '$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/'],
    ["'pw' | password_hash('sha256', 'saltsalt')", '$5$saltsalt$0rl.MZtoLLPP3X0Rdl8riRnphIcAXJY27/aOAyK2hB5'],
    ["'pw' | password_hash('sha512', 'saltsalt', rounds=5000)", '$6$rounds=5000$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/'],
    ["'pw' | password_hash('sha512', 'saltsalt', rounds=656000)", '$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAip/08R2BPH2xk/'],
    ["'pw' | password_hash('md5', 'saltsalt')", '$1$saltsalt$6SNdNaZLKst2LlSm7oPPL1'],
    ["'pw' | password_hash('sha512', 'saltsalt', rounds=10000)", '$6$rounds=10000$saltsalt$PCkl82bcVNZUyS5el2MR9Coq8KSFAH2TLAV2NKcVGH1Dq51jMRJNvf2NrUOE/Sv9WOINUlZWqywN9lCRzMZF.1'],
    // from Python's crypt.crypt: long password, short salt, non-ASCII, minimum rounds
    ["('x' * 100) | password_hash('sha512', 'abcdefghijklmnop')", '$6$abcdefghijklmnop$r/HtRGuCzMNedONV3I8Xz8Qm4Qy85pQ/RigX0agmbAzWsa3BCc1B564NfCD/Giyliby36KbTMkrVLsmFYtbTu1'],
    ["'pässwörd' | password_hash('sha256', 'Zz./09')", '$5$Zz./09$OnHKe4w9qcWmaPcDRY.aqB3RAQXfkhTNdldkyTTOwD3'],
    ["('y' * 70) | password_hash('sha256', 'q', rounds=1000)", '$5$rounds=1000$q$1u.pYsuD5Y4jjZCglNEBRJdNIy46WjOXig/HqbXOql/'],
    ["('abc' * 7) | password_hash('md5', 'abcdefgh')", '$1$abcdefgh$v/RGrA6EcCacs1SB/1f9n.'],
  ])('%s', (expr, want) => {
    expect(ev(expr)).toBe(want);
  });

  test('a random salt of the right alphabet, and the salt checks', () => {
    expect(ev("'pw' | password_hash")).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(() => ev("'pw' | password_hash('sha512', 'bad salt')")).toThrow('invalid characters in salt');
    expect(() => ev("'pw' | password_hash('md5', 'toolongsalt')")).toThrow('invalid salt size');
    expect(() => ev("'pw' | password_hash('nope')")).toThrow("crypt.crypt does not support 'nope' algorithm");
  });
});

describe('vault and unvault', () => {
  test('with a salt the envelope is the one ansible-playbook 2.14 writes', () => {
    expect(ev("'hello' | vault('pw', salt='saltsaltsaltsalt')")).toBe(
      '$ANSIBLE_VAULT;1.2;AES256;filter_default\n37333631366337343733363136633734373336313663373437333631366337340a61663461346535\n63623836363632356334653139326637353633336163353938356231313338633362343063376465\n36366431616433306334306634323837660a37393963643836353032646464303439313364366262\n37613133373539616532\n',
    );
    expect(ev("'x' | vault('pw', salt='abc', vaultid='myid')")).toBe(
      '$ANSIBLE_VAULT;1.2;AES256;myid\n3631363236330a313531346238346566313437313262663031353530656133363937656465306230\n373530656262356232303339373365656262313737393764356131663466300a3161326663313864\n613063383265343865363763353764613834623365613234\n',
    );
  });

  test('round trip, plain text passes, a wrong secret fails', () => {
    expect(ev("['hello' | vault('pw') | unvault('pw'), 'plain' | unvault('pw')]")).toEqual(['hello', 'plain']);
    expect(() => ev("'hello' | vault('pw') | unvault('wrong')")).toThrow('Unable to decrypt: Decryption failed (no vault secrets were found that could decrypt). Decryption failed');
    expect(() => ev("5 | vault('pw')")).toThrow("Can only vault strings, instead we got: <class 'int'>");
  });
});

describe("Jinja2 3.1's own filters and the filter/test tests", () => {
  test.each<[string, unknown]>([
    ["{'b': 1, 'a': 2} | items | list", [['b', 1], ['a', 2]]],
    ['missing | items | list', []],
    ['1000 | filesizeformat', '1.0 kB'],
    ['1500000 | filesizeformat(true)', '1.4 MiB'],
    ['123456789 | filesizeformat', '123.5 MB'],
    ['0 | filesizeformat', '0 Bytes'],
    ["'lorem ipsum dolor sit amet consectetur' | truncate(20)", 'lorem ipsum...'],
    ["'lorem ipsum dolor' | truncate(9, true, '..', 0)", 'lorem i..'],
    ["'hello world' | truncate(5)", 'he...'],
    ["'hello world' | truncate(11)", 'hello world'],
    ["'a <b>bold</b>  &amp; x' | striptags", 'a bold & x'],
    ["'the quick brown fox jumps' | wordwrap(10)", 'the quick\nbrown fox\njumps'],
    ["'hello' | wordwrap(2)", 'he\nll\no'],
    ["'a b c d e f' | wordwrap(3, wrapstring='|')", 'a b|c d|e f'],
    ["'<a>' | forceescape", '&lt;a&gt;'],
    ["{'class': 'x', 'id': 'y<', 'skip': none} | xmlattr", ' class="x" id="y&lt;"'],
    ["{'b': 1, 'a': '<x&y>'} | tojson", '{"a": "\\u003cx\\u0026y\\u003e", "b": 1}'],
    ["['upper' is filter, 'nosuch' is filter, 'defined' is test, 'zz' is test]", [true, false, true, false]],
  ])('%s', (expr, want) => {
    expect(ev(expr)).toEqual(want);
  });

  test("attr reads attributes, not a dict's keys", () => {
    expect(() => ev("{'a': 1} | attr('a')")).toThrow("'dict object' has no attribute 'a'");
    expect(ev("'abc' | attr('upper')")).toBeTypeOf('function');
  });
});

describe('unique, as Ansible wraps Jinja2', () => {
  test.each<[string, unknown]>([
    ["['a', 'A', 'b'] | unique", ['a', 'b']],
    ["['a', 'A', 'b'] | unique(case_sensitive=True)", ['a', 'A', 'b']],
    ["[{'n': 'x'}, {'n': 'X'}, {'n': 'y'}] | unique(attribute='n')", [{ n: 'x' }, { n: 'y' }]],
    ['[[1], [1], 2] | unique', [[1], 2]],
    ['[[1], [1], 2] | unique(case_sensitive=True)', [[1], 2]],
    ['[1, [2], 1] | unique', [1, [2]]],
  ])('%s', (expr, want) => {
    expect(ev(expr)).toEqual(want);
  });

  test('unhashable items with case_sensitive=False cannot fall back', () => {
    expect(() => ev('[[1], [1], 2] | unique(case_sensitive=False)')).toThrow(
      "Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied. unhashable type: 'list'",
    );
  });
});

describe('lookups', () => {
  test('subelements drops the sub-key from the parent, skips what is missing when asked', () => {
    expect(ev("query('subelements', users, 'groups')")).toEqual([[{ name: 'a' }, 'g1'], [{ name: 'a' }, 'g2'], [{ name: 'b' }, 'g3']]);
    expect(ev("query('subelements', [{'a': {'b': [1]}}, {'c': 1}], 'a.b', {'skip_missing': True})")).toEqual([[{ a: {} }, 1]]);
    expect(() => ev("query('subelements', [{'a': 1}], 'b')")).toThrow("could not find 'b' key in iterated item '{'a': 1}'");
    expect(ev("query('subelements', skippedloop, 'x')")).toEqual([]);
  });

  test('ini, properties, re and default', () => {
    expect(ev("lookup('ini', 'user', section='sec', file='files/conf.ini')")).toBe('alice');
    expect(ev("lookup('ini', 'pass section=sec file=files/conf.ini')")).toBe('secret');
    expect(ev("lookup('ini', 'url', section='sec', file='files/conf.ini')")).toBe('http://alice@x');
    expect(ev("lookup('ini', 'user.name', type='properties', file='files/p.properties')")).toBe('carol');
    expect(ev("query('ini', 'u.*', section='sec', file='files/conf.ini', re=True)")).toEqual(['alice', 'http://alice@x']);
    expect(ev("lookup('ini', 'nokey', section='sec', file='files/conf.ini', default='dflt')")).toBe('dflt');
    expect(() => ev("lookup('ini', 'user', section='none', file='files/conf.ini')")).toThrow("No section 'none' in files/conf.ini");
  });

  test('varnames, random_choice, sequence, lines', () => {
    expect(ev("lookup('varnames', '^myvar')")).toBe('myvar1,myvar2');
    expect(ev("query('varnames', '^myvar', 'users')")).toEqual(['myvar1', 'myvar2', 'users']);
    expect(ev("query('random_choice', 'only')")).toEqual(['only']);
    expect(ev("query('sequence', 'start=5 count=3', '0x0a-0x0c')")).toEqual(['5', '6', '7', '10', '11', '12']);
    expect(ev("query('lines', 'printf \"l1\\\\nl2\\\\n\"')")).toEqual(['l1', 'l2']);
    expect(ev("lookup('first_found', ['nope'], skip=True)")).toEqual([]);
  });

  test("an error the lookup did not handle is reported in Ansible's words", () => {
    expect(() => ev("query('sequence', 'end=3 stride=-1')")).toThrow(
      "An unhandled exception occurred while running the lookup plugin 'sequence'. Error was a <class 'ansible.errors.AnsibleError'>, original message: to count forward don't make stride negative. to count forward don't make stride negative",
    );
    expect(() => ev("lookup('first_found', ['nope'])")).toThrow(/^No file was found when using first_found\.$/);
  });

  test("relative files: the role's files/ and templates/ first, then the playbook dir", () => {
    const inRole = { role_path: role, x: 5 };
    expect(ev("lookup('first_found', ['nope.txt', 'a.txt'])", inRole)).toBe(path.join(role, 'files', 'a.txt'));
    expect(ev("lookup('first_found', 'x', files=['nope.txt', 'b.txt'])", inRole)).toBe(path.join(root, 'files', 'b.txt'));
    expect(ev("lookup('first_found', {'files': ['nope.txt', 'a.txt'], 'paths': ['files', 'nodir']})", inRole)).toBe(path.join(role, 'files', 'a.txt'));
    expect(ev("lookup('template', 't.j2')", inRole)).toBe('tmpl 5');
    expect(ev("query('file', 'a.txt', 'b.txt')", inRole)).toEqual(['role-file', 'pb-file']);
  });
});

describe('with_<lookup> loops', () => {
  const loop = (kind: string, value: unknown, extra: Record<string, unknown> = {}): Promise<unknown[]> =>
    expandLoop({ kind, value, loop_var: 'item' } as unknown as LoopSpec, t, { ...vars, ...extra }, () => []);

  test.each<[string, unknown, unknown[]]>([
    ['with_sequence', '4', ['1', '2', '3', '4']],
    ['with_sequence', '2-4', ['2', '3', '4']],
    ['with_sequence', 'start=0 end=4 stride=2 format=t%02x', ['t00', 't02', 't04']],
    ['with_sequence', 'count=0', []],
    ['with_subelements', ['{{ users }}', 'groups'], [[{ name: 'a' }, 'g1'], [{ name: 'a' }, 'g2'], [{ name: 'b' }, 'g3']]],
    ['with_random_choice', ['only'], ['only']],
    ['with_lines', "printf 'l1\\nl2\\n'", ['l1', 'l2']],
    ['with_env', ['HOME'], [process.env.HOME]],
    ['with_file', ['files/b.txt'], ['pb-file']],
    ['with_items', [[1, [2]], 3], [1, [2], 3]],
    ['with_together', [[1, 2], ['a']], [[1, 'a'], [2, null]]],
    ['with_ini', ['user section=other file=files/conf.ini'], ['bob']],
  ])('%s: %j', async (kind, value, want) => {
    expect(await loop(kind, value)).toEqual(want);
  });

  test('with_first_found drops undefined terms and searches the role', async () => {
    expect(await loop('with_first_found', ['nope.txt', '{{ undefined_thing }}', 'a.txt'], { role_path: role })).toEqual([path.join(role, 'files', 'a.txt')]);
  });

  test("with_first_found on a template task searches the role's templates/", async () => {
    const spec = { kind: 'with_first_found', value: ['nope.j2', 't.j2'], loop_var: 'item' } as unknown as LoopSpec;
    expect(await expandLoop(spec, t, { ...vars, role_path: role }, () => [], 'ansible.builtin.template')).toEqual([path.join(role, 'templates', 't.j2')]);
    await expect(expandLoop(spec, t, { ...vars, role_path: role }, () => [], 'copy')).rejects.toThrow('No file was found when using first_found.');
  });

  test('a with_ form without a lookup of that name', async () => {
    await expect(loop('with_nothing_such', [1])).rejects.toThrow('with_nothing_such is not supported by rackplay yet');
  });

  test("sequence keeps Python's int(x, 0) and its checks", () => {
    expect(sequence('0x0f00 - 0x0f02'.replace(/ /g, ''))).toEqual(['3840', '3841', '3842']);
    expect(sequence('start=0x0f00 count=2 format=%04x')).toEqual(['0f00', '0f01']);
    expect(() => sequence('start=1 end=2 end2=3')).toThrow("unrecognized arguments to with_sequence: ['end2']");
    expect(() => sequence('start=5 end=1')).toThrow('to count backwards make stride negative');
  });
});

describe("'%r' of an undefined value prints AnsibleUndefined's repr", () => {
  test.each<[string, string]>([
    ["'%r' % missing", "AnsibleUndefined(hint=None, obj=missing, name='missing')"],
    ["'%r' % missing.attr", "AnsibleUndefined(hint=None, obj=missing, name='missing')"],
    ["'%r' % l[5]", 'AnsibleUndefined(hint=None, obj=[1], name=5)'],
    ["'%r' % ([] | first)", "AnsibleUndefined(hint='No first item, sequence was empty.', obj=missing, name=None)"],
    ["'%r' % d.missing.deeper", "AnsibleUndefined(hint=None, obj={'a': 1}, name='missing')"],
    ["'%r' % 'x'.nope", "AnsibleUndefined(hint=None, obj='x', name='nope')"],
    ["'%r' % d['k']", "AnsibleUndefined(hint=None, obj={'a': 1}, name='k')"],
    ["'%r and %r' | format(d.nope, 1)", "AnsibleUndefined(hint=None, obj={'a': 1}, name='nope') and 1"],
  ])('%s', (expr, want) => {
    expect(ev(expr, { d: { a: 1 }, l: [1] })).toBe(want);
  });

  test('any other use still fails on it', () => {
    expect(() => ev("'%s' % d.nope", { d: { a: 1 } })).toThrow("'dict object' has no attribute 'nope'");
    expect(() => ev("'%s' | format(d.nope)", { d: { a: 1 } })).toThrow("'dict object' has no attribute 'nope'");
    expect(() => ev("lookup('vars', 'nope')")).toThrow(UndefinedVariableError);
  });
});

describe('the parser', () => {
  test('x.0.name: the lexer\'s "0." float is an index and a lookup', () => {
    expect(t.evaluate('item.0.name ~ "-" ~ item.1', { item: [{ name: 'a' }, 'g1'] })).toBe('a-g1');
    expect(t.evaluate('item.0.1.name', { item: [[0, { name: 'b' }]] })).toBe('b');
  });
});
