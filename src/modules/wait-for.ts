// ansible.builtin.wait_for: waits for a port to open/close/drain or a file to appear,
// disappear or contain a pattern, as seen from the target host.
//
// The loop runs on the controller, one exec per attempt, rather than as one long
// remote shell loop: the controller keeps exact time for timeout/delay/sleep, the run
// can be interrupted between attempts (ctx.sleep), progress shows while waiting, and
// search_regex is matched with a JavaScript regex (Python's syntax translated) instead of
// grep -E, whose dialect differs on old hosts. An attempt is a few milliseconds on the
// already open connection. Ports are tested with bash's /dev/tcp when bash exists, else
// nc; a watchdog bounds the connect by connect_timeout since SL4 has no `timeout`.
//
//   - name: Wait for sshd on the rebuilt guest
//     ansible.builtin.wait_for:
//       host: 10.0.0.12
//       port: 22
//       search_regex: OpenSSH
//       timeout: 600
import type { FromSchema } from 'json-schema-to-ts';
import { quote } from '../transport/quote.js';
import { newNonce } from './command-runner.js';
import { defineModule, ModuleFailure, type ModuleResult, type RunContext } from './types.js';

type WaitState = 'started' | 'stopped' | 'present' | 'absent' | 'drained';

export type WaitForArgs = FromSchema<typeof schema>;

const TCP_STATE_IDS: Record<string, string> = {
  ESTABLISHED: '01',
  SYN_SENT: '02',
  SYN_RECV: '03',
  FIN_WAIT1: '04',
  FIN_WAIT2: '05',
  TIME_WAIT: '06',
};

/** Translate a Python `re` pattern to a JavaScript RegExp (MULTILINE, as wait_for compiles it). */
export function pythonRegex(pattern: string): RegExp {
  const js = pattern
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/\\Z/g, '$(?![\\s\\S])')
    .replace(/\\A/g, '^(?<![\\s\\S])');
  return new RegExp(js, 'm');
}

/** Python's match.groups() and groupdict() of the first match, or undefined. */
export function searchGroups(re: RegExp, text: string): { groups: (string | null)[]; groupdict: Record<string, string | null> } | undefined {
  const m = re.exec(text);
  if (!m) return undefined;
  const groups = m.slice(1).map((g) => (g === undefined ? null : g));
  const groupdict: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) groupdict[k] = v === undefined ? null : v;
  return { groups, groupdict };
}

function hexToIpv4(hex: string): string {
  const n = parseInt(hex, 16);
  // /proc/net/tcp prints the address in host (little-endian) byte order.
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

/**
 * Count connections on local `port` in the given states from /proc/net/tcp(6) text,
 * ignoring peers in `exclude` (IPv4 text addresses), as wait_for's drained state does.
 */
export function countActiveConnections(procNetTcp: string, port: number, states: string[], exclude: string[] = []): number {
  const wanted = new Set(states.map((s) => TCP_STATE_IDS[s]).filter(Boolean));
  let count = 0;
  for (const line of procNetTcp.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !/^\d+:$/.test(f[0])) continue;
    const [, local, remote, st] = f;
    const localPort = parseInt(local.split(':')[1], 16);
    if (localPort !== port || !wanted.has(st)) continue;
    const remoteHex = remote.split(':')[0];
    if (remoteHex.length === 8 && exclude.includes(hexToIpv4(remoteHex))) continue;
    if (remoteHex.length === 32 && remoteHex.startsWith('0000000000000000FFFF0000')) {
      if (exclude.includes(hexToIpv4(remoteHex.slice(24)))) continue;
    }
    count++;
  }
  return count;
}

/**
 * One attempt to reach host:port from the target. Prints what the server sent (when
 * `read`) and ends with `<nonce>:<rc>`; rc 0 means connected.
 */
