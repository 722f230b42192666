// Path, encoding and hashing filters: basename/dirname/realpath, b64, url*, hash/md5/sha1.
// Separate because they touch the controller's filesystem and byte encodings.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemplateError } from './errors.js';
import { isDict, pyStr, type Dict } from './python.js';
import { need } from './undefined.js';
import { arg, type Filter } from './filter-support.js';

function hashOf(algorithm: string, value: unknown): string {
  const algo = algorithm.toLowerCase();
  try {
    return createHash(algo).update(pyStr(need(value)), 'utf8').digest('hex');
  } catch {
    throw new TemplateError(`unsupported hash type ${algorithm}`);
  }
}

export const PATH_FILTERS: Record<string, Filter> = {
  b64encode: (v, pos, kw) => Buffer.from(pyStr(v), String(arg(pos, kw, 0, 'encoding', 'utf-8')).toLowerCase().replace('-', '') === 'utf16' ? 'utf16le' : 'utf8').toString('base64'),
  b64decode: (v) => Buffer.from(pyStr(v), 'base64').toString('utf8'),
  basename: (v) => path.posix.basename(pyStr(v)) === '' || pyStr(v).endsWith('/') ? '' : path.posix.basename(pyStr(v)),
  dirname: (v) => {
    const s = pyStr(v);
    const i = s.lastIndexOf('/');
    if (i < 0) return '';
    const head = s.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  expanduser: (v) => {
    const s = pyStr(v);
    if (s === '~' || s.startsWith('~/')) return os.homedir() + s.slice(1);
    return s;
  },
  realpath: (v) => {
    const s = pyStr(v);
    try {
      return realpathSync(s);
    } catch {
      return path.resolve(s);
    }
  },
  relpath: (v, pos) => path.relative(pyStr(pos[0]), pyStr(v)),
  splitext: (v) => {
    const s = pyStr(v);
    const ext = path.posix.extname(s);
    return [s.slice(0, s.length - ext.length), ext];
  },
  hash: (v, pos, kw) => hashOf(String(arg(pos, kw, 0, 'hashtype', 'sha1')), v),
  md5: (v) => hashOf('md5', v),
  sha1: (v) => hashOf('sha1', v),
  checksum: (v) => hashOf('sha1', v),
  urlencode: (v) => {
    if (isDict(v)) return Object.entries(v).map(([k, x]) => encodeURIComponent(k) + '=' + encodeURIComponent(pyStr(x))).join('&');
    return encodeURIComponent(pyStr(v)).replace(/%2F/g, '/');
  },
  urlsplit: (v, pos) => {
    const u = new URL(pyStr(v));
    const parts: Dict = {
      scheme: u.protocol.replace(/:$/, ''),
      netloc: u.host,
      path: u.pathname,
      query: u.search.replace(/^\?/, ''),
      fragment: u.hash.replace(/^#/, ''),
      hostname: u.hostname,
      port: u.port ? Number(u.port) : null,
      username: u.username || null,
      password: u.password || null,
    };
    return pos.length ? parts[String(pos[0])] : parts;
  },
};
