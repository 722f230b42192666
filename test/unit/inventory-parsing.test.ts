import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { Inventory, expandHostRange, loadInventory, parsePythonLiteral } from '../../src/inventory/index.js';
import { shlexSplit } from '../../src/shlex.js';
import { fixture } from './inventory-helpers.js';

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'inv-parse-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('YAML and INI forms of one inventory', () => {
  it('give the same hosts, groups, memberships and vars', async () => {
    const ini = await loadInventory([fixture('same/hosts.ini')]);
    const yml = await loadInventory([fixture('same/hosts.yml')]);
    expect(ini.select('all')).toEqual(yml.select('all'));
    expect([...ini.groups.keys()].sort()).toEqual([...yml.groups.keys()].sort());
    // YAML `all: hosts:` puts hosts directly in 'all' (and ungrouped); INI can only
    // put them in ungrouped. Ansible keeps that difference; groupsDict hides it.
    const direct = (name: string, hosts: Set<string>) => (name === 'all' ? [] : [...hosts].sort());
    for (const [name, g] of ini.groups) {
      const other = yml.groups.get(name)!;
      expect({ name, hosts: direct(name, g.hosts), children: [...g.children].sort(), vars: g.vars }).toEqual({
        name,
        hosts: direct(name, other.hosts),
        children: [...other.children].sort(),
        vars: other.vars,
      });
    }
    for (const h of ini.select('all')) {
      expect(ini.hostVars(h)).toEqual(yml.hostVars(h));
      expect(ini.groupNames(h)).toEqual(yml.groupNames(h));
    }
    const sortDict = (d: Record<string, string[]>) => Object.fromEntries(Object.entries(d).sort());
    expect(sortDict(ini.groupsDict())).toEqual(sortDict(yml.groupsDict()));
  });

  it('an extension-less file is read as YAML when it is a YAML mapping, else as INI', async () => {
    const yml = await loadInventory([tmpFile('hosts', readFileSync(fixture('same/hosts.yml'), 'utf8'))]);
    const ini = await loadInventory([tmpFile('hosts', readFileSync(fixture('same/hosts.ini'), 'utf8'))]);
    expect(yml.select('all')).toEqual(ini.select('all'));
    expect(yml.hostVars('dbmain')).toEqual(ini.hostVars('dbmain'));
  });
});

