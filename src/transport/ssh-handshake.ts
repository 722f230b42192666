// Opening one SSH connection: TCP or a jump host's forward, the ssh2 handshake with
// known_hosts checks, and authentication. Separate from the transport, which only uses it.
import { appendFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type AuthenticationType, type Client as SshClient, type ConnectConfig } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader exposes only its default export at run time.
const { Client, utils: sshUtils } = ssh2;
type Client = SshClient;
import { algorithmsForKeyType, checkHostKey, fingerprintSha256, keyTypeOfBlob, knownHostName, knownKeyTypes, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';
import type { SshSettings } from './ssh-settings.js';
import { UnreachableError } from './types.js';

/** Parsed known_hosts files by path, kept while their content is the same. */
const knownHostsCache = new Map<string, { text: string; entries: KnownHostEntry[] }>();

function loadKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue; // a missing known_hosts file is an empty one
    }
    // Re-read every time (a run may add keys), parsed again only when it changed.
    let hit = knownHostsCache.get(f);
    if (!hit || hit.text !== text) knownHostsCache.set(f, (hit = { text, entries: parseKnownHosts(text, f) }));
    entries.push(...hit.entries);
  }
  return entries;
}

function readKey(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

export function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connect to ${host} port ${port}: timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      // Without it each small exec request waits for a delayed ACK (~40 ms per command).
      sock.setNoDelay(true);
      sock.setKeepAlive(true, 30000);
      resolve(sock);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`connect to ${host} port ${port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
  });
}

export function handshake(s: SshSettings, sock: Duplex, label: string): Promise<Client> {
  const entries = loadKnownHosts(s.knownHostsFiles);
  const lookupHost = s.hostKeyAlias ?? s.host;
  const lookupPort = s.hostKeyAlias ? 22 : s.port;
  // Like OpenSSH, ask for the key types we already know for this host first.
  const preferred = knownKeyTypes(entries, lookupHost, lookupPort).flatMap(algorithmsForKeyType);
  const serverHostKey = [...preferred.filter((a) => s.algorithms.serverHostKey.includes(a)), ...s.algorithms.serverHostKey.filter((a) => !preferred.includes(a))];
  let hostKeyProblem: string | undefined;

  const hostVerifier = (key: Buffer): boolean => {
    const fp = fingerprintSha256(key);
    const name = knownHostName(lookupHost, lookupPort);
    const verdict = checkHostKey(entries, lookupHost, lookupPort, key);
    if (verdict.status === 'match') return true;
    if (verdict.status === 'revoked') {
      hostKeyProblem = `Host key ${fp} for ${name} is marked as revoked in ${verdict.entry.file}:${verdict.entry.line}`;
      return false;
    }
    if (s.strictHostKeyChecking === 'no') return true;
    if (verdict.status === 'mismatch') {
      hostKeyProblem = `Host key verification failed: the host key for ${name} has changed. The server offers ${fp}; ${verdict.entry.file}:${verdict.entry.line} has a different ${verdict.entry.keyType} key. Remove that line if the change is expected.`;
      return false;
    }
    const userFile = s.knownHostsFiles[0] ?? '~/.ssh/known_hosts';
    if (s.strictHostKeyChecking === 'accept-new') {
      try {
        appendFileSync(userFile, `${name} ${keyTypeOfBlob(key)} ${key.toString('base64')}\n`);
      } catch {
        /* OpenSSH also goes on when it cannot record the key */
      }
      return true;
    }
    hostKeyProblem = `Host key verification failed: no host key for ${name} is known in ${[...new Set(s.knownHostsFiles)].join(', ') || 'any known_hosts file'}. The server offers ${keyTypeOfBlob(key)} key ${fp}. Add it to ${userFile} (ssh-keyscan) or set host_key_checking = False.`;
    return false;
  };

  const methods = authMethods(s);
  const config: ConnectConfig = {
    sock: sock as ConnectConfig['sock'],
    username: s.user,
    readyTimeout: s.connectTimeoutMs,
    keepaliveInterval: s.keepaliveIntervalMs,
    keepaliveCountMax: s.keepaliveCountMax,
    algorithms: { kex: s.algorithms.kex, cipher: s.algorithms.cipher, serverHostKey: serverHostKey, hmac: s.algorithms.hmac } as ConnectConfig['algorithms'],
    hostVerifier,
    authHandler: (left, _partial, next) => {
      while (methods.length > 0) {
        const m = methods.shift()!;
        if (!left || left.includes(m.type as never)) return next(m as unknown as AuthenticationType);
      }
      return next(false as unknown as AuthenticationType);
    },
  };
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    client.once('ready', () => {
      settled = true;
      client.removeAllListeners('error');
      resolve(client);
    });
    client.on('error', (e: Error & { level?: string }) => {
      if (settled) return;
      settled = true;
      let msg = e.message;
      if (hostKeyProblem) msg = hostKeyProblem;
      else if (e.level === 'client-authentication') msg = authFailure(s);
      else if (/handshake|no matching/i.test(msg)) msg = `no common algorithm with the server (${msg}). For old servers set rackplay_legacy_algorithms: true`;
      client.end();
      reject(new UnreachableError(`Failed to connect to ${label} (${s.host}:${s.port}) via ssh: ${msg}`));
    });
    client.once('close', () => {
      if (settled) return;
      settled = true;
      reject(new UnreachableError(`Failed to connect to ${label} (${s.host}:${s.port}) via ssh: ${hostKeyProblem ?? 'connection closed during the handshake'}`));
    });
    client.connect(config);
  });
}

interface Auth {
  type: string;
  [k: string]: unknown;
}

function authMethods(s: SshSettings): Auth[] {
  const list: Auth[] = [];
  for (const f of s.identityFiles) {
    const key = readKey(f);
    // Encrypted keys need a passphrase we do not have: those are left to the agent.
    if (key && !(sshUtils.parseKey(key) instanceof Error)) list.push({ type: 'publickey', username: s.user, key } as unknown as Auth);
  }
  if (s.agent) list.push({ type: 'agent', username: s.user, agent: s.agent } as unknown as Auth);
  if (s.password !== undefined) {
    const password = s.password;
    list.push({ type: 'password', username: s.user, password } as unknown as Auth);
    list.push({
      type: 'keyboard-interactive',
      username: s.user,
      prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) => finish(prompts.map(() => password)),
    } as unknown as Auth);
  }
  return list;
}

function authFailure(s: SshSettings): string {
  const tried = authMethods(s).map((m) => m.type);
  const unreadable = s.identityFiles.filter((f) => !readKey(f));
  let msg = `Permission denied for ${s.user}@${s.host} (tried: ${[...new Set(tried)].join(', ') || 'nothing'})`;
  if (unreadable.length > 0 && unreadable.length === s.identityFiles.length && !s.agent && s.password === undefined) {
    msg += `; no key file could be read (${unreadable.join(', ')}), no SSH agent and no password`;
  }
  return msg;
}

export function forwardOut(via: Client, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, host, port, (err, ch) => (err ? reject(new Error(`the jump host could not open ${host}:${port}: ${err.message}`)) : resolve(ch)));
  });
}
