// Inventories that do not parse must fail with a UserError naming file:line:col
// (every one of these also fails in ansible-inventory 2.14, except the reversed
// range, which Ansible silently expands to nothing).
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import { fixture } from './inventory-helpers.js';

const cases: { file: string; message: RegExp; line: number; col?: number }[] = [
  { file: 'bad-range.ini', message: /must be numeric/, line: 2, col: 4 },
  { file: 'bad-range.yml', message: /begin <= end/, line: 3, col: 8 },
  { file: 'bad-step.ini', message: /step must be a positive integer/, line: 2, col: 2 },
  { file: 'padded-mismatch.ini', message: /equal-length/, line: 2, col: 4 },
  { file: 'bad-yaml.yml', message: /YAML syntax error/, line: 4, col: 4 },
  { file: 'unknown-section.ini', message: /unknown type: hosts2/, line: 3, col: 6 },
  { file: 'bad-section.ini', message: /invalid section entry/, line: 3, col: 1 },
  { file: 'circular.ini', message: /recursive dependency loop/, line: 8, col: 1 },
  { file: 'circular.yml', message: /recursive dependency loop/, line: 5, col: 9 },
  { file: 'self-child.ini', message: /child of itself/, line: 2, col: 1 },
  { file: 'undefined-child.ini', message: /includes undefined group: nope/, line: 3, col: 1 },
  { file: 'vars-undefined.ini', message: /\[web:vars\] not valid for undefined group/, line: 1, col: 1 },
  { file: 'hosts-list.yml', message: /invalid "hosts" entry for group "all"/, line: 3, col: 5 },
  { file: 'host-vars-scalar.yml', message: /vars of host 'h1' must be a mapping/, line: 3, col: 9 },
  { file: 'unclosed-quote.ini', message: /No closing quotation/, line: 2, col: 1 },
  { file: 'not-key-value.ini', message: /expected key=value host variable assignment, got: oops/, line: 2, col: 20 },
  // Neither YAML (unclosed flow sequence) nor INI (a host named `all:`).
  { file: 'neither', message: /trailing ':' is reserved for a port/, line: 1, col: 1 },
];

describe('bad inventories', () => {
  it.each(cases)('$file', async ({ file, message, line, col }) => {
    const path = fixture('bad', file);
    const err = await loadInventory([path]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    const ue = err as UserError;
    expect(ue.message).toMatch(message);
    expect(ue.pos?.file).toBe(path);
    expect(ue.pos?.line).toBe(line);
    if (col !== undefined) expect(ue.pos?.col).toBe(col);
    expect(ue.hint).toBeTruthy();
  });

  it('a missing source that is not a host list is a UserError', async () => {
    await expect(loadInventory([fixture('bad', 'does-not-exist')])).rejects.toThrow(/inventory source not found/);
  });

  it('a broken group_vars file is reported at load time with its position', async () => {
    const err = await loadInventory([fixture('bad-vars/hosts.ini')]).then(
      () => undefined,
      (e: unknown) => e as UserError,
    );
    expect(err).toBeInstanceOf(UserError);
    expect(err!.pos).toMatchObject({ file: fixture('bad-vars/group_vars/web.yml'), line: 2 });
  });
});
