// Jinja2 joins adjacent string literals as Python does, which is how a Python-style
// '''triple-quoted''' literal in a playbook template reads (roles_arg_spec uses one).
import { expect, test } from 'vitest';
import { Templar } from '../../src/template/index.js';

const t = new Templar();

test('adjacent string literals are one string', () => {
  expect(t.render("{{ 'a' 'b' \"c\" }}", {})).toBe('abc');
  expect(t.render("{{ '''float:.*$''' }}", {})).toBe('float:.*$');
  expect(t.render("{{ ['x1', 'y'] | map('regex_replace', '''\\d$''', 'N') | list }}", {})).toEqual(['xN', 'y']);
  expect(t.render("{{ ('ab' 'cd')[1:3] }}", {})).toBe('bc');
});
