// Ansible's fact cache: facts (gathered, or set_fact with cacheable: true) outlive the run
// when a cache plugin keeps them. `memory` (the default) keeps them for the run only, which
// the host states already do; `jsonfile` keeps one JSON file per host in a directory,
// named prefix + host, and a file older than the timeout is ignored.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findConfigFile, parseIni } from '../ansible-cfg.js';
import { UserError } from '../errors.js';

export interface FactCache {
  load(host: string): Record<string, unknown> | undefined;
  save(host: string, facts: Record<string, unknown>): void;
  flush(hosts: Iterable<string>): void;
}

export interface FactCacheSettings {
  plugin: string;
  connection?: string;
  prefix: string;
  /** Seconds; 0 keeps facts for ever. */
  timeout: number;
}

/** ANSIBLE_CACHE_PLUGIN* over ansible.cfg's fact_caching* options, as Ansible reads them. */
export function factCacheSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): FactCacheSettings {
  const cfg = findConfigFile(env, cwd);
  let d: Record<string, string> = {};
  if (cfg) {
    try {
      d = parseIni(readFileSync(cfg, 'utf8'), cfg).defaults ?? {};
    } catch {
      /* an unreadable ansible.cfg is reported where the run reads it */
    }
  }
  const get = (envName: string, key: string) => env[envName] ?? d[key];
  const timeout = Number(get('ANSIBLE_CACHE_PLUGIN_TIMEOUT', 'fact_caching_timeout') ?? 86400);
  return {
    plugin: (get('ANSIBLE_CACHE_PLUGIN', 'fact_caching') ?? 'memory').replace(/^ansible\.builtin\./, ''),
    connection: get('ANSIBLE_CACHE_PLUGIN_CONNECTION', 'fact_caching_connection') || undefined,
    prefix: get('ANSIBLE_CACHE_PLUGIN_PREFIX', 'fact_caching_prefix') ?? 'ansible_facts',
    timeout: Number.isFinite(timeout) ? timeout : 86400,
  };
}

/** The cache the settings name, or undefined for `memory` (the run's host states are that cache). */
export function openFactCache(s: FactCacheSettings, now: () => number = Date.now): FactCache | undefined {
  if (s.plugin === 'memory') return undefined;
  if (s.plugin !== 'jsonfile') throw new UserError(`Unable to load the facts cache plugin (${s.plugin}).`, { hint: 'rackplay has the memory and jsonfile fact caches' });
  if (!s.connection) throw new UserError("error, 'jsonfile' cache plugin requires the 'fact_caching_connection' config option to be set (to a writeable directory path)");
  const dir = path.resolve(s.connection.replace(/^~(?=\/|$)/, os.homedir()));
  mkdirSync(dir, { recursive: true });
  const file = (host: string) => path.join(dir, s.prefix + host);
  return {
    load(host) {
      const f = file(host);
      if (!existsSync(f)) return undefined;
      if (s.timeout > 0 && now() - statSync(f).mtimeMs > s.timeout * 1000) return undefined;
      try {
        const data = JSON.parse(readFileSync(f, 'utf8')) as unknown;
        return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
      } catch {
        // Ansible drops a cache file it cannot read and carries on without it.
        rmSync(f, { force: true });
        return undefined;
      }
    },
    save(host, facts) {
      if (Object.keys(facts).length === 0) rmSync(file(host), { force: true });
      else writeFileSync(file(host), JSON.stringify(sortKeys(facts), null, 4));
    },
    flush(hosts) {
      for (const h of hosts) rmSync(file(h), { force: true });
    },
  };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
