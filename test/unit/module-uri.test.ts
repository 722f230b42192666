// The pure parts of uri: the request (body encodings, headers, curl config), and what
// Ansible's module makes of a response (keys, msg, json, content, failures).
import { describe, expect, it } from 'vitest';
import { curlConfig, curlQuote, followsRedirects, markedBlocks, parseCurlOutcome, parseHeaderDump, type HttpOutcome } from '../../src/modules/http-curl.js';
import { parseWgetLog, wgetCannot, wgetInput } from '../../src/modules/http-wget.js';
import { absoluteLocation, contentType, pathInfo, requestFailure, responseFilename, uriVerdict } from '../../src/modules/uri-response.js';
import { formUrlencoded, pyJsonDumps, uriRequest, type UriArgs } from '../../src/modules/uri.js';

const defaults = {
  body_format: 'raw', method: 'GET', return_content: false, follow_redirects: 'safe', status_code: [200], timeout: 30, headers: {},
  remote_src: false, unredirected_headers: [], decompress: true, use_netrc: true, force: false, http_agent: 'ansible-httpget',
  use_proxy: true, validate_certs: true, force_basic_auth: false, use_gssapi: false,
} as const;
const args = (a: Partial<UriArgs> & { url: string }): UriArgs => ({ ...defaults, ...a }) as UriArgs;

