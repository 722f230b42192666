// Ansible's `ini` inventory plugin. Sections are `[group]` (hosts), `[group:vars]`
// and `[group:children]`; lines before any section are ungrouped hosts.
//
// Value typing: Ansible's docs say `:vars` values are plain strings, but
// ansible-core (checked against 2.14's `ansible-inventory --list`) runs BOTH
// inline host values and `:vars` values through ast.literal_eval, keeping the
// raw text when that fails: `x=42` is 42, `x=True` is true, `x=FALSE` stays
// "FALSE", `x=[1, 2]` is a list. We do what ansible-core does, since that is
// what playbooks written against it observe. The difference between the two
// is only tokenising: host lines are shell-split (quotes removed, `#` starts a
// comment), while a `:vars` line takes everything after the first `=`.

import { type SourcePos, errIniChildUndefined, errIniChildrenLine, errIniHostDefinition, errIniHostVar, errIniSectionEntry, errIniSectionType, errIniVarsLine, errIniVarsUndefinedGroup } from '../errors.js';
import type { Inventory } from './inventory.js';
import { parseHostEntry } from './host-address.js';
import { iniValue } from './python-literal.js';
import { ShlexError, shlexSplit } from '../shlex.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface PendingChild {
  pos: SourcePos;
  parents: string[];
}

export function parseIniInventory(inv: Inventory, text: string, file: string): void {
  const lines = text.split(/\r?\n/);
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  // [x:vars] for a group not declared (yet), and children named before their own section.
  const pendingVars = new Map<string, SourcePos>();
  const pendingChildren = new Map<string, PendingChild>();

  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    const indent = raw.length - raw.trimStart().length;
    const pos = (col = 0): SourcePos => ({ file, line: n + 1, col: indent + col + 1 });

    const sec = SECTION.exec(line);
    if (sec) {
      group = sec[1];
      const kind = sec[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        throw errIniSectionType(group, kind, {
          pos: pos(group.length + 2),
          hint: `a section is [${group}], [${group}:vars] or [${group}:children]`,
        });
      }
      state = kind;
      if (!inv.groups.has(group)) {
        if (state === 'vars' && !pendingChildren.has(group)) pendingVars.set(group, pos());
        inv.ensureGroup(group);
      }
      // [g] or [g:children] declares g; [g:vars] alone does not.
      if (state !== 'vars') {
        const waiting = pendingChildren.get(group);
        if (waiting) {
          for (const parent of waiting.parents) inv.addChildGroup(parent, group, waiting.pos);
          pendingChildren.delete(group);
        }
        pendingVars.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw errIniSectionEntry(line, {
        pos: pos(),
        hint: 'section names contain no spaces; use [group], [group:vars] or [group:children]',
      });
    }

    if (state === 'hosts') {
      parseHostLine(inv, line, group, pos);
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) {
        throw errIniVarsLine(group, line, {
          pos: pos(),
          hint: 'each line of a :vars section is one name=value',
        });
      }
      const key = line.slice(0, eq).trim();
      inv.setGroupVar(group, key, iniValue(line.slice(eq + 1).trim()), pos());
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) {
        throw errIniChildrenLine(group, line, {
          pos: pos(),
          hint: 'list one group name per line; hosts belong in a [group] section',
        });
      }
      const child = m[1];
      if (inv.groups.has(child)) {
        inv.addChildGroup(group, child, pos());
      } else {
        const waiting = pendingChildren.get(child);
        if (waiting) waiting.parents.push(group);
        else pendingChildren.set(child, { pos: pos(), parents: [group] });
      }
    }
  }

  for (const [name, p] of pendingVars) {
    throw errIniVarsUndefinedGroup(name, {
      pos: p,
      hint: `declare the group with a [${name}] or [${name}:children] section`,
    });
  }
  for (const [name, p] of pendingChildren) {
    throw errIniChildUndefined(p.parents[p.parents.length - 1], name, {
      pos: p.pos,
      hint: `declare it with a [${name}] section, even an empty one`,
    });
  }
}

function parseHostLine(inv: Inventory, line: string, group: string, pos: (col?: number) => SourcePos): void {
  let tokens: string[];
  try {
    tokens = shlexSplit(line, { comments: true });
  } catch (e) {
    if (e instanceof ShlexError) {
      throw errIniHostDefinition(line, e.message, {
        pos: pos(),
        hint: 'close every quote; values with spaces look like name="a b"',
      });
    }
    throw e;
  }
  if (!tokens.length) return;
  const { names, port } = parseHostEntry(tokens[0], pos());
  const vars: Record<string, unknown> = {};
  for (const t of tokens.slice(1)) {
    const eq = t.indexOf('=');
    if (eq < 0) {
      throw errIniHostVar(t, {
        pos: pos(Math.max(0, line.indexOf(t))),
        hint: 'one host per line, followed by name=value pairs',
      });
    }
    vars[t.slice(0, eq)] = iniValue(t.slice(eq + 1));
  }
  for (const h of names) {
    inv.addHostToGroup(h, group);
    if (port !== undefined) inv.setHostVar(h, 'ansible_port', port);
    for (const [k, v] of Object.entries(vars)) inv.setHostVar(h, k, v);
  }
}
