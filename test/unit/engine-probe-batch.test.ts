// The batch framing against real shells: each probe's stdout bytes, stderr and rc come
// back exactly as if it had run alone, whatever the files it reads hold and whatever
// another process knows or writes meanwhile; and the cache serves a result only while
// nothing else ran on the host.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchScript, probeKey, ProbeCache, runProbeBatch, SharedProbes, splitBatchOutput, watchWrites, WriteCount } from '../../src/engine/probe-batch.js';
import { LocalTransport } from '../../src/transport/local.js';
import { READ_ALL } from '../../src/transport/stdin-script.js';
import type { ExecResult, Transport } from '../../src/transport/types.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-probe-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROBES = [
  // binary output without a trailing newline, with bytes that look like framing
  `printf 'a\\000b\\n\\nRPBdeadbeef 1 0\\n\\377'`,
  // stderr and a non-zero rc from exit
  `echo out; echo err >&2; exit 3`,
  // a heredoc ending the script, and set -e confined to its subshell
  `set -e\ncat <<'EOF'\nline one\nEOF`,
  // empty output
  `true`,
  // a probe that reads stdin gets nothing (and does not eat what follows)
  `cat; echo "rc=$?"`,
  // a file with a forged header and size line in it
  `cat ${path.join(dir, 'forged')}`,
];

// What the batch runs under: the host's /bin/sh (dash here) and bash in POSIX mode (SL4's
// /bin/sh is bash), each given the script on stdin as the transports send it.
const SHELLS: [string, string[]][] = [
  ['dash', ['dash', '-c', READ_ALL]],
  ['bash --posix', ['bash', '--posix', '-c', READ_ALL]],
];
const runIn = (argv: string[], script: string): ExecResult => {
  const r = spawnSync(argv[0], argv.slice(1), { input: script, maxBuffer: 64 << 20 });
  return { rc: r.status ?? -1, stdout: r.stdout.toString('utf8'), stdoutBytes: r.stdout, stderr: r.stderr.toString('utf8') };
};

describe.each(SHELLS)('probe batch framing under %s', (_name, argv) => {
  it('splits one exec into the results each probe gives on its own', () => {
    writeFileSync(path.join(dir, 'forged'), `x\nrackplay-batch 0 0\n      5 o0\ny\0\xff`);
    const alone = PROBES.map((p) => runIn(argv, p));
    const split = splitBatchOutput(runIn(argv, batchScript(PROBES)), PROBES.length);
    expect(split).toHaveLength(PROBES.length);
    for (let i = 0; i < PROBES.length; i++) {
      const r = split[i]!;
      expect(r, `probe ${i}`).toBeDefined();
      expect(r.stdoutBytes.equals(alone[i].stdoutBytes), `probe ${i} stdout`).toBe(true);
      expect(r.stderr).toBe(alone[i].stderr);
      expect(r.rc).toBe(alone[i].rc);
    }
    expect(split[1]!.rc).toBe(3);
  });

  it('cannot be forged by a probe that knows every argv on the host and prints frames of both kinds', async () => {
    // The attacker's view: every command line of every process, as any user reads them.
    // It prints frames built from whatever token it finds there, old-style nonce markers
    // and this batch's header and wc lines, claiming probe 1 said "forged".
    const attacker = [
      `for f in /proc/[0-9]*/cmdline; do tr '\\000' '\\n' < "$f" 2>/dev/null; done | grep -o 'RPB[0-9a-f]*' | sort -u | while read n; do printf '\\n%s 0 0\\nforged\\n%s 1 0\\n' "$n" "$n"; done`,
      `printf 'rackplay-batch 0 0\\n      6 o0\\n      0 e0\\n      7 o1\\n      0 e1\\n     13 total\\nforgedforged\\n'`,
    ].join('\n');
    const probes = [attacker, 'echo real', `cat ${path.join(dir, 'forged')}`];
    // Through the transport, which decides what shows in argv; then the same script under this shell.
    const viaTransport = splitBatchOutput(await new LocalTransport('local').exec(batchScript(probes)), probes.length);
    expect(viaTransport[1]?.stdout).toBe('real\n');
    const split = splitBatchOutput(runIn(argv, batchScript(probes)), probes.length);
    expect(split[1]?.stdout).toBe('real\n');
    expect(split[2]?.stdoutBytes.equals(readFileSync(path.join(dir, 'forged')))).toBe(true);
  });

  it('carries NULs, invalid UTF-8 and a 10 MB file byte for byte, while another process keeps appending frames', async () => {
    const big = path.join(dir, 'big');
    const chunk = Buffer.concat([Buffer.from('\nrackplay-batch 0\n 1 o0\n'), Buffer.from([0, 0xff, 0xfe, 0x0a, 0xc3])]);
    writeFileSync(big, Buffer.concat(Array.from({ length: Math.ceil((10 << 20) / chunk.length) }, () => chunk)));
    const before = readFileSync(big);
    const log = path.join(dir, 'shared.log');
    writeFileSync(log, 'start\n');
    // A writer that appends fake frames to a file a probe reads, for as long as the batch runs.
    const writer = spawn('sh', ['-c', `while :; do printf '\\nrackplay-batch 0 0\\n 99 o1\\n' >> ${log}; done`]);
    try {
      const probes = [`cat ${big}`, `cat ${log} >/dev/null; echo after`, `head -c 5 ${log}`];
      const split = splitBatchOutput(runIn(argv, batchScript(probes)), probes.length);
      expect(split[0]?.stdoutBytes.equals(before)).toBe(true);
      expect(split[1]?.stdout).toBe('after\n');
      expect(split[2]?.stdout).toBe('start');
    } finally {
      writer.kill('SIGKILL');
    }
  });
});

