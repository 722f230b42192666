// Ansible's `yaml` inventory plugin: top-level keys are groups; each group may have
// `hosts`, `vars` and `children` (nested groups, same shape).

import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { errInventoryEmpty, errInventoryPlugin, errYamlInventoryNotMapping, errYamlInventoryEntry, errYamlInventoryHostVars } from '../errors.js';
import type { Inventory } from './inventory.js';
import { parseHostEntry } from './host-address.js';
import { keyText, nodeValue, parseYamlText, posOf, type YamlSource } from './yaml-source.js';

const SECTIONS = new Set(['hosts', 'vars', 'children']);

export function parseYamlInventory(inv: Inventory, text: string, file: string): void {
  const src = parseYamlText(text, file);
  const root = src.doc.contents;
  if (root == null || (isScalar(root) && (root.value == null || root.value === ''))) {
    throw errInventoryEmpty({ pos: { file, line: 1, col: 1 }, hint: 'add an `all:` group with `hosts:`' });
  }
  if (!isMap(root)) {
    throw errYamlInventoryNotMapping({
      pos: posOf(src, root),
      hint: 'start with `all:` and list hosts under `hosts:`',
    });
  }
  const plugin = root.items.find((p) => keyText(p.key) === 'plugin');
  if (plugin && nodeValue(src, plugin.value as Node)) {
    throw errInventoryPlugin({
      pos: posOf(src, plugin.key as Node),
      hint: 'use a static YAML or INI inventory',
    });
  }
  for (const pair of root.items) parseGroup(inv, src, keyText(pair.key), pair);
}

function parseGroup(inv: Inventory, src: YamlSource, group: string, pair: Pair): void {
  const node = pair.value as Node | null;
  if (node == null || (isScalar(node) && node.value == null)) {
    inv.ensureGroup(group);
    return;
  }
  if (!isMap(node)) {
    inv.warnings.push(`${at(src, node)}: skipping '${group}' as this is not a valid group definition`);
    return;
  }
  inv.ensureGroup(group);
  for (const item of node.items) {
    const key = keyText(item.key);
    let value = item.value as Node | null;
    if (SECTIONS.has(key) && isScalar(value) && typeof value.value === 'string') {
      // Ansible accepts `hosts: web1` as shorthand for `hosts: {web1: }`.
      handleSection(inv, src, group, key, null, [{ name: value.value, node: value, value: null }]);
      continue;
    }
    if (value != null && isScalar(value) && value.value == null) value = null;
    if (value != null && !isMap(value)) {
      if (SECTIONS.has(key)) {
        throw errYamlInventoryEntry(key, group, {
          pos: posOf(src, value),
          hint: key === 'hosts' ? 'write hosts as `name:` keys (with optional vars below), not as a list' : `write ${key} as \`name: value\` pairs`,
        });
      }
      inv.warnings.push(`${at(src, item.key as Node)}: skipping key (${key}) in group (${group}) as it is not a mapping`);
      continue;
    }
    if (value == null) continue;
    if (!SECTIONS.has(key)) {
      inv.warnings.push(`${at(src, item.key as Node)}: skipping unexpected key (${key}) in group (${group}), only "vars", "children" and "hosts" are valid`);
      continue;
    }
    handleSection(inv, src, group, key, value, entries(value));
  }
}

interface Entry {
  name: string;
  node: Node;
  value: Node | null;
  pair?: Pair;
}

function entries(map: YAMLMap): Entry[] {
  return map.items.map((p) => ({ name: keyText(p.key), node: p.key as Node, value: p.value as Node | null, pair: p }));
}

function handleSection(inv: Inventory, src: YamlSource, group: string, key: string, _map: YAMLMap | null, items: Entry[]): void {
  for (const e of items) {
    if (key === 'vars') {
      inv.setGroupVar(group, e.name, nodeValue(src, e.value), posOf(src, e.node));
    } else if (key === 'children') {
      if (e.pair) parseGroup(inv, src, e.name, e.pair);
      else inv.ensureGroup(e.name);
      inv.addChildGroup(group, e.name, posOf(src, e.node));
    } else {
      const { names, port } = parseHostEntry(e.name, posOf(src, e.node));
      const vars = hostVarsOf(src, e);
      for (const h of names) {
        inv.addHostToGroup(h, group);
        if (port !== undefined) inv.setHostVar(h, 'ansible_port', port);
        for (const [k, v] of Object.entries(vars)) inv.setHostVar(h, k, v);
      }
    }
  }
}

function hostVarsOf(src: YamlSource, e: Entry): Record<string, unknown> {
  const v = e.value;
  if (v == null || (isScalar(v) && v.value == null)) return {};
  if (!isMap(v)) {
    throw errYamlInventoryHostVars(e.name, {
      pos: posOf(src, v),
      hint: 'write host vars as `name: value` pairs indented under the host',
    });
  }
  const out: Record<string, unknown> = {};
  for (const p of v.items) out[keyText(p.key)] = nodeValue(src, p.value as Node | null);
  return out;
}

function at(src: YamlSource, node: Node | null | undefined): string {
  const p = posOf(src, node);
  return `${p.file}:${p.line}:${p.col}`;
}
