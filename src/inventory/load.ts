// Turning `-i` sources into an Inventory, with Ansible's source rules:
// a path that does not exist but contains a comma is a host list (`web1,web2,`);
// a directory contributes every file in it (sorted, recursively); a file is YAML
// when its extension says so, INI when it has another extension, and tried as
// YAML then INI when it has none.

import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { isMap } from 'yaml';
import { errInventoryNotFound, errInventoryRead } from '../errors.js';
import { Inventory } from './inventory.js';
import { parseIniInventory } from './ini-inventory.js';
import { parseYamlInventory } from './yaml-inventory.js';
import { parseYamlText } from './yaml-source.js';

export interface LoadInventoryOptions {
  /** directory of the playbook: its group_vars/ and host_vars/ apply after the inventory's */
  playbookDir?: string;
  /**
   * A source that is not there: Ansible warns ("Unable to parse ... as an inventory
   * source") and goes on with what it has, or the implicit localhost. With this set the
   * load does the same and tells it here; without it, a missing source is an error.
   */
  warnUnparsed?: (message: string) => void;
}

export const YAML_INVENTORY_EXTENSIONS = ['.yml', '.yaml', '.json'];

/**
 * Names skipped when a directory is an inventory source: hidden entries, vars
 * directories, and ansible-core's default INVENTORY_IGNORE_EXTS (REJECT_EXTS
 * plus .orig, .ini, .cfg, .retry). Note `.ini` IS skipped inside a directory by
 * ansible-core 2.14 (checked with ansible-inventory); an `.ini` file given
 * directly with -i is of course read.
 */
export const IGNORED_IN_INVENTORY_DIR: readonly RegExp[] = [
  /^\./,
  /^host_vars$/,
  /^group_vars$/,
  /^vars_plugins$/,
  ...['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'].map(
    (ext) => new RegExp(ext.replace(/[.~]/g, '\\$&') + '$'),
  ),
];

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/**
 * Load inventory sources. With no source Ansible reads /etc/ansible/hosts; we
 * deliberately start from an empty inventory instead (only the implicit
 * localhost exists), so a machine-wide file never changes what a run targets.
 */
export async function loadInventory(sources: string[], opts: LoadInventoryOptions = {}): Promise<Inventory> {
  const inv = new Inventory();
  let parsed = 0;
  for (const source of sources) {
    const st = await statOrNull(source);
    if (!st) {
      if (source.includes(',')) {
        loadHostList(inv, source);
        parsed++;
        continue;
      }
      if (opts.warnUnparsed) {
        opts.warnUnparsed(`Unable to parse ${resolve(source)} as an inventory source`);
        continue;
      }
      throw errInventoryNotFound(source, {
        hint: 'give a file, a directory, or a comma-separated host list such as "web1,web2," (note the trailing comma for one host)',
      });
    }
    if (st.isDirectory()) {
      inv.inventoryVarsDirs.push(resolve(source));
      await loadDirectory(inv, source);
    } else {
      inv.inventoryVarsDirs.push(resolve(dirname(source)));
      await loadFile(inv, source);
    }
    inv.reconcile();
    parsed++;
  }
  if (sources.length > 0 && parsed === 0) opts.warnUnparsed?.('No inventory was parsed, only implicit localhost is available');
  if (opts.playbookDir !== undefined) inv.playbookVarsDirs.push(resolve(opts.playbookDir));
  inv.reconcile();
  inv.preloadVarsFiles();
  return inv;
}

/** Ansible's host_list plugin: no ranges, optional :port, hosts land in 'ungrouped'. */
function loadHostList(inv: Inventory, source: string): void {
  for (const item of source.split(',')) {
    const h = item.trim();
    if (!h) continue;
    const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(h) ?? /^([^:]+):(\d+)$/.exec(h);
    const name = m ? m[1] : h;
    inv.addHostToGroup(name, 'ungrouped');
    if (m?.[2] !== undefined) inv.setHostVar(name, 'ansible_port', Number(m[2]));
  }
  inv.reconcile();
}

async function loadDirectory(inv: Inventory, dir: string): Promise<void> {
  const entries = (await readdir(dir)).sort();
  for (const entry of entries) {
    if (IGNORED_IN_INVENTORY_DIR.some((re) => re.test(entry))) continue;
    const full = join(dir, entry);
    const st = await statOrNull(full);
    if (!st) continue;
    if (st.isDirectory()) await loadDirectory(inv, full);
    else await loadFile(inv, full);
  }
}

async function loadFile(inv: Inventory, file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw errInventoryRead((e as Error).message, {
      pos: { file, line: 1, col: 1 },
    });
  }
  const ext = extname(file);
  if (YAML_INVENTORY_EXTENSIONS.includes(ext)) {
    parseYamlInventory(inv, text, file);
  } else if (ext === '' && looksLikeYamlMapping(text, file)) {
    parseYamlInventory(inv, text, file);
  } else {
    parseIniInventory(inv, text, file);
  }
}

// An extension-less file is YAML if it parses as a YAML mapping; anything else
// (syntax errors, a plain scalar like "host1 host2") is left to the INI parser,
// whose errors are then the meaningful ones.
function looksLikeYamlMapping(text: string, file: string): boolean {
  try {
    return isMap(parseYamlText(text, file).doc.contents);
  } catch {
    return false;
  }
}
