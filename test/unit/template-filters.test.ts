import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Templar } from '../../src/template/index.js';

const t = new Templar();
const vars = {
  x: 1,
  nums: [3, 1, 2],
  d: { a: 1, b: 'B' },
  s: ' a,b,c ',
  nothing: null,
  users: [
    { name: 'bob', age: 30, active: true, groups: ['wheel'] },
    { name: 'al', age: 20, active: false, groups: [] },
  ],
  words: ['b', 'A', 'c'],
};

// [template, expected native result]
const cases: [string, unknown][] = [
  ["{{ missing | default('dflt') }}", 'dflt'],
  ["{{ missing | d('dflt') }}", 'dflt'],
  ["{{ '' | default('dflt') }}", ''],
  ["{{ '' | default('dflt', true) }}", 'dflt'],
  ["{{ d.zz | default(5) }}", 5],
  ["{{ missing.deep.er | default(6) }}", 6],
  ['{{ x | mandatory }}', 1],
  ["{{ 'yes' | bool }}", true],
  ["{{ 'On' | bool }}", true],
  ["{{ '1' | bool }}", true],
  ["{{ 'TRUE' | bool }}", true],
  ["{{ 'no' | bool }}", false],
  ["{{ 'off' | bool }}", false],
  ['{{ 0 | bool }}', false],
  ["{{ '42' | int }}", 42],
  ["{{ '3.7' | int }}", 3],
  ["{{ 'junk' | int }}", 0],
  ["{{ '0x1F' | int(base=16) }}", 31],
  ["{{ '2.5' | float }}", 2.5],
  ['{{ 12 | string }}', '12'],
  ['{{ [1, "a"] | string }}', "[1, 'a']"],
  ["{{ 'ABC' | lower }}", 'abc'],
  ["{{ 'abc' | upper }}", 'ABC'],
  ["{{ 'hELLO' | capitalize }}", 'Hello'],
  ['{{ s | trim }}', 'a,b,c'],
  ["{{ 'aaa' | replace('a', 'b') }}", 'bbb'],
  ["{{ 'aaa' | replace('a', 'b', 2) }}", 'bba'],
  ["{{ 'abc' | regex_replace('b', 'X') }}", 'aXc'],
  ["{{ 'abc' | regex_replace('(?P<mid>b)', '[\\g<mid>]') }}", 'a[b]c'],
  ["{{ 'abc' | regex_replace('(b)', '<\\1>') }}", 'a<b>c'],
  ["{{ 'abc' | regex_replace('(b)', '<\\g<1>>') }}", 'a<b>c'],
  ["{{ 'ABC' | regex_replace('b', 'x', ignorecase=True) }}", 'AxC'],
  ["{{ 'a1b2' | regex_replace('\\d', '#') }}", 'a#b#'],
  ["{{ 'foo=bar' | regex_search('(\\w+)=(\\w+)', '\\2', '\\1') }}", ['bar', 'foo']],
  ["{{ 'foo=bar' | regex_search('(?P<k>\\w+)=', '\\g<k>') }}", ['foo']],
  ["{{ 'server01' | regex_search('\\d+') }}", '01'],
  // no match is None, which prints as ''
  ["{{ 'xyz' | regex_search('\\d+') }}", ''],
  ["{{ 'ab12cd34' | regex_findall('\\d+') }}", ['12', '34']],
  ["{{ 'k1=v1 k2=v2' | regex_findall('(\\w+)=(\\w+)') }}", [['k1', 'v1'], ['k2', 'v2']]],
  ["{{ 'a.b*c' | regex_escape }}", 'a\\.b\\*c'],
  // Ansible's bytes_to_human, as filter_mathstuff checks it
  ['{{ 1 | human_readable }}', '1.00 Bytes'],
  ['{{ 1 | human_readable(isbits=True) }}', '1.00 bits'],
  ['{{ 10240 | human_readable }}', '10.00 KB'],
  ['{{ 102400000 | human_readable }}', '97.66 MB'],
  ["{{ 102400000 | human_readable(unit='G') }}", '0.10 GB'],
  ["{{ 102400000 | human_readable(isbits=True, unit='G') }}", '0.10 Gb'],
  ["{{ ['a', 'b'] | join(',') }}", 'a,b'],
  ["{{ [1, 2] | join }}", '12'],
  ["{{ 'a,b' | split(',') }}", ['a', 'b']],
  ["{{ 'abc' | list }}", ['a', 'b', 'c']],
  ['{{ d | list }}', ['a', 'b']],
  ['{{ [1, 1, 2, 1] | unique }}', [1, 2]],
  ["{{ ['a', 'b'] | union(['b', 'c']) }}", ['a', 'b', 'c']],
  ["{{ ['a', 'b', 'c'] | difference(['b']) }}", ['a', 'c']],
  ["{{ ['a', 'b'] | intersect(['b', 'z']) }}", ['b']],
  ["{{ ['a', 'b'] | symmetric_difference(['b', 'c']) }}", ['a', 'c']],
  ['{{ nums | sort }}', [1, 2, 3]],
  ['{{ nums | sort(reverse=true) }}', [3, 2, 1]],
  ['{{ words | sort }}', ['A', 'b', 'c']],
  ["{{ users | sort(attribute='age') | map(attribute='name') | list }}", ['al', 'bob']],
  ['{{ nums | first }}', 3],
  ['{{ nums | last }}', 2],
  ['{{ nums | length }}', 3],
  ["{{ 'héllo' | length }}", 5],
  ['{{ d | count }}', 2],
  ['{{ nums | min }}', 1],
  ['{{ nums | max }}', 3],
  ["{{ (users | max(attribute='age')).name }}", 'bob'],
  ['{{ nums | sum }}', 6],
  ["{{ users | sum(attribute='age') }}", 50],
  ['{{ [[1], [2]] | sum(start=[]) }}', [1, 2]],
  ["{{ users | map(attribute='name') | list }}", ['bob', 'al']],
  ["{{ ['a', 'b'] | map('upper') | list }}", ['A', 'B']],
  ["{{ ['a1', 'b1'] | map('regex_replace', '1', '2') | list }}", ['a2', 'b2']],
  ["{{ users | map(attribute='missing', default='-') | list }}", ['-', '-']],
  ["{{ nums | select('odd') | list }}", [3, 1]],
  ["{{ nums | reject('odd') | list }}", [2]],
  ["{{ [0, 1, '', 'a'] | select | list }}", [1, 'a']],
  ["{{ nums | select('>', 1) | list }}", [3, 2]],
  ["{{ users | selectattr('active') | map(attribute='name') | list }}", ['bob']],
  ["{{ users | rejectattr('active') | map(attribute='name') | list }}", ['al']],
  ["{{ users | selectattr('age', 'gt', 25) | map(attribute='name') | list }}", ['bob']],
  ["{{ users | selectattr('name', 'equalto', 'al') | map(attribute='age') | first }}", 20],
  ["{{ users | selectattr('nope', 'defined') | list }}", []],
  ['{{ d | dict2items }}', [{ key: 'a', value: 1 }, { key: 'b', value: 'B' }]],
  ["{{ d | dict2items(key_name='k', value_name='v') }}", [{ k: 'a', v: 1 }, { k: 'b', v: 'B' }]],
  ["{{ [{'key': 'a', 'value': 1}] | items2dict }}", { a: 1 }],
  ["{{ [{'n': 'a', 'v': 1}] | items2dict(key_name='n', value_name='v') }}", { a: 1 }],
  ["{{ {'a': 1, 'b': 1} | combine({'b': 2}) }}", { a: 1, b: 2 }],
  ["{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}) }}", { a: { y: 2 } }],
  ["{{ {'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=True) }}", { a: { x: 1, y: 2 } }],
  ["{{ {'a': [1]} | combine({'a': [2]}, list_merge='append') }}", { a: [1, 2] }],
  ["{{ {'a': 1} | combine({'b': 2}, {'c': 3}) }}", { a: 1, b: 2, c: 3 }],
  ['{{ d | to_json }}', '{"a": 1, "b": "B"}'],
  ["{{ 'é' | to_json }}", '"\\u00e9"'],
  ["{{ {'b': [1, 2], 'a': none} | to_nice_json }}", '{\n    "a": null,\n    "b": [\n        1,\n        2\n    ]\n}'],
  ["{{ {'b': 1, 'a': 2} | to_nice_json(indent=2) }}", '{\n  "a": 2,\n  "b": 1\n}'],
  ['{{ \'{"a": [1, true]}\' | from_json }}', { a: [1, true] }],
  ["{{ {'b': 1, 'a': 'x'} | to_yaml }}", '{a: x, b: 1}\n'],
  ["{{ {'a': {'b': [1, 2]}} | to_yaml }}", 'a:\n  b: [1, 2]\n'],
  ["{{ {'b': 1, 'a': {'c': 'd'}} | to_nice_yaml }}", 'a:\n    c: d\nb: 1\n'],
  ["{{ {'a': {'c': 'd'}} | to_nice_yaml(indent=2) }}", 'a:\n  c: d\n'],
  ["{{ 'a: [1, 2]\nb: yes' | from_yaml }}", { a: [1, 2], b: true }],
  ["{{ 'hello' | b64encode }}", 'aGVsbG8='],
  ["{{ 'aGVsbG8=' | b64decode }}", 'hello'],
  ["{{ '/etc/ssh/sshd_config' | basename }}", 'sshd_config'],
  ["{{ '/etc/ssh/sshd_config' | dirname }}", '/etc/ssh'],
  ["{{ '/etc' | dirname }}", '/'],
  ["{{ 'rel/file' | dirname }}", 'rel'],
  ["{{ '/tmp/../etc' | realpath }}", '/etc'],
  ["{{ 'a b' | quote }}", "'a b'"],
  ["{{ \"it's\" | quote }}", "'it'\\''s'"],
  ["{{ true | ternary('yes', 'no') }}", 'yes'],
  ["{{ 0 | ternary('yes', 'no') }}", 'no'],
  ["{{ none | ternary('yes', 'no', 'null') }}", 'null'],
  ["{{ 'abc' | hash('sha1') }}", createHash('sha1').update('abc').digest('hex')],
  ["{{ 'abc' | hash('md5') }}", createHash('md5').update('abc').digest('hex')],
  ["{{ 'abc' | hash('sha256') }}", createHash('sha256').update('abc').digest('hex')],
  ["{{ 'abc' | md5 }}", createHash('md5').update('abc').digest('hex')],
  ["{{ 'abc' | sha1 }}", createHash('sha1').update('abc').digest('hex')],
  ["{{ 'abc' | checksum }}", createHash('sha1').update('abc').digest('hex')],
  ['{{ [1, [2, [3, [4]]]] | flatten }}', [1, 2, 3, 4]],
  ['{{ [1, [2, [3]]] | flatten(levels=1) }}', [1, 2, [3]]],
  ["{{ [1, 2] | zip(['a', 'b']) | list }}", [[1, 'a'], [2, 'b']]],
  ["{{ [1, 2, 3] | zip(['a']) | list }}", [[1, 'a']]],
  ['{{ -3 | abs }}', 3],
  ['{{ 2.5 | round }}', 2],
  ['{{ 3.5 | round }}', 4],
  ['{{ 3.14159 | round(2) }}', 3.14],
  ["{{ 3.1 | round(0, 'ceil') }}", 4],
  ["{{ 3.9 | round(0, 'floor') }}", 3],
  ['{{ range(3) | list }}', [0, 1, 2]],
  ['{{ range(1, 10, 3) | list }}', [1, 4, 7]],
  ["{{ [1, 2] | random in [1, 2] }}", true],
  ["{{ '%s-%03d' | format('a', 7) }}", 'a-007'],
  ["{{ 'a\nb' | indent(2) }}", 'a\n  b'],
  ["{{ d | dictsort | first }}", ['a', 1]],
  ["{{ ['x', 'y'] | product([1, 2]) | list }}", [['x', 1], ['x', 2], ['y', 1], ['y', 2]]],
  ["{{ users | subelements('groups') | map('last') | list }}", ['wheel']],
  ["{{ 'a' | ansible.builtin.upper }}", 'A'],
];

describe('filters', () => {
  test.each(cases)('%s', (template, expected) => {
    expect(t.render(template, vars)).toEqual(expected);
  });

  test('expanduser uses the controller home', () => {
    expect(t.render("{{ '~/x' | expanduser }}", {})).toBe(`${process.env.HOME}/x`);
    expect(t.render("{{ '/abs' | expanduser }}", {})).toBe('/abs');
  });

  test('random picks from the list', () => {
    for (let i = 0; i < 20; i++) expect(['a', 'b', 'c']).toContain(t.render("{{ ['a', 'b', 'c'] | random }}", {}));
  });

  test('unknown filter names the filter', () => {
    expect(() => t.render('{{ 1 | no_such_filter }}', {})).toThrow(/no_such_filter/);
  });

  test('combine refuses non-dicts', () => {
    expect(() => t.render('{{ {} | combine([1]) }}', {})).toThrow(/expected dicts/);
  });

  test('human_readable fails on a string as Ansible does', () => {
    expect(() => t.render("{{ 'monkeys' | human_readable }}", {})).toThrow('human_readable() failed on bad input');
  });
});