describe('probe batch', () => {
  it('runs a probe sent twice once, and gives each request its own copy of the result', async () => {
    const t = new LocalTransport('local');
    const counter = path.join(dir, 'runs');
    writeFileSync(counter, '');
    const count = `echo x >> ${counter}; wc -l < ${counter}`;
    const split = await runProbeBatch(t, [count, 'echo other', count, count], {});
    expect(t.stats.execs).toBe(1);
    expect(readFileSync(counter, 'utf8')).toBe('x\n');
    expect(split.map((r) => r?.stdout.trim())).toEqual(['1', 'other', '1', '1']);
    expect(split[0]).not.toBe(split[2]);
  });

  it('defines a prelude shared by several probes once, and each probe still sees it', async () => {
    const t = new LocalTransport('local');
    const prelude = 'greet() { echo "hi $1"; }';
    const probes = [`${prelude}\ngreet a`, 'echo plain', `${prelude}\ngreet b; exit 4`];
    const script = batchScript(probes, prelude);
    expect(script.split(prelude)).toHaveLength(2);
    const split = splitBatchOutput(await t.exec(script), probes.length);
    expect(split.map((r) => [r?.stdout, r?.rc])).toEqual([['hi a\n', 0], ['plain\n', 0], ['hi b\n', 4]]);
  });

  it('gives up whole when the batch is cut short, so each task probes on its own, and leaves no directory behind', async () => {
    const t = new LocalTransport('local');
    const tmp = mkdtempSync(path.join(dir, 'tmp-'));
    const out = await t.exec(batchScript(['echo one', 'kill -9 $$', 'echo three']), { env: { TMPDIR: tmp } });
    expect(splitBatchOutput(out, 3)).toEqual([undefined, undefined, undefined]);
    const ok = await t.exec(batchScript(['echo one']), { env: { TMPDIR: tmp } });
    expect(splitBatchOutput(ok, 1)[0]?.stdout).toBe('one\n');
    // the killed batch could not clean up; the finished one did
    expect(readdirSync(tmp)).toHaveLength(1);
  });
});

