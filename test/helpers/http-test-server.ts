// An HTTP and an HTTPS server on 127.0.0.1 for the uri tests: JSON, text, an echo of the
// request, redirects, any status, basic auth, cookies, a named download and a document
// the test can change. The HTTPS certificate is self-signed, made here with openssl (for
// 127.0.0.1), so validate_certs fails against it unless the client is told to trust it.
// Lab hosts share this machine's network namespace, so they reach 127.0.0.1 too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BASIC_USER = 'labuser';
// a test value, not a secret: long, so that Ansible's no_log masking of it touches nothing else
export const BASIC_PASSWORD = 'rackplay-test-pass-7f3';

export interface TestServers {
  http: string;
  https: string;
  /** The self-signed certificate (PEM file), to trust it with ca_path. */
  certPath: string;
  /** What /doc serves; a test changes it to see dest change. */
  doc: { body: string };
  stop(): Promise<void>;
}

function handler(doc: { body: string }): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString();
      const send = (status: number, type: string, text: string, extra: Record<string, string | string[]> = {}) => {
        res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'X-Test-Header': 'yes', ...extra });
        res.end(req.method === 'HEAD' ? undefined : text);
      };
      const parts = url.pathname.split('/').filter(Boolean);
      switch (parts[0]) {
        case 'json':
          return send(200, 'application/json', JSON.stringify({ hello: 'world', n: [1, 2] }));
        case 'text':
          return send(200, 'text/plain; charset=utf-8', 'plain text\n');
        case 'echo':
          return send(200, 'application/json', JSON.stringify({ method: req.method, body, type: req.headers['content-type'] ?? null, agent: req.headers['user-agent'], custom: req.headers['x-custom'] ?? null, auth: req.headers.authorization ?? null }));
        case 'redirect':
          return send(Number(parts[1]), 'text/plain', 'moved\n', { Location: url.searchParams.get('to') ?? '/json' });
        case 'status':
          return send(Number(parts[1]), 'text/plain', `status ${parts[1]}\n`);
        case 'basic': {
          const want = `Basic ${Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64')}`;
          if (req.headers.authorization === want) return send(200, 'application/json', JSON.stringify({ user: BASIC_USER }));
          return send(401, 'text/plain', 'who are you\n', { 'WWW-Authenticate': 'Basic realm="lab"' });
        }
        case 'cookie':
          return send(200, 'text/plain', 'cookies\n', { 'Set-Cookie': ['flavor=oat; Path=/', 'size=big; Path=/'] });
        case 'download':
          return send(200, 'application/octet-stream', 'downloaded\n', { 'Content-Disposition': 'attachment; filename="named.txt"' });
        case 'doc':
          return send(200, 'text/plain', doc.body);
        default:
          return send(404, 'text/plain', 'not here\n');
      }
    });
  };
}

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startTestServers(host = '127.0.0.1'): Promise<TestServers> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-http-'));
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${host}`, '-addext', `subjectAltName=IP:${host}`], { stdio: 'ignore' });
  const doc = { body: 'first version\n' };
  const plain = http.createServer(handler(doc));
  const secure = https.createServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, handler(doc));
  const [p1, p2] = [await listen(plain, host), await listen(secure, host)];
  return {
    http: `http://${host}:${p1}`,
    https: `https://${host}:${p2}`,
    certPath,
    doc,
    async stop() {
      for (const s of [plain, secure]) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
