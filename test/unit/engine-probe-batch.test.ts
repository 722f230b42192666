// The batch framing against a real /bin/sh: each probe's stdout bytes, stderr and rc come
// back exactly as if it had run alone; and the cache serves a result only while nothing
// else ran on the host.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchScript, newNonce, probeKey, ProbeCache, runProbeBatch, splitBatchOutput } from '../../src/engine/probe-batch.js';
import { LocalTransport } from '../../src/transport/local.js';

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
  // a file with a forged marker (from an earlier nonce) in it
  `cat ${path.join(dir, 'forged')}`,
];

describe('probe batch framing', () => {
  it('splits one exec into the results each probe gives on its own', async () => {
    writeFileSync(path.join(dir, 'forged'), `x\n${newNonce()} 5 0\ny`);
    const t = new LocalTransport('local');
    const alone = [];
    for (const p of PROBES) alone.push(await t.exec(p));
    const nonce = newNonce();
    const batch = await t.exec(batchScript(PROBES, nonce));
    const split = splitBatchOutput(batch, PROBES.length, nonce);
    expect(split).toHaveLength(PROBES.length);
    for (let i = 0; i < PROBES.length; i++) {
      const r = split[i]!;
      expect(r, `probe ${i}`).toBeDefined();
      expect(r.stdoutBytes.equals(alone[i].stdoutBytes), `probe ${i} stdout`).toBe(true);
      expect(r.stdout).toBe(alone[i].stdout);
      expect(r.stderr).toBe(alone[i].stderr);
      expect(r.rc).toBe(alone[i].rc);
    }
    expect(split[1]!.rc).toBe(3);
  });

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
    const nonce = newNonce();
    const script = batchScript(probes, nonce, prelude);
    expect(script.split(prelude)).toHaveLength(2);
    const split = splitBatchOutput(await t.exec(script), probes.length, nonce);
    expect(split.map((r) => [r?.stdout, r?.rc])).toEqual([['hi a\n', 0], ['plain\n', 0], ['hi b\n', 4]]);
  });

  it('leaves out the probes whose markers never came (a batch cut short)', async () => {
    const t = new LocalTransport('local');
    const nonce = newNonce();
    const out = await t.exec(batchScript(['echo one', 'kill -9 $$', 'echo three'], nonce));
    const split = splitBatchOutput(out, 3, nonce);
    expect(split[0]?.stdout).toBe('one\n');
    expect(split[1]).toBeUndefined();
    expect(split[2]).toBeUndefined();
  });
});

describe('probe cache', () => {
  const result = { rc: 0, stdout: 'x', stderr: '', stdoutBytes: Buffer.from('x') };

  it('serves a result once, for the same probe only, while the connection was not used', async () => {
    const t = new LocalTransport('local');
    await t.exec('true');
    const cache = new ProbeCache();
    const key = probeKey('stat /x', undefined, undefined);
    cache.store(t, [
      { uid: 'a', key, result },
      { uid: 'b', key, result },
      { uid: 'c', key, result },
    ]);
    expect(cache.take('a', probeKey('stat /y', undefined, undefined), t)).toBeUndefined();
    expect(cache.take('b', probeKey('stat /x', { user: 'root', method: 'sudo' }, undefined), t)).toBeUndefined();
    expect(cache.take('c', key, t)).toBe(result);
    expect(cache.take('c', key, t)).toBeUndefined();
  });

  it('drops everything after any exec or put on the host, or on another connection', async () => {
    const t = new LocalTransport('local');
    const cache = new ProbeCache();
    const key = probeKey('p', undefined, undefined);
    cache.store(t, [{ uid: 'a', key, result }, { uid: 'b', key, result }]);
    expect(cache.take('a', key, new LocalTransport('local'))).toBeUndefined();
    // Looking with another connection dropped them all, for this one too.
    expect(cache.take('b', key, t)).toBeUndefined();
    cache.store(t, [{ uid: 'a', key, result }, { uid: 'b', key, result }]);
    await t.put(path.join(dir, 'changed'), Buffer.from('new'));
    expect(cache.take('a', key, t)).toBeUndefined();
    cache.store(t, [{ uid: 'a', key, result }]);
    await t.exec('true');
    expect(cache.take('a', key, t)).toBeUndefined();
  });

  it('narrows the lookahead after an invalidation and widens it again', async () => {
    const t = new LocalTransport('local');
    const cache = new ProbeCache();
    const start = cache.window;
    const key = probeKey('p', undefined, undefined);
    cache.store(t, [{ uid: 'a', key, result }, { uid: 'b', key, result }]);
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
