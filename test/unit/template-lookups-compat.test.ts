// Lookups as ansible-core 2.14's integration targets use them: csvfile, ini encodings,
// subelements' checks, template options, unvault, the search stack of a role task, and
// the templating rules they lean on (None renders as '', Python string escapes, lazy vars).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Templar, lazyVars } from '../../src/template/index.js';
import { parseCsv } from '../../src/template/lookup-csvfile.js';
import { convertRendered } from '../../src/template/lookup-template.js';
import { findInSearchStack, lookupTermList } from '../../src/template/lookups.js';
import { encryptVault } from '../../src/vault/crypto.js';
import { installVault, installedVault } from '../../src/vault/context.js';
import { Vault } from '../../src/vault/vault.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'rp-lookups-'));
for (const d of ['files', 'templates']) mkdirSync(path.join(root, d));
const put = (rel: string, data: string | Buffer) => writeFileSync(path.join(root, rel), data);
put('files/people.csv', '# Last,First\nSmith,Jane\n"German von Lastname",Demo\nExample,"crazy email"@example.com\n"""The Rock"" Johnson",Dwayne\n');
put('files/tabs.csv', 'fruit\tbananas\nelectronics\ttvs\n');
put('files/x1a.csv', 'again\x1abecause\n');
put('files/crlf.csv', 'this file,has,crlf\r\nansible,parses,them\r\n');
put('files/latin.ini', Buffer.concat([Buffer.from('[global]\nfield='), Buffer.from('été', 'latin1'), Buffer.from('\n')]));
put('files/mysql.ini', '[mysqld]\nuser = mysql\nskip-external-locking\n');
put('templates/hello.txt', "Hello {% include 'world.txt' %}!\n");
put('templates/world.txt', 'world\n');
put('templates/delims.txt', 'Hello [% who %]! [# note #]{{ kept }}\n');
put('templates/dict.j2', '{"foo": "{{ \'bar\' }}", "on": true}\n');
put('templates/extra.j2', '{{ who }} {{ template_path }}');
put('files/plain.txt', 'foo: bar\n');
const t = new Templar({ searchPaths: () => [root] });
const vars = { who: 'al' };

afterAll(() => installVault(undefined));

describe('csvfile', () => {
  test('finds the row by its first field and returns a column, with keywords or k=v words', () => {
    expect(t.render("{{ lookup('csvfile', 'Smith', file='people.csv', delimiter=',', col=1) }}", vars)).toBe('Jane');
    expect(t.render("{{ lookup('csvfile', 'German von Lastname file=people.csv delimiter=, col=1') }}", vars)).toBe('Demo');
    expect(t.render("{{ lookup('csvfile', '\"The Rock\" Johnson file=people.csv delimiter=, col=1') }}", vars)).toBe('Dwayne');
    expect(t.render("{{ lookup('csvfile', 'fruit file=tabs.csv delimiter=TAB col=1') }}", vars)).toBe('bananas');
    expect(t.render("{{ lookup('csvfile', 'electronics', 'fruit', file='tabs.csv', delimiter='TAB', col=1, wantlist=True) }}", vars)).toEqual(['tvs', 'bananas']);
    expect(t.render("{{ lookup('csvfile', 'again file=x1a.csv delimiter=\\x1a col=1') }}", vars)).toBe('because');
    expect(t.render("{{ lookup('csvfile', 'this file file=crlf.csv delimiter=, col=2') }}", vars)).toBe('crlf');
  });

  test('a missing key gives [] or the default', () => {
    expect(t.render("{{ lookup('csvfile', 'notfound file=people.csv delimiter=, col=2') }}", vars)).toEqual([]);
    expect(t.render("{{ lookup('csvfile', 'notfound file=people.csv delimiter=, col=2, default=what?') }}", vars)).toBe('what?');
  });

  test("errors in Ansible's words", () => {
    expect(() => t.render("{{ lookup('csvfile', 'file=people.csv, delimiter=, col=1') }}", vars)).toThrow(
      "An unhandled exception occurred while running the lookup plugin 'csvfile'. Error was a <class 'ansible.errors.AnsibleError'>, original message: Search key is required but was not found",
    );
    expect(() => t.render("{{ lookup('csvfile', 'foo file=people.csv thisarg=x') }}", vars)).toThrow('thisarg is not a valid option');
    expect(() => t.render("{{ lookup('csvfile', 'foo', file='doesnotexist', delimiter=',') }}", vars)).toThrow('No such file or directory');
  });

  test('parses quoted fields like Python csv', () => {
    expect(parseCsv('a,"b ""q"" c",x"y"\n\n"multi\nline",2\r\n', ',')).toEqual([['a', 'b "q" c', 'x"y"'], [], ['multi\nline', '2']]);
    expect(parseCsv('Example,"crazy email"@example.com', ',')).toEqual([['Example', 'crazy email@example.com']]);
  });
});

