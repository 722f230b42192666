// One HTTP request made by the host's `curl`, as Python's urllib makes it for Ansible's
// uri module (same request headers, same redirect policy). Everything that may be secret
// (the URL with its userinfo, the credentials, the headers, the body) goes in a curl
// config on stdin (`--config -`), never in the host's argv; the script itself only holds
// paths. The response comes back between random marker lines, byte for byte: the header
// dump of every hop, the body (unless it goes to a file), and curl's own verdict.
import { randomBytes } from 'node:crypto';
import { quote } from '../transport/quote.js';

export type FollowRedirects = 'all' | 'yes' | 'safe' | 'none' | 'no' | 'urllib2';

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  username?: string;
  password?: string;
  forceBasicAuth: boolean;
  followRedirects: FollowRedirects;
  validateCerts: boolean;
  clientCert?: string;
  clientKey?: string;
  caPath?: string;
  /** Seconds, for connecting and for a stalled transfer (Python's socket timeout). */
  timeout: number;
  unixSocket?: string;
  httpAgent: string;
  useProxy: boolean;
  decompress: boolean;
  useNetrc: boolean;
  ciphers?: string[];
}

/** A value in curl's config syntax: double-quoted, with its backslash escapes. */
export function curlQuote(value: string): string {
  if (value.includes('\0')) throw new Error('cannot send a NUL byte in a curl config');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\v/g, '\\v')}"`;
}

/** Whether urllib, with Ansible's redirect handler, would follow a redirect of this method. */
export function followsRedirects(policy: FollowRedirects, method: string): boolean {
  if (policy === 'all' || policy === 'yes') return true;
  if (policy === 'safe') return method === 'GET' || method === 'HEAD';
  // urllib's own handler: GET and HEAD, and POST turned into a GET
  if (policy === 'urllib2') return method === 'GET' || method === 'HEAD' || method === 'POST';
  return false;
}

/** The curl config (stdin) for a request. */
export function curlConfig(req: HttpRequest): string {
  const lines: string[] = [`url = ${curlQuote(req.url)}`, `request = ${curlQuote(req.method)}`, 'silent', 'show-error'];
  if (req.method === 'HEAD') lines.push('head');
  // urllib's request headers: no Accept, Accept-Encoding: identity, Connection: close
  const headers: Record<string, string> = { Accept: '', 'Accept-Encoding': 'identity', Connection: 'close', 'User-Agent': req.httpAgent, ...req.headers };
  for (const [k, v] of Object.entries(headers)) lines.push(`header = ${curlQuote(v === '' ? `${k}:` : `${k}: ${v}`)}`);
  if (req.body !== undefined) lines.push(`data-binary = ${curlQuote(req.body)}`);
  if (req.username !== undefined && req.username !== '') {
    lines.push(`user = ${curlQuote(`${req.username}:${req.password ?? ''}`)}`);
    // urllib answers a 401 challenge; force_basic_auth sends the header up front
    lines.push(req.forceBasicAuth ? 'basic' : 'anyauth');
  } else if (req.useNetrc) {
    lines.push('netrc-optional');
  }
  if (followsRedirects(req.followRedirects, req.method)) lines.push('location', 'max-redirs = 10');
  if (!req.validateCerts) lines.push('insecure');
  if (req.clientCert) lines.push(`cert = ${curlQuote(req.clientCert)}`);
  if (req.clientKey) lines.push(`key = ${curlQuote(req.clientKey)}`);
  if (req.caPath) lines.push(`cacert = ${curlQuote(req.caPath)}`);
  if (req.unixSocket) lines.push(`unix-socket = ${curlQuote(req.unixSocket)}`);
  if (!req.useProxy) lines.push('noproxy = "*"');
  if (req.decompress) lines.push('compressed');
  if (req.ciphers?.length) lines.push(`ciphers = ${curlQuote(req.ciphers.join(':'))}`);
  lines.push(`connect-timeout = ${req.timeout}`, `speed-time = ${req.timeout}`, 'speed-limit = 1');
  return lines.join('\n') + '\n';
}

export interface CurlScriptOptions {
  marker: string;
  creates?: string;
  removes?: string;
  /** Keep the body in a file next to this path (uri's dest) instead of printing it. */
  dest?: string;
}

/**
 * The script: honours creates/removes, stops early without curl (naming wget when only it
 * is there), runs curl and prints its parts. With `dest`, the body is left in a
 * temporary file in the destination's directory, whose name it prints (`tmp`).
 */
