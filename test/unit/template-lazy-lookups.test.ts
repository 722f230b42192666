import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { quote } from '../../src/transport/quote.js';
import { Templar, TemplateError, UndefinedVariableError, lazyVars } from '../../src/template/index.js';

describe('lazyVars', () => {
  const t = new Templar();

  test('values reference each other regardless of layer or order', () => {
    const v = lazyVars([{ a: '{{ b }}-a', c: 'low' }, { b: '{{ c }}-b', c: 'high' }], t);
    expect(v.a).toBe('high-b-a');
    expect(t.render('{{ a }}', v)).toBe('high-b-a');
  });

  test('higher layers win and keys merge', () => {
    const v = lazyVars([{ x: 1, y: 1 }, { y: 2 }], t);
    expect(v.x).toBe(1);
    expect(v.y).toBe(2);
    expect('x' in v).toBe(true);
    expect('nope' in v).toBe(false);
    expect(Object.keys(v).sort()).toEqual(['x', 'y']);
  });

  test('native values come through templated vars', () => {
    const v = lazyVars([{ list: [1, 2], doubled: '{{ list + list }}', nested: { k: '{{ list | length }}' } }], t);
    expect(v.doubled).toEqual([1, 2, 1, 2]);
    expect(v.nested).toEqual({ k: 2 });
  });

  test('reads are live: a changed layer is seen on the next access', () => {
    const facts: Record<string, unknown> = { base: 'one' };
    const v = lazyVars([{ derived: '{{ base }}!' }, facts], t);
    expect(v.derived).toBe('one!');
    facts.base = 'two';
    expect(v.derived).toBe('two!');
  });

  test('recursion is reported, not a stack overflow', () => {
    const v = lazyVars([{ a: '{{ b }}', b: '{{ c }}', c: '{{ a }}' }], t);
    expect(() => v.a).toThrow(TemplateError);
    expect(() => v.a).toThrow(/recursive loop detected in template/);
    expect(() => lazyVars([{ self: '{{ self }}' }], t).self).toThrow(/recursive loop detected in template: self -> self/);
  });

  test('an undefined reference inside a var names the missing variable', () => {
    const v = lazyVars([{ a: '{{ nope }}' }], t);
    expect(() => v.a).toThrow(UndefinedVariableError);
    expect(() => v.a).toThrow("'nope' is undefined");
    expect(t.render('{{ a | default(1) if false else 2 }}', v)).toBe(2);
  });
});