describe('host ranges', () => {
  const cases: [string, string[]][] = [
    ['web[01:03].example.com', ['web01.example.com', 'web02.example.com', 'web03.example.com']],
    ['n[8:10]', ['n8', 'n9', 'n10']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['s[1:10:4]', ['s1', 's5', 's9']],
    ['x[a:e:2]', ['xa', 'xc', 'xe']],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b']],
    ['[:2]z', ['0z', '1z', '2z']],
    ['plain.example.com', ['plain.example.com']],
  ];
  it.each(cases)('%s', (pattern, hosts) => {
    expect(expandHostRange(pattern)).toEqual(hosts);
  });

  it.each(['w[1:]', 'w[1:2:3:4]', 'w[a:3]', 'w[01:5]', 'w[5:1]', 'w[1:3:x]', 'w[aa:b]'])('rejects %s', (p) => {
    expect(() => expandHostRange(p)).toThrow();
  });
});

describe('INI values are Python literals, as ast.literal_eval reads them', () => {
  // python-literals.json is ast.literal_eval's own output (record-ansible.sh).
  const recorded: { text: string; ok: boolean; value?: unknown }[] = JSON.parse(
    readFileSync(fixture('python-literals.json'), 'utf8'),
  );
  it.each(recorded.map((r) => [r.text, r] as const))('%s', (text, r) => {
    const got = parsePythonLiteral(text);
    expect(got.ok).toBe(r.ok);
    if (r.ok && got.ok) expect(got.value).toEqual(r.value);
  });
});

describe('host line splitting (Python shlex, posix, comments)', () => {
  const cases: [string, string[]][] = [
    ['h a=1 b="x y"', ['h', 'a=1', 'b=x y']],
    [`h s='a "b"' d="it's"`, ['h', 's=a "b"', "d=it's"]],
    ['h c=a#b d=1', ['h', 'c=a']],
    ['h # all comment', ['h']],
    ['h e="a\\"b" f=a\\ b', ['h', 'e=a"b', 'f=a b']],
    ['h g="a\\nb"', ['h', 'g=a\\nb']],
    ['h empty="" x', ['h', 'empty=', 'x']],
  ];
  it.each(cases)('%s', (line, words) => {
    expect(shlexSplit(line, { comments: true })).toEqual(words);
  });
});

describe('implicit groups and localhost', () => {
  it('hosts outside any group are in ungrouped, and leave it when grouped later', async () => {
    const inv = await loadInventory([tmpFile('h.ini', 'a\nb\n[g]\nb\n')]);
    expect(inv.groupsDict()).toEqual({ all: ['a', 'b'], ungrouped: ['a'], g: ['b'] });
    expect(inv.groupNames('a')).toEqual(['ungrouped']);
    expect(inv.groupNames('b')).toEqual(['g']);
  });

  it('localhost in the inventory is a normal host; otherwise it is implicit and local', async () => {
    const listed = await loadInventory([tmpFile('h.ini', 'localhost ansible_connection=ssh\n')]);
    expect(listed.select('all')).toEqual(['localhost']);
    expect(listed.hostVars('localhost').ansible_connection).toBe('ssh');
    const implicit = await loadInventory([tmpFile('h.ini', '[all:vars]\nx=1\n[g]\nother\n')]);
    expect(implicit.select('all')).toEqual(['other']);
    expect(implicit.isImplicit('localhost')).toBe(true);
    expect(implicit.hostVars('localhost')).toEqual({ x: 1, ansible_connection: 'local' });
    expect(implicit.groupsDict().all).not.toContain('localhost');
  });

  it('a host list source puts hosts in ungrouped and honours host:port', async () => {
    const inv = await loadInventory(['one,two:2222,']);
    expect(inv.groupsDict().ungrouped).toEqual(['one', 'two']);
    expect(inv.hostVars('two')).toEqual({ ansible_port: 2222 });
  });

  it('group_names is transitive, sorted and excludes all', async () => {
    const inv = await loadInventory([fixture('nested/hosts.yml')]);
    expect(inv.groupNames('shared')).toEqual(['berlin', 'europe', 'monitoring', 'paris']);
  });
});

describe('YAML details', () => {
  it('keeps vault values opaque and reads YAML 1.1 scalars as Ansible does', async () => {
    const inv = await loadInventory([fixture('nested/hosts.yml')]);
    const secret = inv.hostVars('shared').secret as { __vault__: string };
    expect(secret.__vault__).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n[0-9a-f]+\n$/);
    expect(inv.hostVars('lonely').mode).toBe(0o755);
    expect(inv.hostVars('shared').from_berlin).toBe(true);
  });

  it('unknown keys in a group are warnings, as in Ansible', async () => {
    const file = tmpFile('h.yml', 'all:\n  host:\n    web1:\n  hosts:\n    web2:\n');
    const inv = await loadInventory([file]);
    expect(inv.select('all')).toEqual(['web2']);
    expect(inv.warnings.join('\n')).toMatch(new RegExp(`${file}:2:3: .*unexpected key \\(host\\)`));
  });
});

describe('directory sources', () => {
  it('load every file but skip ignored extensions, hidden files and vars dirs', async () => {
    const inv = await loadInventory([fixture('dir')]);
    expect(inv.select('all').sort()).toEqual(['a1', 'b1', 'c1']);
    expect([...inv.groups.keys()].filter((g) => g.startsWith('skipped'))).toEqual([]);
    expect(inv.hostVars('a1').from_dir_group_vars).toBe(true);
  });
});

describe('run-time changes (add_host, group_by)', () => {
  it('addHost creates the host and its groups, with its vars at host level', async () => {
    const inv = await loadInventory([tmpFile('h.ini', '[web]\nw1\n[web:vars]\nx=group\n')]);
    inv.addHost('new1', ['web', 'fresh'], { x: 'host', y: 2 });
    expect(inv.select('web')).toEqual(['w1', 'new1']);
    expect(inv.select('fresh')).toEqual(['new1']);
    expect(inv.hostVars('new1')).toEqual({ x: 'host', y: 2 });
    expect(inv.groups.get('fresh')!.parents.has('all')).toBe(true);
    inv.addHost('loner', [], {});
    expect(inv.groupsDict().ungrouped).toEqual(['loner']);
  });

  it('addToGroup moves an ungrouped host out of ungrouped', async () => {
    const inv = await loadInventory([tmpFile('h.ini', 'h1\nh2\n')]);
    inv.addToGroup('h1', 'os_Linux');
    expect(inv.groupsDict().ungrouped).toEqual(['h2']);
    expect(inv.groupNames('h1')).toEqual(['os_Linux']);
    expect(inv.select('os_*')).toEqual(['h1']);
    expect(() => inv.addToGroup('nope', 'g')).toThrow(UserError);
  });

  it('an empty inventory has only the implicit groups', () => {
    const inv = new Inventory();
    expect(inv.groupsDict()).toEqual({ all: [], ungrouped: [] });
  });
});
