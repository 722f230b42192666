// The pre-read under real shells and this machine's GNU tar: file facts from a batch whose
// contents came in one archive are exactly the facts each probe gives on its own, whatever
// the files hold; and where the archive cannot be trusted, the probes that used it are
// handed back to run alone.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFileProbe, probeFile, probeScript, type WithPreRead } from '../../src/facts/file-probe.js';
import { preReadBatch, readPreRead } from '../../src/facts/pre-read.js';
import { runProbeBatch } from '../../src/engine/probe-batch.js';
import { READ_ALL } from '../../src/transport/stdin-script.js';
import type { ExecResult, Transport } from '../../src/transport/types.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-pre-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// By absolute path: one case runs with a PATH that has no tar.
const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).stdout.toString().trim();
const SHELLS: [string, string[]][] = [
  ['dash', [which('dash'), '-c', READ_ALL]],
  ['bash --posix', [which('bash'), '--posix', '-c', READ_ALL]],
];
const runIn = (argv: string[], script: string, env?: NodeJS.ProcessEnv): ExecResult => {
  const r = spawnSync(argv[0], argv.slice(1), { input: script, maxBuffer: 64 << 20, env: env ?? process.env });
  return { rc: r.status ?? -1, stdout: r.stdout.toString('utf8'), stdoutBytes: r.stdout, stderr: r.stderr.toString('utf8') };
};
/** The shell as a transport: each exec's script on its stdin, as the real transports send it. */
const shellTransport = (argv: string[], env?: NodeJS.ProcessEnv, seen: string[] = []) =>
  ({ exec: async (script: string) => (seen.push(script), runIn(argv, script, env)) }) as unknown as Transport;

const long = path.join(dir, 'd'.repeat(60), 'e'.repeat(60), 'long name with spaces.conf');
const FILES: Record<string, string | Buffer> = {
  [path.join(dir, 'plain.conf')]: 'key = value\n',
  // lines that look like the probe's own records and the pre-read's
  [path.join(dir, 'forged.conf')]: 'preread 0\ncontent 3\nabc\n@x\nstat 81a4 0 0 1 1 1 1 1 1 1 root root\n',
  [path.join(dir, 'binary.bin')]: Buffer.from([0, 1, 2, 0xff, 0x0a, 0, 0x75, 0x73, 0x74, 0x61, 0x72]),
  [path.join(dir, 'no-newline')]: 'last line',
  [path.join(dir, 'empty')]: '',
  [path.join(dir, 'big.txt')]: 'x'.repeat(70_000),
  [long]: 'deep\n',
};

function setUp() {
  mkdirSync(path.dirname(long), { recursive: true });
  for (const [p, c] of Object.entries(FILES)) writeFileSync(p, c);
  symlinkSync(path.join(dir, 'plain.conf'), path.join(dir, 'link.conf'));
}
setUp();

// One probe per path, as file modules send them: content up to 64 KiB, a checksum.
const PATHS = [...Object.keys(FILES), path.join(dir, 'link.conf'), path.join(dir, 'missing'), dir];
// Not following links (lineinfile, stat) and following them (copy's and template's dest: tar -h).
const probesOf = (follow: boolean) => PATHS.map((p, i) => probeScript([probeFile(`f${i}`, p, { checksum: 'sha1', contentMax: 65536, follow })]));
const probes = probesOf(false);

describe.each(SHELLS)('pre-read under %s', (_name, argv) => {
  it.each([[false], [true]])('gives every probe the facts it gives alone, the contents coming from one tar (follow: %s)', async (follow) => {
    const probes = probesOf(follow);
    const seen: string[] = [];
    const batch = await runProbeBatch(shellTransport(argv, undefined, seen), probes, {});
    // The batch did use the archive: one tar, and no cat for the files it read.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/ tar -c (-h )?-b 1 /);
    expect(seen[0].includes(' tar -c -h ')).toBe(follow);
    // the link's target too, when followed
    expect(batch.filter((r) => r?.stdout.includes('\npreread ')).length).toBeGreaterThanOrEqual(follow ? 6 : 5);
    for (let i = 0; i < probes.length; i++) {
      const alone = parseFileProbe(runIn(argv, probes[i]));
      expect(batch[i], PATHS[i]).toBeDefined();
      expect(parseFileProbe(batch[i]!), PATHS[i]).toEqual(alone);
    }
    // The over-limit file was not archived: its probe sent a checksum, no content.
    const big = parseFileProbe(batch[PATHS.indexOf(path.join(dir, 'big.txt'))]!)[`f${PATHS.indexOf(path.join(dir, 'big.txt'))}`];
    expect(big.content).toBeUndefined();
    expect(big.checksum).toMatch(/^[0-9a-f]{40}$/);
  });

  it('falls back to cat on the host when tar cannot run, with the same facts', async () => {
    // A PATH where tar is missing: rp_PRE stays unset and each probe reads its own file.
    const bin = path.join(dir, 'bin-no-tar');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['stat', 'cat', 'wc', 'mktemp', 'rm', 'readlink', 'sha1sum']) {
      const real = which(tool);
      rmSync(path.join(bin, tool), { force: true });
      symlinkSync(real, path.join(bin, tool));
    }
    const batch = await runProbeBatch(shellTransport(argv, { ...process.env, PATH: bin }), probes, {});
    // No archive was made: no result carries pre-read contents.
    expect(batch.some((r) => (r as WithPreRead | undefined)?.preread)).toBe(false);
    for (let i = 0; i < probes.length; i++) expect(parseFileProbe(batch[i]!)).toEqual(parseFileProbe(runIn(argv, probes[i])));
  });
});

describe('readPreRead', () => {
  const tar = (args: string[]) => spawnSync('tar', ['-c', '-b', '1', '-f', '-', '--no-recursion', '--hard-dereference', '--', ...args], { maxBuffer: 1 << 24 }).stdout;
  const a = path.join(dir, 'plain.conf');
  const b = path.join(dir, 'forged.conf');

  it('maps members to the paths that qualified, by position and name (long names too)', () => {
    const members = readPreRead(tar([a, long]), [a, b, long])!;
    expect(members[0].toString()).toBe(FILES[a]);
    expect(members[1]).toBeUndefined();
    expect(members[2].toString()).toBe('deep\n');
  });

  it('refuses an archive that is not what the batch asked for', () => {
    // another file's member where a path was expected, a directory, a corrupted header
    expect(readPreRead(tar([path.join(dir, 'empty')]), [a, b])).toBeUndefined();
    expect(readPreRead(tar([dir]), [a])).toBeUndefined();
    const bad = Buffer.from(tar([a]));
    bad[130] ^= 1;
    expect(readPreRead(bad, [a])).toBeUndefined();
  });

  it('rewrites only content-reading rp_f calls that have a batch stat line, and needs two', () => {
    const withStat = (p: string, max: number, i: number) => `${probeFile(`t${i}`, p, { contentMax: max })} rp_SP${i}`;
    expect(preReadBatch([withStat(a, 100, 0)])).toBeUndefined();
    const r = preReadBatch([withStat(a, 100, 0), withStat(b, 0, 1), withStat(long, -1, 2), probeFile('t3', path.join(dir, 'x'), { contentMax: 9 })])!;
    expect(r.paths).toEqual([a, long]);
    expect(r.scripts[0]).toMatch(/ rp_Q0$/);
    expect(r.scripts[1]).not.toMatch(/rp_Q/);
    expect(r.scripts[2]).toMatch(/ rp_Q1$/);
    expect(r.scripts[3]).not.toMatch(/rp_Q/);
  });
});
