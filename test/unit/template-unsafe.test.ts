import { describe, expect, test } from 'vitest';
import { parseYamlText } from '../../src/playbook/yaml-file.js';
import { isUnsafe, lazyVars, plainText, Templar } from '../../src/template/index.js';

const t = new Templar();

describe('!unsafe', () => {
  test('a tagged scalar loads as unsafe text, only when it looks like a template', () => {
    const data = parseYamlText('a: !unsafe "b{{ x }}"\nb: !unsafe plain\n', 'v.yml').data as Record<string, unknown>;
    expect(isUnsafe(data.a)).toBe(true);
    expect(String(data.a)).toBe('b{{ x }}');
    expect(data.b).toBe('plain');
  });

  test('a tagged list or mapping marks every string inside, keys untouched', () => {
    const data = parseYamlText("l: !unsafe ['{{ x }}', c]\nd: !unsafe\n  '{{k}}': '{{ y }}'\n  n: 1\n", 'v.yml').data as Record<string, any>;
    expect(isUnsafe(data.l[0])).toBe(true);
    expect(data.l[1]).toBe('c');
    expect(Object.keys(data.d)).toEqual(['{{k}}', 'n']);
    expect(isUnsafe(data.d['{{k}}'])).toBe(true);
    expect(data.d.n).toBe(1);
  });

  test('unsafe text is never rendered, also through other variables and in lists', () => {
    const data = parseYamlText("u: !unsafe 'b{{ x }}'\nl: !unsafe ['{{ x }}']\n", 'v.yml').data as Record<string, unknown>;
    const vars = lazyVars([{ x: 'FAIL', ...data, via: '{{ u }}', both: 'a{{ u }}' }], t);
    expect(String(vars.u)).toBe('b{{ x }}');
    expect(String(vars.via)).toBe('b{{ x }}');
    expect(String(vars.both)).toBe('ab{{ x }}');
    const mixed = t.render('{{ via }}-{{ l[0] }}', vars);
    expect(isUnsafe(mixed)).toBe(true);
    expect(String(mixed)).toBe('b{{ x }}-{{ x }}');
    expect(t.evaluate("u == 'b{{ x }}' and 'FAIL' not in u and l[0] | length == 7", vars)).toBe(true);
    expect(t.render('{{ l }}', vars)).toEqual(data.l);
    expect(t.render("{{ l | join(',') }}", vars)).toBe('{{ x }}');
  });

  test('a render that used no unsafe text stays plain', () => {
    const out = t.render("{{ '{{' }} x }}", { x: 1 });
    expect(out).toBe('{{ x }}');
    expect(isUnsafe(out)).toBe(false);
  });

  test('plainText unwraps what a module receives', () => {
    const data = parseYamlText("a: !unsafe ['{{ x }}']\n", 'v.yml').data;
    expect(plainText(data)).toEqual({ a: ['{{ x }}'] });
    expect(typeof (plainText(data) as { a: unknown[] }).a[0]).toBe('string');
  });
});
