import { describe, expect, test } from 'vitest';
import { OMIT_TOKEN, Templar, TemplateError, UndefinedVariableError } from '../../src/template/index.js';

const t = new Templar();

function undefinedError(fn: () => unknown): UndefinedVariableError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UndefinedVariableError) return e;
    throw e;
  }
  throw new Error('expected an UndefinedVariableError');
}

describe('undefined variables', () => {
  const vars = { d: { a: 1 }, l: [1], n: null };
  const raising: [string, string, string][] = [
    ['{{ x }}', 'x', "'x' is undefined"],
    ['a{{ x }}b', 'x', "'x' is undefined"],
    ['{{ x.y }}', 'x', "'x' is undefined"],
    ['{{ x.y.z }}', 'x', "'x' is undefined"],
    ["{{ x['y'] }}", 'x', "'x' is undefined"],
    ['{{ d.y }}', 'y', "'dict object' has no attribute 'y'"],
    ["{{ d['y'] }}", 'y', "'dict object' has no attribute 'y'"],
    ['{{ x + 1 }}', 'x', "'x' is undefined"],
    ["{{ x ~ 'a' }}", 'x', "'x' is undefined"],
    ['{{ x == 1 }}', 'x', "'x' is undefined"],
    ['{{ x | upper }}', 'x', "'x' is undefined"],
    ['{{ [x, 1] }}', 'x', "'x' is undefined"],
    ["{{ {'k': x} }}", 'x', "'x' is undefined"],
    ['{% if x %}y{% endif %}', 'x', "'x' is undefined"],
    ['{% for i in x %}{{ i }}{% endfor %}', 'x', "'x' is undefined"],
    ['{{ 1 in x }}', 'x', "'x' is undefined"],
    ['{{ x.split() }}', 'x', "'x' is undefined"],
    ['{{ d.nope() }}', 'nope', "'dict object' has no attribute 'nope'"],
    ["{{ 'a' if x else 'b' }}", 'x', "'x' is undefined"],
  ];
  test.each(raising)('%s raises', (template, variable, message) => {
    const err = undefinedError(() => t.render(template, vars));
    expect(err.variable).toBe(variable);
    expect(err.message).toBe(message);
    expect(err).toBeInstanceOf(TemplateError);
  });

  const fine: [string, unknown][] = [
    ['{{ x is defined }}', false],
    ['{{ x is undefined }}', true],
    ['{{ x is not defined }}', true],
    ['{{ x.y is defined }}', false],
    ['{{ d.y is defined }}', false],
    ['{{ d.a is defined }}', true],
    ['{{ n is defined }}', true],
    ["{{ x | default('a') }}", 'a'],
    ["{{ x.y | default('a') }}", 'a'],
    ["{{ d.y | d('a') }}", 'a'],
    ["{{ x is defined and x.y }}", false],
    ["{{ x is undefined or x }}", true],
    ['{{ x if x is defined else 2 }}', 2],
    ["{{ lookup('vars', 'x', default=3) }}", 3],
  ];
  test.each(fine)('%s is handled', (template, expected) => {
    expect(t.render(template, vars)).toEqual(expected);
  });

  test('mandatory names the variable', () => {
    expect(() => t.render('{{ x | mandatory }}', {})).toThrow("Mandatory variable 'x'  not defined."); // Ansible's two spaces
    expect(() => t.render("{{ x | mandatory('set x please') }}", {})).toThrow('set x please');
    expect(t.render('{{ y | mandatory }}', { y: 0 })).toBe(0);
  });
});

