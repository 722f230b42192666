// RACKPLAY_STATS_FILE: the benchmark reads what a run cost in remote operations.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTransportStats } from '../../src/cli/run-command.js';
import { LocalTransport } from '../../src/transport/local.js';
import { Limiter } from '../../src/transport/limiter.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeTransportStats', () => {
  it('sums the counters of every transport of the run', async () => {
    const a = new LocalTransport('a');
    const b = new LocalTransport('b');
    await a.exec('true');
    await a.exec('true');
    await b.exec('true');
    await b.put(path.join(dir, 'f'), Buffer.from('x'));
    await b.get(path.join(dir, 'f'));
    const file = path.join(dir, 'stats.json');
    writeTransportStats(file, [a, b], 123, 2);
    const stats = JSON.parse(readFileSync(file, 'utf8'));
    expect(stats).toEqual({ hosts: 2, execs: a.stats.execs + b.stats.execs, puts: 1, gets: 1, connects: a.stats.connects + b.stats.connects, firstExecMs: 123, handshakesPeak: 2 });
    expect(stats.execs).toBe(3);
  });

  it('a limiter counts the most calls that ran at once', async () => {
    const l = new Limiter(3);
    const gate: (() => void)[] = [];
    const held = () => l.run(() => new Promise<void>((r) => gate.push(r)));
    const runs = [held(), held(), held(), held(), held()];
    await new Promise((r) => setImmediate(r));
    expect(l.peak).toBe(3);
    while (gate.length) gate.shift()!();
    await new Promise((r) => setImmediate(r));
    while (gate.length) gate.shift()!();
    await Promise.all(runs);
    expect(l.peak).toBe(3);
  });

  it('writes null when no remote command ran', () => {
    const file = path.join(dir, 'empty.json');
    writeTransportStats(file, []);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ hosts: 0, execs: 0, puts: 0, gets: 0, connects: 0, firstExecMs: null, handshakesPeak: null });
  });
});
