// Lookup terms are templated once more before the plugin runs, as Ansible's
// listify_lookup_plugin_terms does; text read from unsafe values never is.
import { describe, expect, test } from 'vitest';
import { Templar } from '../../src/template/index.js';
import { unsafeText } from '../../src/template/unsafe.js';

describe('lookup terms', () => {
  const t = new Templar({ searchPaths: () => [] });
  test('a template inside a term is rendered', () => {
    expect(t.render("{{ query('items', '{{ who }}', 'b') }}", { who: 'world' })).toEqual(['world', 'b']);
    expect(t.render("{{ lookup('items', '{{ who }}') }}", { who: 'world' })).toBe('world');
  });
  test('an unsafe value stays as it is', () => {
    expect(t.render("{{ query('items', tricky) }}", { who: 'world', tricky: unsafeText('{{ who }}') })).toEqual(['{{ who }}']);
  });
});