describe('native types', () => {
  const vars = { d: { a: [1, 2] }, l: ['a'], s: 'str', f: false, n: null, i: 7 };
  const cases: [string, unknown][] = [
    ['{{ 1 + 1 }}', 2],
    ['{{ [1, 2] }}', [1, 2]],
    ["{{ {'a': 1} }}", { a: 1 }],
    ['{{ d }}', { a: [1, 2] }],
    ['{{ l }}', ['a']],
    ['{{ f }}', false],
    ['{{ n }}', null],
    ['{{ i }}', 7],
    ['{{ True }}', true],
    ['{{ false }}', false],
    // None prints as '' (Ansible's finalize)
    ['{{ None }}', ''],
    ['{{s}}', 'str'],
    ['a{{ 1 }}', 'a1'],
    ['{{ i }}{{ i }}', '77'],
    [' {{ i }}', ' 7'],
    ['{{ i }}\n', '7\n'],
    ['{{ f }} x', 'False x'],
    ['{{ n }}x', 'x'],
    ['{{ l }} x', "['a'] x"],
    ['{{ d }}!', "{'a': [1, 2]}!"],
    ['plain string', 'plain string'],
  ];
  test.each(cases)('%s', (template, expected) => {
    expect(t.render(template, vars)).toEqual(expected);
  });

  test('deep render keeps structure and untouched containers', () => {
    const untouched = { k: ['v'] };
    const out = t.render({ a: '{{ i + 1 }}', b: ['{{ s }}', 3, { c: '{{ l }}' }], untouched }, vars) as Record<string, unknown>;
    expect(out).toEqual({ a: 8, b: ['str', 3, { c: ['a'] }], untouched: { k: ['v'] } });
    expect(out.untouched).toBe(untouched);
  });

  test('renderString always returns text', () => {
    expect(t.renderString('{{ 1 + 1 }}', {})).toBe('2');
    expect(t.renderString('{{ [1] }}', {})).toBe('[1]');
  });

  test('isTemplated', () => {
    expect(t.isTemplated('a {{ b }}')).toBe(true);
    expect(t.isTemplated('{% if a %}{% endif %}')).toBe(true);
    expect(t.isTemplated('{# c #}')).toBe(true);
    expect(t.isTemplated('a { b }')).toBe(false);
    expect(t.isTemplated(['x', { y: '{{ z }}' }])).toBe(true);
    expect(t.isTemplated(5)).toBe(false);
  });

  test('omit is the OMIT_TOKEN', () => {
    expect(OMIT_TOKEN).toMatch(/^__omit_place_holder__[0-9a-f]+$/);
    expect(t.render('{{ omit }}', {})).toBe(OMIT_TOKEN);
    expect(t.render('{{ x | default(omit) }}', {})).toBe(OMIT_TOKEN);
  });
});

describe('python-isms', () => {
  const vars = { l: [1, 2, 3], d: { a: 1, b: 2 }, s: ' A,b ', name: 'web01', e: [] };
  const cases: [string, unknown][] = [
    ['{{ True and not False }}', true],
    ['{{ true or none }}', true],
    ['{{ none is none }}', true],
    ["{{ 'a' ~ 1 ~ true }}", 'a1True'],
    ['{{ 2 in l }}', true],
    ['{{ 5 not in l }}', true],
    ["{{ 'a' in d }}", true],
    ["{{ 'eb' in name }}", true],
    ['{{ l is not string }}', true],
    ["{{ 'y' if 0 else 'n' }}", 'n'],
    ["{{ 'y' if e else 'n' }}", 'n'],
    ['{{ e or "empty" }}', 'empty'],
    ['{{ l and "full" }}', 'full'],
    ['{{ d.items() | list }}', [['a', 1], ['b', 2]]],
    ['{{ d.keys() | list }}', ['a', 'b']],
    ['{{ d.values() | list }}', [1, 2]],
    ["{{ d.get('a') }}", 1],
    ["{{ d.get('z', 'dflt') }}", 'dflt'],
    // None prints as '' (Ansible's finalize); only a bare {{ name }} keeps it
    ["{{ d.get('z') }}", ''],
    ["{{ s.split(',') }}", [' A', 'b ']],
    ['{{ s.strip() }}', 'A,b'],
    ["{{ 'a b  c'.split() }}", ['a', 'b', 'c']],
    ["{{ 'a=b=c'.split('=', 1) }}", ['a', 'b=c']],
    ["{{ name.startswith('web') }}", true],
    ["{{ name.endswith(('01', '02')) }}", true],
    ['{{ name.upper() }}', 'WEB01'],
    ["{{ 'ABC'.lower() }}", 'abc'],
    ["{{ name.replace('0', 'o') }}", 'webo1'],
    ["{{ '-'.join(['a', 'b']) }}", 'a-b'],
    ["{{ '{}-{}'.format('a', 1) }}", 'a-1'],
    ['{{ l[1:] }}', [2, 3]],
    ['{{ l[:-1] }}', [1, 2]],
    ['{{ l[::-1] }}', [3, 2, 1]],
    ['{{ l[-1] }}', 3],
    ['{{ l.0 }}', 1],
    ["{{ name[0:3] }}", 'web'],
    ['{{ name[-2:] }}', '01'],
    ["{{ '%s:%d' % ('port', 80) }}", 'port:80'],
    ["{{ 'x=%s' % name }}", 'x=web01'],
    ['{{ [1] + [2] }}', [1, 2]],
    ["{{ '-' * 3 }}", '---'],
    ['{{ 7 // 2 }}', 3],
    ['{{ 7 / 2 }}', 3.5],
    ['{{ -7 % 3 }}', 2],
    ['{{ 2 ** 10 }}', 1024],
    ["{{ 1 == '1' }}", false],
    ['{{ 1 == 1.0 }}', true],
    ['{{ [1, [2]] == [1, [2]] }}', true],
    ["{{ {'a': 1} == {'a': 1} }}", true],
    ['{{ 1 < 2 < 3 }}', true],
    ['{{ 3 > 2 > 2 }}', false],
    ['{% for k in d %}{{ k }}{% endfor %}', 'ab'],
    ['{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', 'a=1;b=2;'],
    ['{% for i in l if i > 1 %}{{ i }}{% endfor %}', '23'],
    ['{% for i in l %}{{ loop.index }}{% if not loop.last %},{% endif %}{% endfor %}', '1,2,3'],
    ['{% set x = l | length %}{{ x * 2 }}', '6'],
    ["{{ dict(a=1) }}", { a: 1 }],
    ['{% raw %}{{ not rendered }}{% endraw %}', '{{ not rendered }}'],
    ['a{# comment #}b', 'ab'],
    ["{{ {'a': {'b': 1}} }}", { a: { b: 1 } }],
    ["{{ d | combine({'c': {'d': 1}}) }}", { a: 1, b: 2, c: { d: 1 } }],
    ["{% set m = {'k': {'v': 1}} %}{{ m.k.v }}", '1'],
  ];
  test.each(cases)('%s', (template, expected) => {
    expect(t.render(template, vars)).toEqual(expected);
  });

  test('the caller vars are not written by {% set %}', () => {
    const v: Record<string, unknown> = { a: 1 };
    t.render('{% set a = 2 %}{% set b = 3 %}{{ a }}', v);
    expect(v).toEqual({ a: 1 });
  });

  test('type errors read like Python', () => {
    expect(() => t.render("{{ 'a' + 1 }}", {})).toThrow("unsupported operand type(s) for +: 'str' and 'int'");
  });
});

