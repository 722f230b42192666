// ansible.builtin.uri with the host's `curl`: the request urllib would make for Ansible
// (method, body as raw, JSON or form-urlencoded, headers, basic auth, redirect policy,
// certificates, timeout, unix socket), and Ansible's result: status, every response
// header, json, content, msg, redirected, elapsed; dest writes the body to a file on the
// host. Credentials, headers and body reach curl as a config on stdin (http-curl.ts),
// never through the host's argv; a host with GNU wget and no curl gets the same request
// from wget (http-wget.ts). Ansible's uri does not support check mode: --check
// skips it. Not done: src / remote_src uploads, form-multipart, use_gssapi (say so).
//
//   - ansible.builtin.uri:
//       url: https://api.example.org/v1/deploys
//       method: POST
//       body_format: json
//       body: {version: "{{ app_version }}"}
//       status_code: [200, 201]
//       url_username: deploy
//       url_password: "{{ vault_api_password }}"
//       force_basic_auth: true
import type { FromSchema } from 'json-schema-to-ts';
import { formatMode } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import { resolveMode } from './file-common.js';
import { curlConfig, curlScript, markedBlocks, newMarker, parseCurlOutcome, type FollowRedirects, type HttpRequest } from './http-curl.js';
import { parseWgetLog, wgetCannot, wgetInput, wgetScript } from './http-wget.js';
import { pathInfo, pathInfoProbe, uriVerdict } from './uri-response.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    dest: { type: 'string' },
    url_username: { type: 'string' },
    url_password: { type: 'string' },
    body: {},
    body_format: { type: 'string', enum: ['form-urlencoded', 'json', 'raw', 'form-multipart'], default: 'raw' },
    src: { type: 'string' },
    method: { type: 'string', default: 'GET' },
    return_content: { type: 'boolean', default: false },
    follow_redirects: { type: 'string', enum: ['all', 'no', 'none', 'safe', 'urllib2', 'yes'], default: 'safe' },
    creates: { type: 'string' },
    removes: { type: 'string' },
    status_code: { type: 'array', items: { type: 'integer' }, default: [200] },
    timeout: { type: 'integer', default: 30 },
    headers: { type: 'object', default: {} },
    unix_socket: { type: 'string' },
    remote_src: { type: 'boolean', default: false },
    ca_path: { type: 'string' },
    unredirected_headers: { type: 'array', items: { type: 'string' }, default: [] },
    decompress: { type: 'boolean', default: true },
    ciphers: { type: 'array', items: { type: 'string' } },
    use_netrc: { type: 'boolean', default: true },
    force: { type: 'boolean', default: false },
    http_agent: { type: 'string', default: 'ansible-httpget' },
    use_proxy: { type: 'boolean', default: true },
    validate_certs: { type: 'boolean', default: true },
    force_basic_auth: { type: 'boolean', default: false },
    client_cert: { type: 'string' },
    client_key: { type: 'string' },
    use_gssapi: { type: 'boolean', default: false },
    mode: { type: ['string', 'integer'] },
    owner: { type: 'string' },
    group: { type: 'string' },
  },
  required: ['url'],
  additionalProperties: false,
} as const;

export type UriArgs = FromSchema<typeof schema>;