describe('uri request', () => {
  it('encodes bodies as Ansible does and sets the content type unless given', () => {
    const json = uriRequest(args({ url: 'http://h/', method: 'post', body_format: 'json', body: { a: 1, b: ['x', 'é'] } }));
    expect(json.method).toBe('POST');
    expect(json.body).toBe('{"a": 1, "b": ["x", "\\u00e9"]}');
    expect(json.headers['Content-Type']).toBe('application/json');
    const own = uriRequest(args({ url: 'http://h/', body_format: 'json', body: '{"raw": true}', headers: { 'content-type': 'text/x' } }));
    expect(own.body).toBe('{"raw": true}');
    expect(own.headers).toEqual({ 'content-type': 'text/x' });
    const form = uriRequest(args({ url: 'http://h/', body_format: 'form-urlencoded', body: { a: '1 2', b: ['x', '&y'], c: null } }));
    expect(form.body).toBe('a=1+2&b=x&b=%26y');
    expect(form.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
  });

  it('refuses what Ansible refuses and what rackplay does not do', () => {
    expect(() => uriRequest(args({ url: 'http://h/', method: 'GET POST' }))).toThrow("Parameter 'method' needs to be a single word in uppercase, like GET or POST.");
    expect(() => uriRequest(args({ url: 'http://h/', body_format: 'form-multipart', body: {} }))).toThrow(/form-multipart/);
    expect(() => uriRequest(args({ url: 'http://h/', src: '/x' }))).toThrow(/src/);
  });

  it('form-encodes lists of pairs and leaves strings alone', () => {
    expect(formUrlencoded([['k', 'v w'], ['k', 'z']])).toBe('k=v+w&k=z');
    expect(formUrlencoded('already=encoded')).toBe('already=encoded');
    expect(pyJsonDumps({ t: true, n: null, s: 'a"b' })).toBe('{"t": true, "n": null, "s": "a\\"b"}');
  });

  it('puts secrets in the curl config, quoted, with the auth mode and redirect policy', () => {
    const req = uriRequest(args({ url: 'https://u:p@h/x', method: 'POST', body: 'a "b"\nc', url_username: 'me', url_password: 'pa"ss', validate_certs: false }));
    const cfg = curlConfig(req);
    expect(cfg).toContain('url = "https://u:p@h/x"');
    expect(cfg).toContain('data-binary = "a \\"b\\"\\nc"');
    expect(cfg).toContain('user = "me:pa\\"ss"\nanyauth');
    expect(cfg).toContain('header = "User-Agent: ansible-httpget"');
    expect(cfg).toContain('header = "Accept:"');
    expect(cfg).toContain('insecure');
    // safe: a POST is not redirected
    expect(cfg).not.toContain('location');
    const get = curlConfig({ ...req, forceBasicAuth: true, method: 'GET' });
    expect(get).toContain('\nbasic\n');
    expect(get).toContain('\nlocation\n');
    expect(curlQuote('a\\b\tc')).toBe('"a\\\\b\\tc"');
    expect(() => curlQuote('a\0b')).toThrow(/NUL/);
  });

  it('follows redirects by policy and method', () => {
    const table: [Parameters<typeof followsRedirects>[0], string, boolean][] = [
      ['safe', 'GET', true], ['safe', 'HEAD', true], ['safe', 'POST', false], ['all', 'PUT', true], ['yes', 'POST', true],
      ['none', 'GET', false], ['no', 'GET', false], ['urllib2', 'POST', true], ['urllib2', 'PUT', false],
    ];
    for (const [policy, method, follows] of table) expect(followsRedirects(policy, method), `${policy} ${method}`).toBe(follows);
  });
});

describe('uri response', () => {
  const hop = (status: number, reason: string, headers: [string, string][]) => ({ status, reason, headers });
  const outcome = (o: Partial<HttpOutcome>): HttpOutcome => ({ rc: 0, error: '', hops: [], code: 0, redirects: 0, effectiveUrl: '', ...o });
  const view = { url: 'http://h/a/b?q=1', statusCodes: [200], returnContent: false, body: '{"x": 1}', elapsed: 0 };

  it('reads curl header dumps hop by hop and the marker blocks', () => {
    const hops = parseHeaderDump('HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\nx-a: 2\r\n\r\n');
    expect(hops.map((h) => h.status)).toEqual([302, 200]);
    expect(hops[1].headers).toEqual([['content-type', 'text/plain'], ['x-a', '1'], ['x-a', '2']]);
    const blocks = markedBlocks('noise\n@@m rc\n0\n@@m\n@@m body\nline\n\n@@m\n@@m meta\n200 1 http://h/x\n@@m\n', '@@m');
    expect(blocks).toEqual({ rc: '0', body: 'line\n', meta: '200 1 http://h/x' });
    expect(parseCurlOutcome(blocks)).toMatchObject({ rc: 0, code: 200, redirects: 1, effectiveUrl: 'http://h/x' });
  });

  it('turns a JSON answer into Ansible keys, json and msg', () => {
    const o = outcome({ code: 200, effectiveUrl: 'http://h/c', hops: [hop(200, 'OK', [['content-type', 'application/json'], ['content-length', '8'], ['x-a-b', '1'], ['set-cookie', 'k=v; Path=/']])] });
    const { result, ok } = uriVerdict(o, view);
    expect(ok).toBe(true);
    expect(result).toMatchObject({ status: 200, msg: 'OK (8 bytes)', json: { x: 1 }, x_a_b: '1', content_type: 'application/json', url: 'http://h/c', redirected: true, cookies: { k: 'v' }, cookies_string: 'k=v', changed: false });
    expect(result.content).toBeUndefined();
  });

  it('fails a status not in status_code with urllib words, and keeps the body as content', () => {
    const o = outcome({ code: 404, effectiveUrl: 'http://h/a/b?q=1', hops: [hop(404, 'Not Found', [['content-type', 'text/plain']])] });
    const { result, ok } = uriVerdict(o, { ...view, body: 'gone\n', returnContent: true });
    expect(ok).toBe(false);
    expect(result).toMatchObject({ status: 404, msg: 'Status code was 404 and not [200]: HTTP Error 404: Not Found', content: 'gone\n', redirected: false });
    expect(result.cookies).toBeUndefined();
    // an error status that is expected keeps urllib's `body` when nothing reads the content
    expect(uriVerdict(o, { ...view, body: 'gone\n', statusCodes: [404] }).result).toMatchObject({ body: 'gone\n', msg: 'HTTP Error 404: Not Found' });
  });

  it('says why there was no response', () => {
    const refused = uriVerdict(outcome({ rc: 7, error: 'curl: (7) Failed to connect' }), view).result;
    expect(refused).toEqual({ changed: false, elapsed: 0, msg: 'Status code was -1 and not [200]: Request failed: <urlopen error [Errno 111] Connection refused>', redirected: false, status: -1, url: view.url });
    expect(requestFailure(60, 'curl: (60) SSL certificate problem: self-signed certificate\nMore details here')).toBe('Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate>');
  });

  it('makes Location absolute and names downloads as Ansible does', () => {
    // Ansible cuts the path out of the URL and keeps its query, as ansible-playbook shows
    expect(absoluteLocation('http://h:8/a/b?q', '/x')).toBe('http://h:8?q/x');
    expect(absoluteLocation('http://h:8/a/b', '/x')).toBe('http://h:8/x');
    expect(absoluteLocation('http://h/a/b', 'c')).toBe('http://h/a/c');
    expect(absoluteLocation('http://h/a', 'https://o/')).toBe('https://o/');
    expect(responseFilename('http://h/dl/some%20file.tgz?x=1', undefined)).toBe('some file.tgz');
    expect(responseFilename('http://h/', undefined)).toBe('index.html');
    expect(responseFilename('http://h/x', 'attachment; filename="n.txt"')).toBe('n.txt');
    expect(contentType('Application/Problem+JSON; charset=latin-1')).toEqual({ type: 'application/problem+json', sub: 'problem+json', charset: 'latin-1' });
    expect(contentType(undefined).type).toBe('text/plain');
  });

  it('reads the path info of a written dest', () => {
    expect(pathInfo('0 0 root root 600 1 14 regular file\n')).toEqual({ uid: 0, gid: 0, owner: 'root', group: 'root', mode: '0600', state: 'file', size: 14 });
    expect(pathInfo('1001 1001 UNKNOWN UNKNOWN 644 2 3 regular file')).toMatchObject({ owner: '1001', group: '1001', state: 'hard' });
    expect(pathInfo('')).toEqual({});
  });
});

describe('uri with wget', () => {
  it('puts the wgetrc, the URL and the body on stdin, counted', () => {
    const req = uriRequest(args({ url: 'http://u:p@h/x', method: 'POST', body: 'line1\nline2', url_username: 'me', url_password: 'pw', force_basic_auth: true, validate_certs: false }));
    const input = wgetInput(req);
    const [count, ...rest] = input.split('\n');
    const rc = rest.slice(0, Number(count));
    expect(rc).toContain('method = POST');
    expect(rc).toContain('header = Connection: close');
    expect(rc).toContain('http_password = pw');
    expect(rc).toContain('auth_no_challenge = on');
    expect(rc).toContain('check_certificate = off');
    expect(rc).toContain('max_redirect = 0');
    expect(rest.slice(Number(count)).join('\n')).toBe('http://u:p@h/x\nline1\nline2');
    expect(() => wgetInput({ ...req, headers: { X: 'a\nb' } })).toThrow(/line break/);
    expect(wgetCannot({ ...req, unixSocket: '/run/x.sock' })).toBe('unix_socket');
  });

  it('reads the hops, the final URL and the failures from its log', () => {
    const log = [
      '--2026-12-06 07:59:59--  http://h/redirect/302?to=/status/404',
      'HTTP request sent, awaiting response... ',
      '  HTTP/1.1 302 Found',
      '  Location: /status/404',
      'Location: /status/404 [following]',
      '--2026-12-06 07:59:59--  http://h/status/404',
      '  HTTP/1.1 404 Not Found',
      '  Content-Type: text/plain',
      '2026-12-06 07:59:59 ERROR 404: Not Found.',
    ].join('\n');
    expect(parseWgetLog(8, log, 'http://h/redirect/302?to=/status/404')).toEqual({
      rc: 0, error: '', code: 404, redirects: 1, effectiveUrl: 'http://h/status/404',
      hops: [{ status: 302, reason: 'Found', headers: [['location', '/status/404']] }, { status: 404, reason: 'Not Found', headers: [['content-type', 'text/plain']] }],
    });
    expect(parseWgetLog(4, 'Connecting to 127.0.0.1:1... failed: Connection refused.', 'http://127.0.0.1:1/').rc).toBe(7);
    const tls = parseWgetLog(5, "ERROR: The certificate of '127.0.0.1' is not trusted.", 'https://127.0.0.1/');
    expect(requestFailure(tls.rc, tls.error)).toBe("Request failed: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: The certificate of '127.0.0.1' is not trusted.>");
  });
});