export function curlScript(o: CurlScriptOptions): string {
  const M = quote(o.marker);
  const lines = [
    'set -f',
    `blk() { printf '%s %s\\n' ${M} "$1"; cat "$2"; printf '\\n%s\\n' ${M}; }`,
    `val() { printf '%s %s\\n%s\\n%s\\n' ${M} "$1" "$2" ${M}; }`,
  ];
  if (o.creates !== undefined) lines.push(`if [ -e ${quote(o.creates)} ]; then val skip creates; exit 0; fi`);
  if (o.removes !== undefined) lines.push(`if [ ! -e ${quote(o.removes)} ]; then val skip removes; exit 0; fi`);
  lines.push(`if ! command -v curl >/dev/null 2>&1; then if command -v wget >/dev/null 2>&1; then val nocurl wget; else val nocurl none; fi; exit 0; fi`);
  lines.push('T=$(mktemp -d 2>/dev/null || mktemp -d -t rackplay-uri) || exit 97', `trap 'rm -rf "$T"' EXIT`);
  let out = '"$T/body"';
  if (o.dest !== undefined) {
    const d = quote(o.dest);
    // the body waits next to its destination, so that the final move is a rename
    lines.push(`if [ -d ${d} ]; then _dir=${d}; val destdir 1; else _dir=$(dirname ${d}); fi`);
    lines.push(`B=$(mktemp "$_dir/.rackplay-uri.XXXXXX") || { val fail "Failed to create temporary content file in $_dir"; exit 0; }`, 'val tmp "$B"');
    out = '"$B"';
    // urllib sends If-Modified-Since with an existing dest's mtime
    lines.push(`if [ -f ${d} ]; then set -- -z ${d}; else set --; fi`);
  } else {
    lines.push('set --');
  }
  lines.push(
    `curl --config - -D "$T/head" -o ${out} -w '%{http_code} %{num_redirects} %{url_effective}' "$@" > "$T/meta" 2> "$T/err"`,
    'val rc $?',
    'blk head "$T/head"',
    'blk meta "$T/meta"',
    'blk err "$T/err"',
  );
  // a body bound for dest is read back only when small (json, return_content, a failure)
  if (o.dest === undefined) lines.push('blk body "$T/body"');
  else lines.push('if [ "$(wc -c < "$B")" -le 1048576 ]; then blk body "$B"; fi');
  lines.push('val done 1');
  return lines.join('\n');
}

/** The blocks the script printed: name → content (the last one wins). */
export function markedBlocks(stdout: string, marker: string): Record<string, string> {
  const out: Record<string, string> = {};
  const start = `${marker} `;
  const end = `\n${marker}\n`;
  let i = stdout.indexOf(start);
  while (i >= 0) {
    const nl = stdout.indexOf('\n', i);
    if (nl < 0) break;
    const name = stdout.slice(i + start.length, nl);
    const stop = stdout.indexOf(end, nl);
    if (stop < 0) break;
    out[name] = stdout.slice(nl + 1, stop);
    i = stdout.indexOf(start, stop + 1);
  }
  return out;
}

export function newMarker(): string {
  return `@@rackplay-${randomBytes(6).toString('hex')}`;
}

export interface HttpHop {
  status: number;
  reason: string;
  /** Header names lowercased, in order; a repeated header keeps each value. */
  headers: [string, string][];
}

/** curl's header dump (-D): one hop per status line. */
export function parseHeaderDump(text: string): HttpHop[] {
  const hops: HttpHop[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const status = /^HTTP\/[\d.]+\s+(\d{3})\s*(.*)$/.exec(raw);
    if (status) {
      hops.push({ status: Number(status[1]), reason: status[2].trim(), headers: [] });
      continue;
    }
    const h = /^([^:\s]+):\s*(.*)$/.exec(raw);
    if (h && hops.length) hops[hops.length - 1].headers.push([h[1].toLowerCase(), h[2].trim()]);
  }
  return hops;
}

export interface HttpOutcome {
  /** curl's exit status; 0 when it got a response, whatever its status code. */
  rc: number;
  error: string;
  hops: HttpHop[];
  /** The status of the last response, 0 without one. */
  code: number;
  redirects: number;
  effectiveUrl: string;
}

export function parseCurlOutcome(blocks: Record<string, string>): HttpOutcome {
  const [code = '0', redirects = '0', ...url] = (blocks.meta ?? '').trim().split(' ');
  return {
    rc: Number(blocks.rc ?? 1),
    error: (blocks.err ?? '').trim(),
    hops: parseHeaderDump(blocks.head ?? ''),
    code: Number(code) || 0,
    redirects: Number(redirects) || 0,
    effectiveUrl: url.join(' '),
  };
}