export function portProbeScript(host: string, port: number, watchSeconds: number, read: boolean, nonce: string): string {
  const bashBody = read
    ? 'exec 3<>"/dev/tcp/$0/$1" || exit 1; while IFS= read -r -t 1 l <&3; do printf "%s\\n" "$l"; done; printf "%s" "$l"; exit 0'
    : 'exec 3<>"/dev/tcp/$0/$1" || exit 1; exit 0';
  const ncCmd = read ? `nc -w 1 "$h" "$p" </dev/null` : `nc -z -w ${watchSeconds} "$h" "$p" </dev/null >/dev/null`;
  return [
    `h=${quote(host)}; p=${quote(port)}`,
    'if command -v bash >/dev/null 2>&1; then',
    `  bash -c ${quote(bashBody)} "$h" "$p" 2>/dev/null &`,
    'elif command -v nc >/dev/null 2>&1; then',
    `  ${ncCmd} 2>/dev/null &`,
    `else printf '%s\\n' ${quote(`${nonce}:notool`)}; exit 0; fi`,
    'pid=$!',
    `( sleep ${watchSeconds}; kill $pid ) </dev/null >/dev/null 2>&1 &`,
    'w=$!',
    'wait $pid; rc=$?',
    'kill $w 2>/dev/null',
    `printf '\\n%s:%s\\n' ${quote(nonce)} "$rc"`,
  ].join('\n');
}

/** Split a port probe's stdout into the server's data and the connect status. */
export function readPortProbe(stdout: string, nonce: string): { notool: boolean; connected: boolean; data: string } {
  if (stdout.startsWith(`${nonce}:notool`)) return { notool: true, connected: false, data: '' };
  const at = stdout.lastIndexOf(`\n${nonce}:`);
  if (at < 0) return { notool: false, connected: false, data: '' };
  const rc = Number(stdout.slice(at + nonce.length + 2).trim());
  return { notool: false, connected: rc === 0, data: stdout.slice(0, at) };
}

function pathProbeScript(path: string, readContent: boolean, nonce: string): string {
  const p = quote(path);
  return `if [ -e ${p} ]; then printf '%s\\n' ${quote(`${nonce}:present`)};${readContent ? ` cat ${p} 2>/dev/null;` : ''} else printf '%s\\n' ${quote(`${nonce}:absent`)}; fi`;
}

/** The word the batched first check prints its outcome with: it is read from its own length-framed output, so no nonce is needed. */
const GUARD_TAG = 'wait_for';

/**
 * A file already there needs no wait: the first check of `path` for started/present
 * (without a delay, which would put it later) is read-only, so it goes out with the
 * batched probes around it, and a no-op run spends no exec of its own on it.
 */
function waitForGuard(args: WaitForArgs): string | undefined {
  if (!args.path || args.port || args.delay || (args.state !== 'started' && args.state !== 'present')) return undefined;
  return pathProbeScript(args.path, args.search_regex !== undefined, GUARD_TAG);
}

