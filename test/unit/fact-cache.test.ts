// The jsonfile fact cache: one JSON file per host named prefix + host, read back until the
// timeout, gone after a flush; settings from ANSIBLE_CACHE_PLUGIN* over ansible.cfg.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { factCacheSettings, openFactCache } from '../../src/engine/fact-cache.js';
import { runEngine } from '../helpers/run-engine.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-fact-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fact cache settings', () => {
  it('read the environment over ansible.cfg, with Ansible defaults', () => {
    const cfgDir = mkdtempSync(path.join(dir, 'cfg-'));
    writeFileSync(path.join(cfgDir, 'ansible.cfg'), '[defaults]\nfact_caching = jsonfile\nfact_caching_connection = /tmp/x\nfact_caching_timeout = 60\n');
    const env = { ANSIBLE_CONFIG: path.join(cfgDir, 'ansible.cfg'), ANSIBLE_CACHE_PLUGIN_PREFIX: 'p_' };
    expect(factCacheSettings(env, cfgDir)).toEqual({ plugin: 'jsonfile', connection: '/tmp/x', prefix: 'p_', timeout: 60 });
    expect(factCacheSettings({ ANSIBLE_CONFIG: '/nonexistent.cfg' }, dir)).toEqual({ plugin: 'memory', connection: undefined, prefix: 'ansible_facts', timeout: 86400 });
  });

  it('memory is the run itself; jsonfile needs a directory; other plugins are refused', () => {
    expect(openFactCache({ plugin: 'memory', prefix: 'x', timeout: 0 })).toBeUndefined();
    expect(() => openFactCache({ plugin: 'jsonfile', prefix: 'x', timeout: 0 })).toThrow(/fact_caching_connection/);
    expect(() => openFactCache({ plugin: 'redis', prefix: 'x', timeout: 0 })).toThrow(/redis/);
  });
});

describe('jsonfile fact cache', () => {
  it('keeps facts per host until the timeout, and flush forgets them', () => {
    const conn = path.join(dir, 'cache');
    let now = Date.now();
    const cache = openFactCache({ plugin: 'jsonfile', connection: conn, prefix: 'pre_', timeout: 60 }, () => now)!;
    cache.save('web1', { ansible_foo: 'bar', b: 1 });
    expect(JSON.parse(readFileSync(path.join(conn, 'pre_web1'), 'utf8'))).toEqual({ ansible_foo: 'bar', b: 1 });
    expect(cache.load('web1')).toEqual({ ansible_foo: 'bar', b: 1 });
    expect(cache.load('web2')).toBeUndefined();
    now += 120_000;
    expect(cache.load('web1')).toBeUndefined();
    cache.flush(['web1']);
    expect(existsSync(path.join(conn, 'pre_web1'))).toBe(false);
  });

  it('carries a cacheable set_fact into the next run, but not a plain one', async () => {
    const conn = path.join(dir, 'runs');
    const factCache = { plugin: 'jsonfile', connection: conn, prefix: 'h_', timeout: 0 };
    const first = await runEngine(dir, `
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact: { kept: yes_kept, cacheable: true }
    - set_fact: { dropped: no }
`, { inventory: { list: 'localhost,' }, factCache });
    expect(first.exitCode).toBe(0);
    const second = await runEngine(dir, `
- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg="{{ kept }} {{ dropped | default('undefined') }}"
`, { inventory: { list: 'localhost,' }, factCache });
    const msgs = second.events.flatMap((e) => (e.kind === 'host-result' && e.task.action === 'debug' ? [e.result.msg] : []));
    expect(msgs).toEqual(['yes_kept undefined']);
  });
});
