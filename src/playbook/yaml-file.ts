// YAML loading with the same scalar rules as Ansible's loader (PyYAML, YAML 1.1) and a
// position for every node, so every later error can point at file:line:col.
import { readFile } from 'node:fs/promises';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type CollectionTag,
  type Document,
  type Node as YamlNode,
  type ScalarTag,
  type Tags,
  visit,
} from 'yaml';
import { LoadError, type SourcePos, errFileRead, errYamlAlias, errYamlMultiDocument, errYamlSyntax, errYamlUnhashableKey, errYamlUnknownAlias } from '../errors.js';
import { pyyamlScalars } from '../pyyaml-scalars.js';
import { unsafeText } from '../template/unsafe.js';
import { decryptDocumentValues, decryptYamlFileText } from '../vault/context.js';

export type DocPath = (string | number)[];

/** A vault-encrypted scalar, kept as written; decryption happens later. */
export interface VaultValue {
  __vault__: string;
}

export interface YamlFile {
  file: string;
  data: unknown;
  /** Position of the value at `path` (falls back to the nearest ancestor that exists). */
  posOf(path: DocPath): SourcePos;
  /** Position of the mapping key at the end of `path` (the value's position if not a mapping entry). */
  keyPosOf(path: DocPath): SourcePos;
  /** Keys written twice in one mapping (the last one wins), where the later one is. */
  duplicateKeys?: { key: string; pos: SourcePos }[];
}

const vaultTag: ScalarTag = {
  tag: '!vault',
  resolve: (str: string) => ({ __vault__: str }) as unknown as string,
};
// Ansible's !unsafe marks a string that must never be templated (AnsibleUnsafeText); on a
// list or a mapping it marks every string inside (see markUnsafeCollections).
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (str: string) => unsafeText(str) as unknown as string };

function pyyamlTags(tags: Tags): Tags {
  const out: Tags = pyyamlScalars(tags);
  out.push(vaultTag, unsafeTag);
  // the collection itself loads as usual; its strings are marked once the document is composed
  for (const t of tags) {
    const tag = t as CollectionTag;
    if (tag.tag === 'tag:yaml.org,2002:seq' || tag.tag === 'tag:yaml.org,2002:map') out.push({ ...tag, tag: '!unsafe', default: false });
  }
  return out;
}

const YAML_OPTIONS = {
  version: '1.1' as const,
  merge: true,
  uniqueKeys: false,
  prettyErrors: false,
  customTags: pyyamlTags,
};

