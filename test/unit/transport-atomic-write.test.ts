// The shell fallback for uploads (servers without SFTP, become): run here with /bin/sh,
// as a host would. A short stdin, which is what a cut connection looks like to `cat`,
// must never replace the destination.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atomicWriteScript, tempPrefix } from '../../src/transport/become.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runScript(script: string, stdin: Buffer) {
  return spawnSync('/bin/sh', ['-c', script], { input: stdin, encoding: 'utf8' });
}

describe('atomicWriteScript with an expected size', () => {
  it('refuses a short upload: the old file stays, the temp file goes, the error says why', () => {
    const dest = path.join(dir, 'short.conf');
    writeFileSync(dest, 'old');
    const r = runScript(atomicWriteScript(dest, undefined, { size: 10 }), Buffer.from('12345'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('short write');
    expect(readFileSync(dest, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.startsWith('.short.conf.rackplay-'))).toEqual([]);
  });

  it('writes a complete upload with the asked mode, through the named temp file', () => {
    const dest = path.join(dir, 'full.conf');
    writeFileSync(dest, 'old');
    const tmp = `${tempPrefix(dest)}abc123.tmp`;
    const body = Buffer.from('0123456789');
    const r = runScript(atomicWriteScript(dest, '0640', { size: body.length, tmp }), body);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('0123456789');
    expect(statSync(dest).mode & 0o777).toBe(0o640);
    expect(tmp).toBe(path.join(dir, '.full.conf.rackplay-abc123.tmp'));
    expect(readdirSync(dir).filter((f) => f.includes('.rackplay-'))).toEqual([]);
  });

  it('a temp name with shell characters stays one word', () => {
    const dest = path.join(dir, "it's $(x).conf");
    const r = runScript(atomicWriteScript(dest, undefined, { size: 2, tmp: `${tempPrefix(dest)}z.tmp` }), Buffer.from('ok'));
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('ok');
  });
});