describe('ini', () => {
  test('reads the encoding it is given', () => {
    expect(t.render("{{ lookup('ini', 'field section=global encoding=iso8859-1 file=latin.ini') }}", vars)).toBe('été');
  });

  test('allow_none is allow_no_value', () => {
    expect(t.render("{{ lookup('ini', 'user', section='mysqld', file='mysql.ini', allow_none=True) }}", vars)).toBe('mysql');
    expect(t.render("{{ lookup('ini', 'user', section='mysqld', file='mysql.ini', allow_no_value=True) }}", vars)).toBe('mysql');
    expect(() => t.render("{{ lookup('ini', 'user', section='mysqld', file='mysql.ini') }}", vars)).toThrow('Source contains parsing errors');
  });
});

describe('subelements', () => {
  const users = [{ name: 'a', groups: ['g1', 'g2'] }];
  test('a scalar first term is listified, then found not to be a dictionary', () => {
    expect(() => t.render("{{ lookup('subelements', 9001, 'groups', wantlist=true) }}", vars)).toThrow("subelements lookup expects a dictionary, got '9001'");
  });
  test('flags: any dict passes, other values must name flags', () => {
    expect(t.render("{{ lookup('subelements', users, 'groups', {'other': 1}, wantlist=true) }}", { users })).toEqual([
      [{ name: 'a' }, 'g1'],
      [{ name: 'a' }, 'g2'],
    ]);
    expect(() => t.render("{{ lookup('subelements', users, 'groups', 'wolves') }}", { users })).toThrow("the optional third item must be a dict with flags");
  });
});

describe('with_<lookup> terms given as a mapping', () => {
  test('each lookup takes them its own way', () => {
    expect(() => lookupTermList('indexed_items', { a: 1 })).toThrow('with_indexed_items expects a list');
    expect(() => lookupTermList('list', { a: 1 })).toThrow('with_list expects a list');
    expect(lookupTermList('dict', { a: 1 })).toEqual([{ a: 1 }]);
    expect(lookupTermList('items', { a: 1, b: 2 })).toEqual(['a', 'b']);
    expect(lookupTermList('items', [1])).toEqual([1]);
  });
});

describe('template lookup', () => {
  test('an include is found next to the template and loses its trailing newline', () => {
    expect(t.render("{{ lookup('template', 'hello.txt') }}", vars)).toBe('Hello world!\n');
  });
  test('other variable and comment delimiters', () => {
    const out = t.render("{{ lookup('template', 'delims.txt', variable_start_string='[%', variable_end_string='%]', comment_start_string='[#', comment_end_string='#]') }}", { who: 'bob' });
    expect(out).toBe('Hello bob! {{ kept }}\n');
  });
  test('convert_data turns a rendered dict into a dict unless it is off', () => {
    expect(t.render("{{ lookup('template', 'dict.j2') }}", vars)).toEqual({ foo: 'bar', on: true });
    expect(t.render("{{ lookup('template', 'dict.j2', convert_data=False) }}", vars)).toBe('{"foo": "bar", "on": true}\n');
    expect(convertRendered('[1, 2]')).toEqual([1, 2]);
    expect(convertRendered('not [a list]')).toBe('not [a list]');
  });
  test('template_vars and template_path', () => {
    expect(t.render("{{ lookup('template', 'extra.j2', template_vars={'who': 'zed'}) }}", vars)).toBe('zed extra.j2');
    expect(() => t.render("{{ lookup('template', 'missing.j2') }}", vars)).toThrow('the template file missing.j2 could not be found for the lookup');
  });
});