/** Python's str() of a value that goes into a form or a header. */
function pyText(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** urlencode(doseq=True) as Python writes it (quote_plus: spaces as +). */
function quotePlus(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*~]/g, (c) => (c === '~' ? c : `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).replace(/%20/g, '+');
}

/** Ansible's form_urlencoded(): a string stays, a mapping or a list of pairs is encoded. */
export function formUrlencoded(body: unknown): string {
  if (typeof body === 'string') return body;
  let pairs: [unknown, unknown][];
  if (Array.isArray(body)) pairs = body.map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, undefined]));
  else if (body && typeof body === 'object') pairs = Object.entries(body);
  else return pyText(body);
  const out: string[] = [];
  for (const [k, values] of pairs) {
    const list = typeof values === 'string' || values === null || typeof values !== 'object' ? [values] : Array.isArray(values) ? values : Object.keys(values);
    for (const v of list) if (v !== null && v !== undefined) out.push(`${quotePlus(pyText(k))}=${quotePlus(pyText(v))}`);
  }
  return out.join('&');
}

/** Python's json.dumps() spacing (", " and ": "), which servers see byte for byte. */
export function pyJsonDumps(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(pyJsonDumps).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyJsonDumps(x)}`).join(', ')}}`;
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(v);
}

/** The request a task asks for, with Ansible's body encoding and its refusals. */
export function uriRequest(args: UriArgs): HttpRequest {
  const method = args.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new ModuleFailure("Parameter 'method' needs to be a single word in uppercase, like GET or POST.");
  if (args.body !== undefined && args.src !== undefined) throw new ModuleFailure('parameters are mutually exclusive: body|src');
  if (args.src !== undefined) throw new ModuleFailure("uri: 'src' (uploading a file as the body) is not supported by rackplay");
  if (args.use_gssapi) throw new ModuleFailure("uri: 'use_gssapi' is not supported by rackplay");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.headers)) headers[k] = pyText(v);
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  let body: string | undefined;
  const format = args.body_format.toLowerCase();
  if (format === 'json') {
    body = typeof args.body === 'string' ? args.body : pyJsonDumps(args.body);
    if (!hasType) headers['Content-Type'] = 'application/json';
  } else if (format === 'form-urlencoded') {
    body = formUrlencoded(args.body);
    if (!hasType) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (format === 'form-multipart') {
    throw new ModuleFailure("uri: body_format 'form-multipart' is not supported by rackplay");
  } else if (args.body !== undefined && args.body !== null) {
    body = typeof args.body === 'string' ? args.body : pyJsonDumps(args.body);
  }
  if (body !== undefined && body.includes('\0')) throw new ModuleFailure('uri: a body with a NUL byte cannot be sent by rackplay');
  return {
    url: args.url,
    method,
    headers,
    body,
    username: args.url_username,
    password: args.url_password,
    forceBasicAuth: args.force_basic_auth,
    followRedirects: args.follow_redirects as FollowRedirects,
    validateCerts: args.validate_certs,
    clientCert: args.client_cert,
    clientKey: args.client_key,
    caPath: args.ca_path,
    timeout: args.timeout,
    unixSocket: args.unix_socket,
    httpAgent: args.http_agent,
    useProxy: args.use_proxy,
    decompress: args.decompress,
    useNetrc: args.use_netrc,
    ciphers: args.ciphers,
  };
}

/** chmod/chown for dest after a write (Ansible's file common arguments). */
function attrCommands(args: UriArgs, path: string): string[] {
  const p = quote(path);
  const cmds: string[] = [];
  if (args.owner) cmds.push(`chown ${quote(args.owner)} -- ${p}`);
  if (args.group) cmds.push(`chgrp ${quote(args.group)} -- ${p}`);
  if (args.mode !== undefined) cmds.push(`chmod ${formatMode(resolveMode(args.mode, 0o644, false)!)} -- ${p}`);
  return cmds;
}

/** Moves the body into place (when it differs) or drops it; then dest's path info. */
async function finishDest(args: UriArgs, ctx: RunContext, tmp: string, path: string, write: boolean): Promise<Record<string, unknown>> {
  const t = quote(tmp);
  const p = quote(path);
  // atomic_move: a new file gets the umask's mode, an existing one keeps its mode and owner
  const keep = `if [ -e ${p} ]; then chmod "$(stat -c %a -- ${p})" ${t} && { chown "$(stat -c %u:%g -- ${p})" ${t} 2>/dev/null || :; }; else chmod "$(printf %o $((0666 & ~0$(umask))))" ${t}; fi`;
  const move = `{ cmp -s ${t} ${p} && rm -f ${t} || { ${keep} && mv -f ${t} ${p}; }; }`;
  const cmd = write ? [move, ...attrCommands(args, path)].join(' && ') : `rm -f ${t}`;
  const r = await ctx.exec(`${cmd}; rc=$?; ${pathInfoProbe(p)}; exit $rc`);
  if (r.rc !== 0) {
    await ctx.exec(`rm -f ${t}`);
    throw new ModuleFailure(`failed to copy ${tmp} to ${path}: ${r.stderr.trim()}`);
  }
  return pathInfo(r.stdout);
}

async function runUri(args: UriArgs, ctx: RunContext): Promise<ModuleResult> {
  const req = uriRequest(args);
  const marker = newMarker();
  const script = curlScript({ marker, creates: args.creates, removes: args.removes, dest: args.dest });
  const start = Date.now();
  let r = await ctx.exec(script, { stdin: curlConfig(req) });
  let blocks = markedBlocks(r.stdout, marker);
  let wget = false;
  if (blocks.nocurl === 'wget') {
    // a host without curl pays one more round trip, to send wget its own input
    const cannot = wgetCannot(req);
    if (cannot) throw new ModuleFailure(`uri: the host ${ctx.host} has no curl, and wget cannot do '${cannot}'`, { elapsed: 0 });
    wget = true;
    r = await ctx.exec(wgetScript({ marker, hasBody: req.body !== undefined, dest: args.dest }), { stdin: wgetInput(req) });
    blocks = markedBlocks(r.stdout, marker);
  }
  const elapsed = Math.floor((Date.now() - start) / 1000);
  if (blocks.nocurl) throw new ModuleFailure(`uri needs curl (or GNU wget) on the host ${ctx.host}, and it has neither: install curl there`, { elapsed: 0 });
  if (blocks.skip === 'creates') return { changed: false, stdout: `skipped, since '${args.creates}' exists`, stdout_lines: [`skipped, since '${args.creates}' exists`] };
  if (blocks.skip === 'removes') return { changed: false, stdout: `skipped, since '${args.removes}' does not exist`, stdout_lines: [`skipped, since '${args.removes}' does not exist`] };
  if (blocks.fail) throw new ModuleFailure(blocks.fail, { elapsed });
  if (blocks.done === undefined) throw new ModuleFailure(`uri: the request script on ${ctx.host} failed (rc=${r.rc}): ${r.stderr.trim()}`, { rc: r.rc });
  const outcome = wget ? parseWgetLog(Number(blocks.rc ?? 1), blocks.err ?? '', req.url) : parseCurlOutcome(blocks);
  const v = uriVerdict(outcome, { url: args.url, statusCodes: args.status_code, returnContent: args.return_content, body: blocks.body, elapsed });
  const result: ModuleResult = { ...v.result, changed: false };
  if (blocks.tmp !== undefined && args.dest !== undefined) {
    const path = blocks.destdir ? `${args.dest.replace(/\/+$/, '')}/${v.filename}` : args.dest;
    const write = v.responded && v.ok && result.status !== 304;
    const info = await finishDest(args, ctx, blocks.tmp, path, write);
    if (write) result.changed = true;
    if (v.responded) Object.assign(result, { path }, info);
  }
  if (!v.ok) throw new ModuleFailure(String(result.msg), { ...result, changed: false });
  return result;
}

export const uriModule = defineModule<UriArgs>({
  name: 'uri',
  summary: "Make an HTTP(S) request from the host with its curl, with Ansible's uri results",
  schema,
  argAliases: { user: 'url_username', password: 'url_password', thirsty: 'force' },
  checkMode: 'skip',
  // uri has an action plugin of its own, which names the module it would run
  checkSkipMessage: () => 'remote module (ansible.legacy.uri) does not support check mode',
  run: runUri,
});
