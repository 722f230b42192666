// The same request with GNU wget (1.15 or newer: --method, --body-file), for hosts that
// have wget but no curl. wget takes no config on stdin, so the script reads its stdin into
// a private temporary directory (mktemp -d: mode 0700, removed on exit): a wgetrc with the
// headers and credentials (WGETRC), the URL (--input-file) and the body (--body-file).
// The response headers come from wget's --server-response log on stderr.
import { quote } from '../transport/quote.js';
import { followsRedirects, type HttpHop, type HttpOutcome, type HttpRequest } from './http-curl.js';

/** What wget cannot do that curl does: the caller fails the task with this. */
export function wgetCannot(req: HttpRequest): string | undefined {
  if (req.unixSocket) return 'unix_socket';
  if (req.ciphers?.length) return 'ciphers';
  return undefined;
}

/** A wgetrc value: one line, so a value with a line break cannot be sent this way. */
function rcValue(v: string): string {
  if (/[\r\n\0]/.test(v)) throw new Error('a value with a line break cannot go in a wgetrc');
  return v;
}

/** stdin for wgetScript(): the number of wgetrc lines, the wgetrc, the URL line, then the body. */
export function wgetInput(req: HttpRequest): string {
  const rc: string[] = ['tries = 1', 'server_response = on', 'content_on_error = on', `timeout = ${req.timeout}`, `method = ${rcValue(req.method)}`];
  const headers: Record<string, string> = { 'Accept-Encoding': 'identity', Connection: 'close', ...req.headers };
  for (const [k, v] of Object.entries(headers)) rc.push(`header = ${rcValue(`${k}: ${v}`)}`);
  rc.push(`user_agent = ${rcValue(req.httpAgent)}`);
  if (req.username !== undefined && req.username !== '') {
    rc.push(`http_user = ${rcValue(req.username)}`, `http_password = ${rcValue(req.password ?? '')}`);
    if (req.forceBasicAuth) rc.push('auth_no_challenge = on');
  }
  rc.push(`max_redirect = ${followsRedirects(req.followRedirects, req.method) ? 10 : 0}`);
  if (!req.validateCerts) rc.push('check_certificate = off');
  if (req.caPath) rc.push(`ca_certificate = ${rcValue(req.caPath)}`);
  if (req.clientCert) rc.push(`certificate = ${rcValue(req.clientCert)}`);
  if (req.clientKey) rc.push(`private_key = ${rcValue(req.clientKey)}`);
  if (!req.useProxy) rc.push('use_proxy = off');
  return `${rc.length}\n${rc.join('\n')}\n${rcValue(req.url)}\n${req.body ?? ''}`;
}

/** The wget twin of curlScript(): same marker blocks (head, meta, err, rc, body). */
export function wgetScript(o: { marker: string; hasBody: boolean; dest?: string }): string {
  const M = quote(o.marker);
  const lines = [
    'set -f',
    `blk() { printf '%s %s\\n' ${M} "$1"; cat "$2"; printf '\\n%s\\n' ${M}; }`,
    `val() { printf '%s %s\\n%s\\n%s\\n' ${M} "$1" "$2" ${M}; }`,
    "if ! command -v wget >/dev/null 2>&1; then val nocurl none; exit 0; fi",
    'T=$(mktemp -d 2>/dev/null || mktemp -d -t rackplay-uri) || exit 97',
    `trap 'rm -rf "$T"' EXIT`,
    'umask 077',
    // sh's read takes one byte at a time from a pipe, so the body after these lines stays whole
    'IFS= read -r n; i=0; while [ "$i" -lt "$n" ]; do IFS= read -r l; printf \'%s\\n\' "$l" >> "$T/rc"; i=$((i+1)); done',
    'IFS= read -r u; printf \'%s\\n\' "$u" > "$T/url"; cat > "$T/in"',
  ];
  let out = '"$T/body"';
  if (o.dest !== undefined) {
    const d = quote(o.dest);
    lines.push(`if [ -d ${d} ]; then _dir=${d}; val destdir 1; else _dir=$(dirname ${d}); fi`);
    lines.push(`B=$(mktemp "$_dir/.rackplay-uri.XXXXXX") || { val fail "Failed to create temporary content file in $_dir"; exit 0; }`, 'val tmp "$B"');
    out = '"$B"';
  }
  const body = o.hasBody ? ' --body-file="$T/in"' : '';
  lines.push(
    `WGETRC="$T/rc" wget --input-file="$T/url" -O ${out}${body} 2> "$T/err"`,
    'val rc $?',
    'blk err "$T/err"',
  );
  if (o.dest === undefined) lines.push('blk body "$T/body"');
  else lines.push('if [ "$(wc -c < "$B")" -le 1048576 ]; then blk body "$B"; fi');
  lines.push('val done 1');
  return lines.join('\n');
}

/** wget's exit status and log as curl's would read: the hops, the final URL, the failure. */
export function parseWgetLog(rc: number, log: string, url: string): HttpOutcome {
  const hops: HttpHop[] = [];
  let effectiveUrl = url;
  for (const line of log.split('\n')) {
    const fetching = /^--\d{4}-\d\d-\d\d \d\d:\d\d:\d\d--\s+(\S+)$/.exec(line);
    if (fetching) effectiveUrl = fetching[1];
    const status = /^ {2}HTTP\/[\d.]+\s+(\d{3})\s*(.*)$/.exec(line);
    if (status) {
      hops.push({ status: Number(status[1]), reason: status[2].trim(), headers: [] });
      continue;
    }
    const h = /^ {2}([^:\s]+):\s*(.*)$/.exec(line);
    if (h && hops.length) hops[hops.length - 1].headers.push([h[1].toLowerCase(), h[2].trim()]);
  }
  const code = hops.length ? hops[hops.length - 1].status : 0;
  // wget's exit statuses: 4 network, 5 TLS; 8 is an error status, which is still a response
  const curlRc = code ? 0 : rc === 5 ? 60 : rc === 4 && /Connection refused/.test(log) ? 7 : rc === 4 && /unable to resolve/i.test(log) ? 6 : rc;
  const errLine = log.split('\n').find((l) => /^ERROR|failed:|unable to/i.test(l.trim())) ?? '';
  const error = curlRc === 60 ? `SSL certificate problem: ${errLine.replace(/^ERROR:\s*/, '')}` : errLine.trim();
  return { rc: curlRc, error, hops, code, redirects: Math.max(hops.length - 1, 0), effectiveUrl };
}
