// Inventory YAML and group_vars/host_vars files resolve scalars as PyYAML does (Ansible's
// loader), as playbooks do: `y`/`n` are strings, yes/no/on/off booleans.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-inv-pyyaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PyYAML scalars in inventory sources and vars files', () => {
  it('keeps y and n as keys and strings, and reads yes/off as booleans', async () => {
    mkdirSync(path.join(dir, 'group_vars'));
    writeFileSync(path.join(dir, 'inv.yml'), 'all:\n  hosts:\n    h1:\n      n: n\n      on_flag: off\n');
    writeFileSync(path.join(dir, 'group_vars', 'all.yml'), 'x: 100\ny: "{{ x }}"\nflag: yes\nY: N\n');
    const inv = await loadInventory([path.join(dir, 'inv.yml')]);
    const vars = inv.hostVars('h1');
    expect(vars).toMatchObject({ y: '{{ x }}', Y: 'N', n: 'n', flag: true, on_flag: false });
  });
});
