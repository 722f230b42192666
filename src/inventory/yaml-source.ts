// YAML reading shared by the YAML inventory parser and group_vars/host_vars files.
// Ansible reads YAML 1.1 with PyYAML (so `yes`/`no` are booleans, `0755` is octal)
// and tolerates duplicate keys (last wins). `!vault` values stay opaque here;
// decrypting them is the vault layer's job.

import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node, type ScalarTag } from 'yaml';
import { type SourcePos, errInventoryYamlSyntax, errVarsFileNotMapping } from '../errors.js';
import { pyyamlScalars } from '../pyyaml-scalars.js';
import { decryptDocumentValues, decryptYamlFileText } from '../vault/context.js';

/** Placeholder for an encrypted `!vault |` value. */
export interface VaultValue {
  __vault__: string;
}

const vaultTag: ScalarTag = {
  tag: '!vault',
  default: false,
  resolve: (text: string): VaultValue => ({ __vault__: text }),
};

// Ansible marks `!unsafe` strings as never-templated; the template layer decides
// what that means, the inventory just keeps the text.
const unsafeTag: ScalarTag = {
  tag: '!unsafe',
  default: false,
  resolve: (text: string) => text,
};

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export function parseYamlText(text: string, file: string): YamlSource {
  // Whole-file vault encryption (group_vars/all/vault.yml is the usual case).
  text = decryptYamlFileText(text, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.1',
    lineCounter: lines,
    uniqueKeys: false,
    merge: true,
    prettyErrors: false,
    customTags: (tags) => [...pyyamlScalars(tags), vaultTag, unsafeTag],
  });
  const err = doc.errors[0];
  if (err) {
    // The yaml package sometimes points at the line break before the culprit
    // (e.g. a badly indented key); the next visible character is what to fix.
    let offset = err.pos[0];
    while (offset < text.length && /\s/.test(text[offset])) offset++;
    const at = lines.linePos(offset < text.length ? offset : err.pos[0]);
    throw errInventoryYamlSyntax(firstLine(err.message), {
      pos: { file, line: at.line, col: at.col },
      hint: 'check indentation and quoting near this position (values starting with `{{` must be quoted)',
    });
  }
  decryptDocumentValues(doc, (offset) => {
    const at = lines.linePos(offset);
    return { file, line: at.line, col: at.col };
  });
  return { file, doc, lines };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

export function posOf(src: YamlSource, node: Node | null | undefined): SourcePos {
  const offset = node?.range?.[0] ?? 0;
  const at = src.lines.linePos(offset);
  return { file: src.file, line: at.line, col: at.col };
}

export function nodeValue(src: YamlSource, node: Node | null | undefined): unknown {
  if (node == null) return null;
  return node.toJS(src.doc, { maxAliasCount: 1000 });
}

/** The text of a mapping key (keys are always used as names). */
export function keyText(node: unknown): string {
  if (isScalar(node)) return node.value == null ? '' : String(node.value);
  return String(node);
}

/** Parse a group_vars/host_vars file (decrypted first when vault-encrypted): a mapping or empty. */
export function loadVarsText(text: string, file: string): Record<string, unknown> {
  const src = parseYamlText(text, file);
  const root = src.doc.contents;
  if (root == null) return {};
  if (isScalar(root) && (root.value == null || root.value === '')) return {};
  if (!isMap(root)) {
    throw errVarsFileNotMapping({
      pos: posOf(src, root),
      hint: 'write `name: value` lines at the top level of the file',
    });
  }
  const out: Record<string, unknown> = {};
  for (const pair of root.items) {
    out[keyText(pair.key)] = nodeValue(src, pair.value as Node | null);
  }
  return out;
}
