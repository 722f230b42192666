// The same host or group in two -i sources: a mapping variable set in both is replaced by
// the later source, or merged with hash_behaviour=merge, as Ansible's set_variable does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { mergeHash } from '../../src/template/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-inv-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const one = path.join(dir, 'one.yml');
const two = path.join(dir, 'two.ini');
writeFileSync(one, 'all:\n  hosts:\n    h1:\n      h: {a: one, b: one}\n      plain: one\n  vars:\n    g: {a: one, b: one}\n');
writeFileSync(two, '[all]\nh1 h=\'{"a": "two"}\' plain=two\n\n[all:vars]\ng={"a": "two"}\n');

describe('a mapping variable in two inventory sources', () => {
  it('is the later one with hash_behaviour=replace', async () => {
    const inv = await loadInventory([one, two]);
    expect(inv.hostVars('h1')).toMatchObject({ h: { a: 'two' }, g: { a: 'two' }, plain: 'two' });
  });
  it('is the merge of both with hash_behaviour=merge, the later source winning', async () => {
    const inv = await loadInventory([one, two]);
    inv.useHashMerge((low, high) => mergeHash(low, high));
    expect(inv.hostVars('h1')).toMatchObject({ h: { a: 'two', b: 'one' }, g: { a: 'two', b: 'one' }, plain: 'two' });
  });
});