describe('lookups', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rp-lookup-'));
  mkdirSync(path.join(root, 'files'));
  mkdirSync(path.join(root, 'templates'));
  writeFileSync(path.join(root, 'files', 'motd.txt'), 'hello\n\n');
  writeFileSync(path.join(root, 'files', 'a.conf'), 'a');
  writeFileSync(path.join(root, 'files', 'b.conf'), 'b');
  writeFileSync(path.join(root, 'files', 'c.txt'), 'c');
  writeFileSync(path.join(root, 'templates', 'greet.j2'), 'hi {{ who }}\n');
  writeFileSync(path.join(root, 'templates', 'outer.j2'), '[{% include "inner.j2" %}]');
  writeFileSync(path.join(root, 'templates', 'inner.j2'), '{{ who | upper }}');
  const t = new Templar({ searchPaths: () => [root] });

  test('file reads relative to files/ and strips trailing whitespace', () => {
    expect(t.render("{{ lookup('file', 'motd.txt') }}", {})).toBe('hello');
    expect(t.render(`{{ lookup('file', '${path.join(root, 'files', 'a.conf')}') }}`, {})).toBe('a');
    expect(() => t.render("{{ lookup('file', 'nope.txt') }}", {})).toThrow(/nope\.txt/);
  });

  test('env', () => {
    process.env.RP_TEMPLATE_TEST = 'v1';
    expect(t.render("{{ lookup('env', 'RP_TEMPLATE_TEST') }}", {})).toBe('v1');
    expect(t.render("{{ lookup('env', 'RP_TEMPLATE_UNSET_XYZ') }}", {})).toBe('');
    expect(t.render("{{ lookup('ansible.builtin.env', 'RP_TEMPLATE_UNSET_XYZ', default='d') }}", {})).toBe('d');
  });

  test('template renders with the current vars', () => {
    expect(t.render("{{ lookup('template', 'greet.j2') }}", { who: 'bob' })).toBe('hi bob\n');
  });

  test('include inside a template', () => {
    expect(t.render("{{ lookup('template', 'outer.j2') }}", { who: 'al' })).toBe('[AL]');
  });

  test('fileglob lists matches; lookup joins with commas, query keeps a list', () => {
    const a = path.join(root, 'files', 'a.conf');
    const b = path.join(root, 'files', 'b.conf');
    expect(t.render("{{ lookup('fileglob', '*.conf') }}", {})).toBe(`${a},${b}`);
    expect(t.render("{{ query('fileglob', '*.conf') }}", {})).toEqual([a, b]);
    expect(t.render("{{ lookup('fileglob', '*.conf', wantlist=True) }}", {})).toEqual([a, b]);
  });

  test('fileglob leaves dot files out unless the pattern starts with a dot, as Python glob', () => {
    const hidden = path.join(root, 'files', '.hidden.conf');
    writeFileSync(hidden, 'h\n');
    try {
      expect(t.render("{{ query('fileglob', '*.conf') }}", {})).not.toContain(hidden);
      expect(t.render("{{ query('fileglob', '.*.conf') }}", {})).toEqual([hidden]);
      expect(t.render("{{ query('fileglob', '[ab].conf') }}", {})).toHaveLength(2);
    } finally {
      rmSync(hidden);
    }
  });

  test('pipe and lines run on the controller', () => {
    expect(t.render("{{ lookup('pipe', 'printf \"x\\ny\\n\"') }}", {})).toBe('x\ny');
    expect(t.render("{{ query('lines', 'printf \"x\\ny\\n\"') }}", {})).toEqual(['x', 'y']);
    expect(() => t.render("{{ lookup('pipe', 'exit 3') }}", {})).toThrow(/returned 3/);
  });

  test('vars, items, first_found', () => {
    expect(t.render("{{ lookup('vars', 'who') }}", { who: 'z' })).toBe('z');
    expect(() => t.render("{{ lookup('vars', 'nobody') }}", {})).toThrow(/nobody/);
    // one level, as Ansible 2.14's items lookup: the single term [1, [2, 3]] gives its members
    expect(t.render("{{ query('items', [1, [2, 3]]) }}", {})).toEqual([1, [2, 3]]);
    expect(t.render("{{ lookup('first_found', ['missing.txt', 'c.txt']) }}", {})).toBe(path.join(root, 'files', 'c.txt'));
    expect(t.render("{{ lookup('first_found', {'files': ['x', 'a.conf'], 'paths': ['" + path.join(root, 'files') + "']}) }}", {})).toBe(path.join(root, 'files', 'a.conf'));
    expect(() => t.render("{{ lookup('first_found', ['missing.txt']) }}", {})).toThrow(/No file was found/);
    expect(t.render("{{ query('first_found', ['missing.txt'], skip=True) }}", {})).toEqual([]);
  });

  test('unknown lookup is named', () => {
    expect(() => t.render("{{ lookup('nosuch', 'x') }}", {})).toThrow(/nosuch/);
  });
});

describe('quote filter round-trips through /bin/sh', () => {
  const t = new Templar();
  const shPrintf = (word: string): string => execFileSync('/bin/sh', ['-c', `printf %s ${word}`], { encoding: 'utf8' });

  test('uses the shared quote()', () => {
    for (const s of ['plain', 'two words', "it's", '$HOME', '']) expect(t.render('{{ s | quote }}', { s })).toBe(quote(s));
  });

  test('hostile strings', () => {
    const hostile = ["'; rm -rf / #", '$(id)', '`id`', 'a\nb', '"\'"', '\\', '*', '-n', '${PATH}', '!x', 'a b\tc', "''", '%s %d'];
    for (const s of hostile) expect(shPrintf(t.renderString('{{ s | quote }}', { s }))).toBe(s);
  });

  test('property: any NUL-free string survives', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('\0') && !/[\ud800-\udfff]/.test(s)), (s) => {
        expect(shPrintf(t.renderString('{{ s | quote }}', { s }))).toBe(s);
      }),
      { numRuns: 60 },
    );
  });
});

describe('a lazy variable view as a template value', () => {
  test('stays lazy: `{{ view }}` does not render its other variables (hostvars[x] in a var)', () => {
    const t = new Templar({ searchPaths: () => [] });
    const host = lazyVars([{ foo: 'test', bad: '{{ nope }}' }], t);
    const vars = lazyVars([{ hv: host, all_vars: '{{ hv }}', test_var: '{{ all_vars.foo }}' }], t);
    expect(t.render('{{ test_var }}', vars)).toBe('test');
    expect(() => t.render('{{ all_vars.bad }}', vars)).toThrow(/'nope' is undefined/);
  });
});
