// Host patterns against the real Ansible: patterns.ansible.json holds, for each
// line of patterns.txt, what `ansible PATTERN --list-hosts` printed
// (test/fixtures/inventory/record-ansible.sh).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { type Inventory, loadInventory, selectPlayHosts } from '../../src/inventory/index.js';
import { fixture } from './inventory-helpers.js';

const recorded: Record<string, string[]> = JSON.parse(readFileSync(fixture('patterns/patterns.ansible.json'), 'utf8'));

let inv: Inventory;
beforeAll(async () => {
  inv = await loadInventory([fixture('patterns/hosts.yml')]);
});

describe('patterns resolve like ansible --list-hosts', () => {
  it.each(Object.entries(recorded))('%s', (pattern, hosts) => {
    expect(inv.select(pattern)).toEqual(hosts);
  });
});

describe('pattern forms beyond the recorded table', () => {
  it('a list of patterns is the union of its items, in order', () => {
    expect(inv.select(['dbservers', 'staging'])).toEqual([...new Set([...recorded.dbservers, ...recorded['&staging']])]);
  });

  it('an implicit localhost is selectable but not part of all', async () => {
    const empty = await loadInventory([]);
    expect(empty.select('all')).toEqual([]);
    expect(empty.select('localhost')).toEqual(['localhost']);
    expect(empty.hostVars('localhost')).toMatchObject({ ansible_connection: 'local' });
    expect(empty.groupsDict().all).toEqual([]);
  });

  it('an invalid regex is a UserError', () => {
    expect(() => inv.select('~web(')).toThrow(UserError);
  });
});

describe('--limit', () => {
  it('restricts the selection and keeps the play pattern order', () => {
    expect(inv.select('all', { limit: 'staging' })).toEqual(recorded.all.filter((h) => recorded['&staging'].includes(h)));
    expect(inv.select('dbservers', { limit: '!web4.example.com' })).toEqual(recorded.dbservers.filter((h) => h !== 'web4.example.com'));
  });

  it('reads @file with one pattern per line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inv-limit-'));
    const file = join(dir, 'limit.retry');
    writeFileSync(file, 'web2.example.com\n\n*.example.org\n');
    const allowed = new Set(['web2.example.com', ...recorded['*.example.org']]);
    const got = inv.select('all', { limit: `@${file}` });
    expect(got).toEqual(recorded.all.filter((h) => allowed.has(h)));
    expect(got.length).toBe(2);
  });

  it('a missing @file is a UserError', () => {
    expect(() => inv.select('all', { limit: '@/nonexistent/limit-file' })).toThrow(/unable to find limit file/);
  });

  it('selectPlayHosts: the play pattern restricted by expanded limit patterns', () => {
    expect(selectPlayHosts(inv, 'all', ['staging'])).toEqual(recorded.all.filter((h) => recorded['&staging'].includes(h)));
    expect(selectPlayHosts(inv, 'dbservers', ['all', '!web4.example.com'])).toEqual(recorded.dbservers.filter((h) => h !== 'web4.example.com'));
    expect(selectPlayHosts(inv, 'all', ['staging'])).toEqual(inv.select('all', { limit: 'staging' }));
  });

  it('an empty limit restricts nothing, not even an implicit localhost', async () => {
    const empty = await loadInventory([]);
    expect(selectPlayHosts(empty, 'localhost', [])).toEqual(['localhost']);
    expect(selectPlayHosts(empty, 'localhost', undefined)).toEqual(['localhost']);
    expect(selectPlayHosts(empty, 'localhost', ['all'])).toEqual([]);
  });
});