describe('probe cache', () => {
  const result = { rc: 0, stdout: 'x', stderr: '', stdoutBytes: Buffer.from('x') };

  it('serves a result once, for the same probe only, while nothing was written', async () => {
    const writes = new WriteCount();
    const t = watchWrites(new LocalTransport('local'), writes);
    await t.exec('true');
    const cache = new ProbeCache(writes);
    const key = probeKey('stat /x', undefined, undefined);
    cache.store(
      t,
      [
        { uid: 'a', key, result },
        { uid: 'b', key, result },
        { uid: 'c', key, result },
      ],
      writes.n,
    );
    expect(cache.take('a', probeKey('stat /y', undefined, undefined), t)).toBeUndefined();
    expect(cache.take('b', probeKey('stat /x', { user: 'root', method: 'sudo' }, undefined), t)).toBeUndefined();
    expect(cache.take('c', key, t)).toBe(result);
    expect(cache.take('c', key, t)).toBeUndefined();
  });

  it('keys a probe by a digest of its script: equal only for the same bytes, and short however long the script', () => {
    const long = `${'x'.repeat(10_000)}\nstat /x`;
    const key = probeKey(long, undefined, undefined);
    expect(key).toBe(probeKey(`${'x'.repeat(10_000)}\nstat /x`, undefined, undefined));
    expect(key).not.toBe(probeKey(`${'x'.repeat(10_000)}\nstat /y`, undefined, undefined));
    expect(key).not.toBe(probeKey(long, undefined, { LANG: 'C' }));
    expect(key.length).toBeLessThan(100);
  });

  it('drops everything after a write on any connection of the run (hosts may share a machine or a filesystem), but not after a probe', async () => {
    const writes = new WriteCount();
    const alpha = watchWrites(new LocalTransport('alpha'), writes);
    const beta = watchWrites(new LocalTransport('beta'), writes);
    const cache = new ProbeCache(writes);
    const key = probeKey('p', undefined, undefined);
    const save = () => cache.store(alpha, [{ uid: 'a', key, result }, { uid: 'b', key, result }], writes.n);
    save();
    // a probe anywhere, a batch or one on its own, only reads
    await beta.exec('true', { readOnly: true });
    await alpha.exec('true', { readOnly: true });
    expect(cache.take('a', key, alpha)).toBe(result);
    // another host's task writes: alpha's saved results go
    await beta.exec('true');
    expect(cache.take('b', key, alpha)).toBeUndefined();
    save();
    await beta.put(path.join(dir, 'changed'), Buffer.from('new'));
    expect(cache.take('a', key, alpha)).toBeUndefined();
    save();
    // another connection to the same host (a reconnect) sees none of them
    expect(cache.take('a', key, watchWrites(new LocalTransport('alpha'), writes))).toBeUndefined();
    expect(cache.take('b', key, alpha)).toBeUndefined();
    // a write while the batch ran: its results are not kept
    const mark = writes.n;
    await beta.exec('true');
    cache.store(alpha, [{ uid: 'a', key, result }], mark);
    expect(cache.take('a', key, alpha)).toBeUndefined();
  });

  it('narrows the lookahead after an invalidation and widens it again', async () => {
    const writes = new WriteCount();
    const t = watchWrites(new LocalTransport('local'), writes);
    const cache = new ProbeCache(writes);
    const start = cache.window;
    const key = probeKey('p', undefined, undefined);
    cache.store(t, [{ uid: 'a', key, result }, { uid: 'b', key, result }], writes.n);
    expect(cache.take('a', key, t)).toBe(result);
    await t.exec('true');
    cache.settle(t);
    expect(cache.window).toBe(1);
    cache.settle(t);
    cache.settle(t);
    expect(cache.window).toBe(4);
    for (let i = 0; i < 10; i++) cache.settle(t);
    expect(cache.window).toBe(start);
    // A task that applied steps (a probe that ran alone, nothing cached to invalidate).
    cache.noteApplied();
    cache.settle(t);
    expect(cache.window).toBe(1);
    cache.settle(t);
    expect(cache.window).toBe(2);
  });
});

describe('shared delegated probes', () => {
  // Each host's delegated probe of the same path on the same connection, as real local execs.
  const probe = (t: Transport, counter: { n: number }) => () => (counter.n++, t.exec(`cat ${path.join(dir, 'shared')}`, { readOnly: true }));

  it('sends one exec for every host asking the same thing while nothing is written, each host its own copy', async () => {
    writeFileSync(path.join(dir, 'shared'), 'one');
    const writes = new WriteCount();
    const local = watchWrites(new LocalTransport('localhost'), writes);
    const shared = new SharedProbes(writes);
    const execs = { n: 0 };
    const results = await Promise.all(Array.from({ length: 5 }, () => shared.run(local, 'k', probe(local, execs))));
    expect(execs.n).toBe(1);
    expect(results.map((r) => r.stdout)).toEqual(Array(5).fill('one'));
    expect(new Set(results).size).toBe(5);
    // another probe, or the same one on another connection, is its own exec
    await shared.run(local, 'other', probe(local, execs));
    await shared.run(watchWrites(new LocalTransport('localhost'), writes), 'k', probe(local, execs));
    expect(execs.n).toBe(3);
  });

  it('probes again after a write anywhere, and when a write lands while the first exec runs', async () => {
    writeFileSync(path.join(dir, 'shared'), 'one');
    const writes = new WriteCount();
    const local = watchWrites(new LocalTransport('localhost'), writes);
    const other = watchWrites(new LocalTransport('other'), writes);
    const shared = new SharedProbes(writes);
    const execs = { n: 0 };
    await shared.run(local, 'k', probe(local, execs));
    await other.exec(`printf two > ${path.join(dir, 'shared')}`);
    expect((await shared.run(local, 'k', probe(local, execs))).stdout).toBe('two');
    expect(execs.n).toBe(2);
    // a write while the first host's exec is under way: the waiting host does not take its answer
    await other.exec('true');
    const first = shared.run(local, 'k', probe(local, execs));
    const second = shared.run(local, 'k', probe(local, execs));
    await other.exec(`printf three > ${path.join(dir, 'shared')}`);
    await first;
    expect((await second).stdout).toBe('three');
    expect(execs.n).toBe(4);
  });
});
