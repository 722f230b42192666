import { describe, expect, test } from 'vitest';
import { isUnsafe, lazyVars, Templar } from '../../src/template/index.js';
import { parseYamlText } from '../../src/playbook/yaml-file.js';

const t = new Templar();

describe("ansible_eval_concat: text that reads as a literal becomes the value", () => {
  test('mixed text and expressions that render a list or dict', () => {
    expect(t.render('{{ [1] + x }}\n', { x: [2] })).toEqual([1, 2]);
    expect(t.render("{{ '' }}{\"null\": null, \"true\": true, \"false\": false}", {})).toEqual({ null: null, true: true, false: false });
    expect(t.render('[{{ a }}, {{ b }}]', { a: 1, b: 'True' })).toEqual([1, true]);
    expect(t.render('{{ x }}{{ y }}', { x: 'Tr', y: 'ue' })).toBe(true);
  });

  test('a single expression whose string reads as a literal', () => {
    expect(t.render('{{ s }}', { s: '[1, "a"]' })).toEqual([1, 'a']);
    expect(t.render('{{ s }}', { s: 'False' })).toBe(false);
    expect(t.render('{{ s }}', { s: '{"a": true}' })).toEqual({ a: true });
  });

  test('text that is not a literal, or made by a string filter, stays text', () => {
    expect(t.render('{{ [1] }} and more\n', {})).toBe('[1] and more\n');
    expect(t.render(' {{ [1] }}', {})).toBe(' [1]');
    expect(t.render('[{{ a }}\n', { a: 'x' })).toBe('[x\n');
    expect(t.render('{{ s | string }}', { s: '[1]' })).toBe('[1]');
    expect(t.render('{{ d | to_json }}', { d: { a: 1 } })).toBe('{"a": 1}');
    expect(t.render('{{ s }}', { s: 'true' })).toBe('true');
  });

  test('a literal read from unsafe text stays unsafe inside', () => {
    const data = parseYamlText("u: !unsafe \"['{{ x }}']\"\n", 'v.yml').data as Record<string, unknown>;
    const out = t.render('{{ u }}', lazyVars([data], t)) as unknown[];
    expect(out.map(String)).toEqual(['{{ x }}']);
    expect(isUnsafe(out[0])).toBe(true);
  });
});

test('true, false, none and null after a dot are attribute names, as in Jinja', () => {
  const foo = { null: 1, true: 2, false: 3, none: 4 };
  expect(t.evaluate('[foo.null, foo.true, foo.false, foo.none]', { foo })).toEqual([1, 2, 3, 4]);
});

test('*args and **kwargs in calls spread as in Python', () => {
  const vars = { phrases: ['a', 'b'], kw: { wantlist: true } };
  expect(t.evaluate('lookup("list", wantlist=True, *phrases)', vars)).toEqual(['a', 'b']);
  expect(t.evaluate('query("list", *phrases)', vars)).toEqual(['a', 'b']);
  expect(t.evaluate('lookup("list", "x", **kw)', vars)).toEqual(['x']);
  expect(t.evaluate("dict(a=1, **{'b': 2})", vars)).toEqual({ a: 1, b: 2 });
  expect(t.evaluate('range(*[1, 4])', vars)).toEqual([1, 2, 3]);
  expect(t.evaluate("'%s-%s' | format(*phrases)", vars)).toBe('a-b');
});

test('a test name that is not an identifier fails as Ansible’s plugin loader refuses it', () => {
  expect(() => t.render('{{ [1] | select("asdf ") | list }}', {})).toThrow(`Could not load "asdf ": 'invalid plugin name: ansible.builtin.asdf '`);
  expect(() => t.render('{{ [{"a": 1}] | selectattr("a", "==x", 1) | list }}', {})).toThrow(/Could not load "==x"/);
  expect(() => t.render('{{ [1] | select("nosuch") | list }}', {})).toThrow("no test named 'nosuch'");
});