async function runWaitFor(args: WaitForArgs, ctx: RunContext): Promise<ModuleResult> {
  const { host, port, path, state, search_regex: searchRegex, msg } = args;
  const fail = (text: string, elapsed = 0): never => {
    throw new ModuleFailure(text, { elapsed });
  };
  if (port && path) return fail('port and path parameter can not both be passed to wait_for');
  if (path && state === 'stopped') return fail('state=stopped should only be used for checking a port in the wait_for module');
  if (path && state === 'drained') return fail('state=drained should only be used for checking a port in the wait_for module');
  if (args.exclude_hosts && state !== 'drained') return fail('exclude_hosts should only be with state=drained');
  for (const s of args.active_connection_states) {
    if (!TCP_STATE_IDS[s]) return fail(`unknown active_connection_state (${s}) defined`);
  }
  let re: RegExp | undefined;
  if (searchRegex !== undefined) {
    try {
      re = pythonRegex(searchRegex);
    } catch (e) {
      return fail(`invalid search_regex ${searchRegex}: ${(e as Error).message}`);
    }
  }

  const start = Date.now();
  const elapsed = () => Math.floor((Date.now() - start) / 1000);
  if (args.delay) await ctx.sleep(args.delay * 1000);
  const end = start + args.timeout * 1000;
  let matchGroups: (string | null)[] = [];
  let matchGroupdict: Record<string, string | null> = {};

  const done = (): ModuleResult => ({
    changed: false,
    state,
    port: port ?? null,
    search_regex: searchRegex ?? null,
    match_groups: matchGroups,
    match_groupdict: matchGroupdict,
    path: path ?? null,
    elapsed: elapsed(),
  });

  if (!port && !path && state !== 'drained') {
    // Ansible sleeps the whole timeout after the delay: nothing to wait for, only time
    await ctx.sleep(args.timeout * 1000);
    return done();
  }

  const where = port ? `${host}:${port}` : path!;
  let first = true;
  while (Date.now() < end) {
    const remaining = Math.max(1, Math.ceil((end - Date.now()) / 1000));
    ctx.progress(`waiting for ${where} (${state}), ${remaining}s left`);
    const nonce = newNonce();
    if (state === 'drained') {
      const res = await ctx.exec('cat /proc/net/tcp /proc/net/tcp6 2>/dev/null', { timeoutMs: 30_000 });
      if (countActiveConnections(res.stdout, port ?? 0, args.active_connection_states, args.exclude_hosts) === 0) return done();
    } else if (port) {
      const read = re !== undefined && (state === 'started' || state === 'present');
      const watch = Math.min(read ? args.connect_timeout + 10 : args.connect_timeout, remaining);
      const res = await ctx.exec(portProbeScript(host, port, watch, read, nonce), { timeoutMs: (watch + 15) * 1000 });
      const probe = readPortProbe(res.stdout, nonce);
      if (probe.notool) return fail('wait_for needs bash (for /dev/tcp) or nc on the host to test a port', elapsed());
      if (state === 'stopped' || state === 'absent') {
        if (!probe.connected) return done();
      } else if (probe.connected) {
        if (!re) return done();
        const m = searchGroups(re, probe.data);
        if (m) {
          matchGroups = m.groups;
          matchGroupdict = m.groupdict;
          return done();
        }
      }
    } else {
      const wantContent = re !== undefined && (state === 'started' || state === 'present');
      const guard = first ? waitForGuard(args) : undefined;
      const batched = guard !== undefined ? await ctx.batchedGuard?.(guard) : undefined;
      const tag = batched ? GUARD_TAG : nonce;
      const res = batched ?? (await ctx.exec(pathProbeScript(path!, wantContent, nonce), { timeoutMs: 60_000 }));
      first = false;
      const present = res.stdout.startsWith(`${tag}:present`);
      if (state === 'absent') {
        if (!present && res.stdout.startsWith(`${tag}:absent`)) return done();
      } else if (present) {
        if (!re) return done();
        const content = res.stdout.slice(res.stdout.indexOf('\n') + 1);
        const m = searchGroups(re, content);
        if (m) {
          matchGroups = m.groups;
          matchGroupdict = m.groupdict;
          return done();
        }
      }
    }
    const pause = Math.min(args.sleep * 1000, end - Date.now());
    if (pause > 0) await ctx.sleep(pause);
  }

  if (state === 'drained') return fail(msg ?? `Timeout when waiting for ${host}:${port} to drain`, elapsed());
  if (state === 'stopped' || state === 'absent') {
    return fail(msg ?? (port ? `Timeout when waiting for ${host}:${port} to stop.` : `Timeout when waiting for ${path} to be absent.`), elapsed());
  }
  if (port) {
    return fail(msg ?? (searchRegex !== undefined ? `Timeout when waiting for search string ${searchRegex} in ${host}:${port}` : `Timeout when waiting for ${host}:${port}`), elapsed());
  }
  return fail(msg ?? (searchRegex !== undefined ? `Timeout when waiting for search string ${searchRegex} in ${path}` : `Timeout when waiting for file ${path}`), elapsed());
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    path: { type: 'string' },
    state: { type: 'string', enum: ['started', 'stopped', 'present', 'absent', 'drained'], default: 'started' },
    search_regex: { type: 'string' },
    timeout: { type: 'integer', minimum: 0, default: 300 },
    delay: { type: 'integer', minimum: 0, default: 0 },
    sleep: { type: 'integer', minimum: 0, default: 1 },
    connect_timeout: { type: 'integer', minimum: 1, default: 5 },
    msg: { type: 'string' },
    active_connection_states: {
      type: 'array',
      items: { type: 'string' },
      default: ['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT'],
    },
    exclude_hosts: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const waitForModule = defineModule<WaitForArgs>({
  name: 'wait_for',
  summary: 'Wait for a port or a file to reach a state',
  checkMode: 'skip',
  schema,
  run: runWaitFor,
  guard: waitForGuard,
});
