// select/reject hand keyword arguments to their test, as Jinja does.
import { describe, expect, it } from 'vitest';
import { Templar } from '../../src/template/index.js';

describe('select and reject with keyword arguments', () => {
  const t = new Templar();
  it('passes them to the test, like the `is` form', () => {
    expect(t.renderString("{{ 'Abc' is match('a', ignorecase=true) }}", {})).toBe('True');
    expect(t.renderString("{{ ['Abc', 'x'] | select('match', 'a', ignorecase=true) | list }}", {})).toBe("['Abc']");
    expect(t.renderString("{{ ['Abc', 'x'] | select('match', 'a') | list }}", {})).toBe('[]');
    expect(t.renderString("{{ ['Abc', 'x'] | reject('match', 'a', ignorecase=true) | list }}", {})).toBe("['x']");
  });
});
