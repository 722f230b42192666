// Path, encoding and hashing filters: basename/dirname/realpath, win_*, b64, url*, hash/md5/sha1, to_uuid.
// Separate because they touch the controller's filesystem and byte encodings.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeBytes, encodeText } from './codecs.js';
import { TemplateError } from './errors.js';
import { isDict, pyStr, typeName } from './python.js';
import { unquotePlus, urlsplitDict } from './urls.js';
import { ANSIBLE_UUID_NAMESPACE, globFiles, ntSplit, ntSplitDrive, uuid5 } from './path-support.js';
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
  b64encode: (v, pos, kw) => encodeText(pyStr(v), String(arg(pos, kw, 0, 'encoding', 'utf-8'))).toString('base64'),
  b64decode: (v, pos, kw) => decodeBytes(Buffer.from(pyStr(v), 'base64'), String(arg(pos, kw, 0, 'encoding', 'utf-8'))),
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
  // Jinja2's urlencode: a string keeps '/', query pairs (dict or list of pairs) quote
  // everything and use '+' for spaces; only letters, digits and _.-~ are never quoted.
  urlencode: (v) => {
    const quote = (x: unknown, forQs: boolean) => {
      const q = encodeURIComponent(pyStr(x)).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
      return forQs ? q.replace(/%20/g, '+') : q.replace(/%2F/g, '/');
    };
    if (typeof v === 'string' || !(isDict(v) || Array.isArray(v))) return quote(v, false);
    const pairs = isDict(v) ? Object.entries(v) : (v as unknown[]).map((p) => p as unknown[]);
    return pairs.map(([k, x]) => `${quote(k, true)}=${quote(x, true)}`).join('&');
  },
  urldecode: (v) => unquotePlus(pyStr(v)),
  urlsplit: (v, pos, kw) => {
    const parts = urlsplitDict(pyStr(v));
    const query = pyStr(arg(pos, kw, 0, 'query', ''));
    if (!query) return parts;
    if (!(query in parts)) throw new TemplateError(`urlsplit: unknown URL component: ${query}`);
    return parts[query];
  },
  path_join: (v) => {
    if (typeof v === 'string') return v;
    if (!Array.isArray(v)) throw new TemplateError(`|path_join expects string or sequence, got <class '${typeName(v)}'> instead.`);
    // os.path.join: an absolute part restarts the path
    return v.map((x) => pyStr(need(x))).reduce((acc, part) => (part.startsWith('/') || acc === '' ? part : acc.endsWith('/') ? acc + part : acc + '/' + part), '');
  },
  win_basename: (v) => ntSplit(pyStr(v))[1],
  win_dirname: (v) => ntSplit(pyStr(v))[0],
  win_splitdrive: (v) => ntSplitDrive(pyStr(v)),
  expandvars: (v) =>
    // os.path.expandvars: unknown variables stay as written
    pyStr(v).replace(/\$(\w+)|\$\{([^}]*)\}/g, (m, a: string | undefined, b: string | undefined) => process.env[a ?? b ?? ''] ?? m),
  fileglob: (v) => globFiles(pyStr(v)),
  to_uuid: (v, pos, kw) => {
    const ns = arg(pos, kw, 0, 'namespace', ANSIBLE_UUID_NAMESPACE);
    // uuid.UUID(namespace): braces, a urn:uuid: prefix and hyphens are dropped, 32 hex digits remain
    const hex = typeof ns === 'string' ? ns.replace(/^urn:uuid:/, '').replace(/[{}-]/g, '') : '';
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
      const why = typeof ns === 'string' ? 'badly formed hexadecimal UUID string' : `'${typeName(ns)}' object has no attribute 'replace'`;
      throw new TemplateError(`Invalid value '${pyStr(ns)}' for 'namespace': ${why}`);
    }
    return uuid5(hex.toLowerCase().replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'), pyStr(v));
  },
};