describe('unvault', () => {
  test('reads a plain file as it is, and a vaulted one decrypted', () => {
    const before = installedVault();
    installVault({ vault: new Vault([{ id: 'default', bytes: Buffer.from('pw'), source: 'test' }]) });
    try {
      put('files/secret.vault', encryptVault(Buffer.from('foo: bar\n'), Buffer.from('pw')));
      expect(t.render("{{ lookup('unvault', 'plain.txt') }}", vars)).toBe('foo: bar\n');
      expect(t.render("{{ lookup('unvault', 'secret.vault') }}", vars)).toBe('foo: bar\n');
      expect(() => t.render("{{ lookup('unvault', 'nope') }}", vars)).toThrow('Unable to find file matching "nope"');
    } finally {
      installVault(before);
    }
  });
});

describe("a role task's search stack", () => {
  const pb = mkdtempSync(path.join(os.tmpdir(), 'rp-stack-'));
  const role = path.join(pb, 'roles/r');
  for (const d of ['files', 'tasks', 'tasks/sub']) mkdirSync(path.join(role, d), { recursive: true });
  mkdirSync(path.join(pb, 'files'));
  const stack = [role, path.join(role, 'tasks')];
  const find = () => findInSearchStack('f', 'files', stack, pb);

  test('role files/, role/, role tasks/, then the playbook files/ and playbook dir', () => {
    const order = [path.join(role, 'files/f'), path.join(role, 'f'), path.join(role, 'tasks/f'), path.join(pb, 'files/f'), path.join(pb, 'f')];
    for (const f of [...order].reverse()) writeFileSync(f, f);
    expect(find()).toBe(order[0]);
    expect(findInSearchStack('f', 'files', [path.join(role, 'tasks/sub')], pb)).toBe(order[0]);
    expect(findInSearchStack('/etc/hostname-not-here', 'files', stack, pb)).toBeUndefined();
  });
});

describe('templating rules the lookups rely on', () => {
  test("None renders as '' unless the template is one bare variable", () => {
    expect(t.render("{{ lookup('first_found', 'nofile', errors='ignore') }}", vars)).toBe('');
    expect(t.render("{{ query('first_found', 'nofile', errors='ignore') }}", vars)).toEqual([]);
    expect(t.render('{{ nv }}', { nv: null })).toBeNull();
    expect(t.render('{{ none }}', {})).toBe('');
  });

  test("string literals in a playbook value keep their backslashes (Ansible's escape_backslashes)", () => {
    expect(t.render("{{ 'a\\x1ab\\u00e9\\101' }}", {})).toBe('a\\x1ab\\u00e9\\101');
    expect(t.render("{{ 'a1b' | regex_replace('\\d', 'X') }}", {})).toBe('aXb');
  });

  test('listing lazy variables renders none of them', () => {
    const v = lazyVars([{ ok: 1, broken: '{{ undefined_thing }}' }], t);
    expect(Object.keys(v).sort()).toEqual(['broken', 'ok']);
    expect(() => v.broken).toThrow("'undefined_thing' is undefined");
  });
});

describe('vars and varnames', () => {
  test('vars checks the name is a string and falls back to the host variables', () => {
    const v = { inventory_hostname: 'h1', hostvars: { h1: { only_here: 'yes' } }, top: 1 };
    expect(t.render("{{ lookup('vars', 'top') }}", v)).toBe(1);
    expect(t.render("{{ lookup('vars', 'only_here') }}", v)).toBe('yes');
    expect(() => t.render("{{ lookup('vars', 42) }}", v)).toThrow('Invalid setting identifier, "42" is not a string, its a <class \'int\'>');
    expect(() => t.render("{{ lookup('vars', 'nope') }}", v)).toThrow('No variable found with this name: nope');
    expect(t.render("{{ lookup('vars', 'nope', default='d') }}", v)).toBe('d');
  });
  test('varnames names a non-string term', () => {
    expect(() => t.render("{{ lookup('varnames', True) }}", {})).toThrow('Invalid setting identifier, "True" is not a string, it is a <class \'bool\'>');
  });
});
