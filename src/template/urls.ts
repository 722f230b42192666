// Python's urllib.parse.urlsplit and unquote_plus, which Ansible's urlsplit/urldecode
// filters and uri/url/urn tests are built on: WHATWG URL parsing differs (it rejects
// relative references and normalises), so the split follows Python's rules instead.
import { TemplateError } from './errors.js';

export interface SplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

const SCHEME_CHARS = /^[A-Za-z][A-Za-z0-9+.-]*$/;

export function urlsplit(input: string): SplitUrl {
  // Python strips leading C0 controls and spaces, and drops tabs and newlines anywhere.
  let url = input.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  let query = '';
  let fragment = '';
  const colon = url.indexOf(':');
  if (colon > 0 && SCHEME_CHARS.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  if (url.startsWith('//')) {
    const rest = url.slice(2);
    const end = rest.search(/[/?#]/);
    netloc = end < 0 ? rest : rest.slice(0, end);
    url = end < 0 ? '' : rest.slice(end);
    if (netloc.includes('[') !== netloc.includes(']')) throw new TemplateError('Invalid IPv6 URL');
  }
  const hash = url.indexOf('#');
  if (hash >= 0) {
    fragment = url.slice(hash + 1);
    url = url.slice(0, hash);
  }
  const q = url.indexOf('?');
  if (q >= 0) {
    query = url.slice(q + 1);
    url = url.slice(0, q);
  }
  return { scheme, netloc, path: url, query, fragment };
}

function partition(s: string, sep: string): [string, boolean, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, false, ''] : [s.slice(0, i), true, s.slice(i + sep.length)];
}

function rpartitionAt(netloc: string): [string | undefined, string] {
  const i = netloc.lastIndexOf('@');
  return i < 0 ? [undefined, netloc] : [netloc.slice(0, i), netloc.slice(i + 1)];
}

/** Python's SplitResult attributes as Ansible's urlsplit filter returns them (its object_to_dict). */
export function urlsplitDict(input: string): Record<string, unknown> {
  const parts = urlsplit(input);
  const [userinfo, hostinfo] = rpartitionAt(parts.netloc);
  let username: string | null = null;
  let password: string | null = null;
  if (userinfo !== undefined) {
    const [u, hasPw, pw] = partition(userinfo, ':');
    username = u;
    password = hasPw ? pw : null;
  }
  const [, bracket, bracketed] = partition(hostinfo, '[');
  let host: string;
  let portText: string;
  if (bracket) {
    const [h, , after] = partition(bracketed, ']');
    host = h;
    portText = partition(after, ':')[2];
  } else {
    const [h, , p] = partition(hostinfo, ':');
    host = h;
    portText = p;
  }
  let port: number | null = null;
  if (portText !== '') {
    if (!/^[0-9]+$/.test(portText)) throw new TemplateError(`Port could not be cast to integer value as '${portText}'`);
    port = Number(portText);
    if (port > 65535) throw new TemplateError('Port out of range 0-65535');
  }
  // Keys in Python's dir() order, as Ansible builds the dict.
  return {
    fragment: parts.fragment,
    hostname: host ? host.toLowerCase() : null,
    netloc: parts.netloc,
    password,
    path: parts.path,
    port,
    query: parts.query,
    scheme: parts.scheme,
    username,
  };
}

/** Python's unquote_plus: '+' is a space, %XX sequences are UTF-8 bytes, bad ones stay as they are. */
export function unquotePlus(s: string): string {
  return s.replace(/\+/g, ' ').replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  });
}
