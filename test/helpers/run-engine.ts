// Runs the engine in-process on local hosts: a playbook (and any files beside it) written
// to a fresh directory, an inventory (an INI text, or a host list such as 'localhost,'),
// and every event the reporters would see.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FactCacheSettings } from '../../src/engine/fact-cache.js';
import { runPlaybooks } from '../../src/engine/run.js';
import { loadInventory } from '../../src/inventory/index.js';
import { defaultRegistry } from '../../src/modules/index.js';
import type { RunEvent } from '../../src/output/events.js';
import { loadPlaybook } from '../../src/playbook/index.js';
import { Templar } from '../../src/template/index.js';
import { LocalTransport } from '../../src/transport/local.js';

export interface EngineRun {
  exitCode: number;
  events: RunEvent[];
}

export async function runEngine(
  parent: string,
  yaml: string,
  opts: { files?: Record<string, string>; inventory: { ini: string } | { list: string }; extraVars?: Record<string, unknown>; factCache?: FactCacheSettings },
): Promise<EngineRun> {
  const pbDir = mkdtempSync(path.join(parent, 'pb-'));
  const files = { ...opts.files, ...('ini' in opts.inventory ? { 'inventory.ini': opts.inventory.ini } : {}) };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(pbDir, name)), { recursive: true });
    writeFileSync(path.join(pbDir, name), text);
  }
  const pbPath = path.join(pbDir, 'site.yml');
  writeFileSync(pbPath, yaml);
  const registry = defaultRegistry();
  const loadOptions = { registry, rolesPath: [path.join(pbDir, 'roles')] };
  const source = 'ini' in opts.inventory ? path.join(pbDir, 'inventory.ini') : opts.inventory.list;
  const events: RunEvent[] = [];
  const summary = await runPlaybooks({
    playbooks: [await loadPlaybook(pbPath, loadOptions)],
    inventory: await loadInventory([source], { playbookDir: pbDir }),
    inventorySources: [source],
    registry,
    templar: new Templar({ searchPaths: () => [pbDir] }),
    loadOptions,
    tags: [],
    skipTags: [],
    check: false,
    diff: false,
    extraVars: opts.extraVars ?? {},
    forks: 5,
    verbosity: 0,
    forceHandlers: false,
    gathering: 'explicit',
    sink: (e) => events.push(e),
    openTransport: async (host) => new LocalTransport(host),
    addSecret: () => undefined,
    factCache: opts.factCache,
  });
  return { exitCode: summary.exitCode, events };
}
