// Helpers for the path filters that Python gives Ansible for free: ntpath's split and
// splitdrive, glob.glob relative to the working directory, and uuid.uuid5.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fnmatchRegExp } from '../fnmatch.js';
import { TemplateError } from './errors.js';

/** The namespace Ansible's to_uuid uses by default. */
export const ANSIBLE_UUID_NAMESPACE = '361E6D51-FAEC-444A-9079-341386DA8E2E';

/** ntpath.splitdrive: 'C:' or a UNC '//server/share' prefix, and the rest. */
export function ntSplitDrive(p: string): [string, string] {
  const norm = p.replace(/\//g, '\\');
  if (norm.startsWith('\\\\') && !norm.startsWith('\\\\\\')) {
    const sep = norm.indexOf('\\', 2);
    if (sep < 0) return ['', p];
    const sep2 = norm.indexOf('\\', sep + 1);
    if (sep2 === sep + 1) return ['', p];
    const end = sep2 < 0 ? p.length : sep2;
    return [p.slice(0, end), p.slice(end)];
  }
  if (p.length >= 2 && p[1] === ':') return [p.slice(0, 2), p.slice(2)];
  return ['', p];
}

/** ntpath.split: head without its trailing separators (unless it is all separators), and the tail. */
export function ntSplit(p: string): [string, string] {
  const [drive, rest] = ntSplitDrive(p);
  let i = rest.length;
  while (i > 0 && !'/\\'.includes(rest[i - 1])) i--;
  const head = rest.slice(0, i);
  const tail = rest.slice(i);
  const trimmed = head.replace(/[/\\]+$/, '');
  return [drive + (trimmed === '' ? head : trimmed), tail];
}

/** glob.glob(pattern) keeping regular files only, as Ansible's fileglob filter does. */
export function globFiles(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [pattern.startsWith('/') ? '/' : ''];
  for (let i = pattern.startsWith('/') ? 1 : 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '') continue;
    if (!/[*?[]/.test(part)) {
      bases = bases.map((b) => (b === '' ? part : path.join(b, part)));
      continue;
    }
    const re = fnmatchRegExp(part);
    bases = bases.flatMap((b) => {
      let entries: string[];
      try {
        entries = readdirSync(b === '' ? '.' : b);
      } catch {
        return [];
      }
      return entries.filter((e) => re.test(e) && (part.startsWith('.') || !e.startsWith('.'))).sort().map((e) => (b === '' ? e : path.join(b, e)));
    });
  }
  return bases.filter((b) => {
    try {
      return b !== '' && statSync(b).isFile();
    } catch {
      return false;
    }
  });
}

/** uuid.uuid5(namespace, name). */
export function uuid5(namespace: string, name: string): string {
  const hex = namespace.replace(/[{}-]/g, '').replace(/^urn:uuid:/i, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new TemplateError('badly formed hexadecimal UUID string');
  const digest = createHash('sha1').update(Buffer.concat([Buffer.from(hex, 'hex'), Buffer.from(name, 'utf8')])).digest();
  const b = digest.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