describe('whitespace like Ansible', () => {
  test('trim_blocks removes the newline after a block tag; trailing newline kept', () => {
    expect(t.renderString('{% if true %}\nyes\n{% endif %}\nend\n', {})).toBe('yes\nend\n');
  });
  test('lstrip_blocks is off: indentation before a tag stays', () => {
    expect(t.renderString('  {% if true %}x{% endif %}', {})).toBe('  x');
  });
  test('whitespace control with -', () => {
    expect(t.renderString('a  {%- if true -%}  b  {%- endif %}', {})).toBe('ab');
  });
  test('autoescape is off', () => {
    expect(t.renderString('{{ s }}', { s: '<a href="x">&' })).toBe('<a href="x">&');
  });
});

describe('syntax errors', () => {
  const bad = ['{{ x + }}', '{{ x', '{% if x %}', "{{ 'a' | }}", '{% endfor %}', '{{ x is }}'];
  test.each(bad)('%s raises TemplateError naming the template', (template) => {
    let err: unknown;
    try {
      t.render(template, { x: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    expect(err).not.toBeInstanceOf(UndefinedVariableError);
    expect((err as Error).message).toMatch(/^template error while templating string: .+\. String: /);
    expect((err as Error).message).toContain(template);
  });
  test('bad expression in evaluate', () => {
    expect(() => t.evaluate('x ==', { x: 1 })).toThrow(TemplateError);
    expect(() => t.evaluate('x y', { x: 1 })).toThrow(/template error while templating string: .*expected/);
  });
});

describe('conditions', () => {
  const vars = { a: 1, s: 'text', e: [], d: {}, z: 0, f: 'False', yes: true, r: { rc: 0 } };
  const cases: [unknown, boolean][] = [
    [true, true],
    [false, false],
    ['a == 1', true],
    ['a == 2', false],
    ['s', true],
    ['e', false],
    ['d', false],
    ['z', false],
    ["''", false],
    ['none', false],
    ['yes', true],
    ['r.rc == 0', true],
    ['r.rc != 0 or a > 0', true],
    ['missing is not defined', true],
    ['missing | default(false)', false],
    ['{{ a == 1 }}', true],
    ['{{ yes }}', true],
    ['{{ f }}', false],
    ["{{ s }} == 'text'", true],
    ['a is defined and a > 0 and s.startswith("t")', true],
    // a filter without arguments at the very end of the expression
    ["'yes' | bool", true],
    ['s | length', true],
    ['e | length', false],
    ['4 == s | length', true],
  ];
  test.each(cases)('%s', (cond, expected) => {
    expect(t.evaluateCondition(cond, vars)).toBe(expected);
  });
  test('undefined in a condition raises', () => {
    expect(() => t.evaluateCondition('missing', vars)).toThrow(UndefinedVariableError);
    expect(() => t.evaluateCondition('missing == 1', vars)).toThrow("'missing' is undefined");
  });
  test('evaluate returns native values', () => {
    expect(t.evaluate('r', vars)).toEqual({ rc: 0 });
    expect(t.evaluate('[a, s]', vars)).toEqual([1, 'text']);
    expect(t.evaluate("'}}'", {})).toBe('}}');
  });
});