function hintForSyntax(line: string, code: string, message: string): string | undefined {
  if (/quote/i.test(message)) return 'a quoted value is not closed: check that quotes are balanced';
  if (/\t/.test(line) && /^\s*\t/.test(line)) return 'YAML does not allow tabs for indentation; indent with spaces';
  if (code === 'TAB_AS_INDENT') return 'YAML does not allow tabs for indentation; indent with spaces';
  if (/:\s+\{\{/.test(line)) {
    return 'values that start with a template must be quoted, e.g. `msg: "{{ foo }}"`';
  }
  if (/^\s*-?\s*[^#'"]*:\s+[^'"#].*:\s/.test(line)) {
    return 'a value containing ": " must be quoted';
  }
  if (/["']/.test(line)) return 'check that quotes are balanced and that a quoted value is not followed by more text';
  return 'check the indentation and the `key: value` structure around this line';
}

/** Parse YAML text already read from `file`. */
export function parseYamlText(text: string, file: string): YamlFile {
  // A whole file may be vault-encrypted (vars files, task files, playbooks), as in Ansible.
  text = decryptYamlFileText(text, file);
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
  const lines = text.split('\n');
  const toPos = (offset: number): SourcePos => {
    const lp = lineCounter.linePos(offset);
    return { file, line: Math.max(1, lp.line), col: Math.max(1, lp.col) };
  };
  const docList = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // EmptyStream: a file with only comments or nothing at all
    const empty: YamlFile = {
      file,
      data: null,
      posOf: () => ({ file, line: 1, col: 1 }),
      keyPosOf: () => ({ file, line: 1, col: 1 }),
    };
    return empty;
  }
  for (const doc of docList) {
    const err = doc.errors[0];
    if (err) {
      let offset = err.pos[0];
      // an unclosed quote is found at the end of the file; point at where it was opened
      const q = /Missing closing (["'])quote/.exec(err.message);
      if (q) {
        const open = text.lastIndexOf(q[1], Math.max(0, offset - 1));
        if (open >= 0) offset = open;
      }
      const pos = toPos(offset);
      const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const srcLine = lines[pos.line - 1] ?? '';
      throw errYamlSyntax(message, { pos, hint: hintForSyntax(srcLine, err.code, message) });
    }
  }
  if (docList.length > 1) {
    const second = docList[1];
    const pos = toPos(second.range[0]);
    throw errYamlMultiDocument({
      pos,
      hint: 'keep one document per file: remove the extra `---` separators',
    });
  }
  const doc: Document | undefined = docList[0];
  if (!doc) {
    return { file, data: null, posOf: () => ({ file, line: 1, col: 1 }), keyPosOf: () => ({ file, line: 1, col: 1 }) };
  }
  checkUnhashableKeys(doc.contents as YamlNode | null, toPos);
  const duplicateKeys = findDuplicateKeys(doc.contents as YamlNode | null, toPos);
  decryptDocumentValues(doc, toPos);
  markUnsafeCollections(doc);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 10000 });
  } catch (e) {
    throw aliasProblem(doc, e, toPos);
  }

  const walk = (path: DocPath): { node?: YamlNode; keyNode?: YamlNode; last?: YamlNode } => {
    let node: YamlNode | null | undefined = doc.contents as YamlNode | null;
    let keyNode: YamlNode | undefined;
    let last: YamlNode | undefined = node ?? undefined;
    for (const step of path) {
      if (node && isAlias(node)) node = node.resolve(doc) as YamlNode | undefined;
      if (!node) return { last };
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyEquals(p.key, step));
        if (!pair) return { last };
        keyNode = (pair.key as YamlNode) ?? undefined;
        node = pair.value as YamlNode | null;
        last = node ?? keyNode ?? last;
        if (!node) return { keyNode, last };
      } else if (isSeq(node) && typeof step === 'number') {
        node = node.items[step] as YamlNode | null;
        if (!node) return { last };
        last = node;
      } else {
        return { last };
      }
    }
    return { node: node ?? undefined, keyNode, last };
  };
  const nodePos = (n: YamlNode | undefined): SourcePos => (n?.range ? toPos(n.range[0]) : { file, line: 1, col: 1 });
  return {
    file,
    data,
    ...(duplicateKeys.length ? { duplicateKeys } : {}),
    posOf(path) {
      const r = walk(path);
      return nodePos(r.node?.range ? r.node : r.keyNode ?? r.last);
    },
    keyPosOf(path) {
      const r = walk(path);
      return nodePos(r.keyNode ?? r.node ?? r.last);
    },
  };
}

/** `!unsafe` on a list or mapping: every string value under it is unsafe text. */
function markUnsafeCollections(doc: Document): void {
  visit(doc, {
    Collection(_key, node) {
      if (node.tag !== '!unsafe') return undefined;
      visit(node, {
        Scalar(key, scalar) {
          if (key !== 'key' && typeof scalar.value === 'string') scalar.value = unsafeText(scalar.value);
        },
      });
      return visit.SKIP;
    },
  });
}

function keyEquals(key: unknown, step: string | number): boolean {
  if (isScalar(key)) return String(key.value) === String(step);
  return false;
}

// PyYAML refuses a mapping used as a key (`msg: {{ x }}` parses as a flow map keyed by a
// map); the yaml package accepts it silently, which would hide the classic unquoted-template
// mistake.
function checkUnhashableKeys(node: YamlNode | null | undefined, toPos: (o: number) => SourcePos): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      if (key && (isMap(key) || isSeq(key))) {
        const pos = key.range ? toPos(key.range[0]) : undefined;
        throw errYamlUnhashableKey({
          pos,
          hint: 'values that start with a template must be quoted, e.g. `msg: "{{ foo }}"`',
        });
      }
      checkUnhashableKeys(pair.value as YamlNode | null, toPos);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) checkUnhashableKeys(item as YamlNode | null, toPos);
  }
}

/**
 * PyYAML (through Ansible's constructor) keeps the last of two equal keys and tells the
 * user (ANSIBLE_DUPLICATE_YAML_DICT_KEY); the yaml package keeps it silently, so look.
 */
function findDuplicateKeys(root: YamlNode | null | undefined, toPos: (o: number) => SourcePos): { key: string; pos: SourcePos }[] {
  const out: { key: string; pos: SourcePos }[] = [];
  const walk = (node: YamlNode | null | undefined): void => {
    if (!node) return;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (isScalar(key) && key.value !== '<<') {
          const k = String(key.value);
          if (seen.has(k)) out.push({ key: k, pos: key.range ? toPos(key.range[0]) : toPos(0) });
          seen.add(k);
        }
        walk(pair.value as YamlNode | null);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item as YamlNode | null);
    }
  };
  walk(root);
  return out;
}

/** Read and parse a YAML file; a missing or unreadable file is a LoadError. */
export async function readYamlFile(file: string, from?: SourcePos): Promise<YamlFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw errFileRead(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message, {
      pos: from,
      hint: 'check the path; relative paths resolve against the file that refers to it',
    });
  }
  return parseYamlText(text, file);
}

/**
 * toJS throws plain errors for an alias whose anchor is missing (`*name` before or
 * without `&name`) and for alias bombs: both are the user's YAML, so a LoadError.
 */
function aliasProblem(doc: Document, e: unknown, toPos: (offset: number) => SourcePos): LoadError {
  let unresolved: { source: string; offset: number } | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) === undefined) {
        unresolved = { source: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (unresolved) {
    return errYamlUnknownAlias(unresolved.source, {
      pos: toPos(unresolved.offset),
      hint: `define the anchor (&${unresolved.source}) before the alias, or quote the value if the * is meant literally`,
    });
  }
  return errYamlAlias((e as Error).message, { pos: toPos(0), hint: 'check the anchors (&name) and aliases (*name) of this file' });
}
