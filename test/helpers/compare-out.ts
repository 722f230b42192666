// A fixture playbook that writes under `out`, run by rackplay and by ansible-playbook, each
// into a directory of its own: the same exit code, debug messages (with the directory
// named OUT), recap and files.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { debugMsgs, parseRecap, runCommand, runRackplay, type CliRun } from './cli.js';

export async function expectSameOut(fixture: string, work: string, files: string[], prepare?: (dir: string) => void): Promise<{ ours: CliRun; theirs: CliRun }> {
  const dirs = [path.join(work, 'cmp-ours'), path.join(work, 'cmp-theirs')];
  for (const d of dirs) {
    mkdirSync(d, { recursive: true });
    prepare?.(d);
  }
  const args = (d: string) => ['-i', 'inv.ini', 'pb.yml', '-e', `out=${d}`];
  const ours = await runRackplay(args(dirs[0]), { cwd: fixture });
  const theirs = await runCommand('ansible-playbook', args(dirs[1]), { cwd: fixture, env: { ANSIBLE_NOCOLOR: '1' } });
  expect(ours.code, ours.stdout + ours.stderr).toBe(theirs.code);
  const msgs = (r: CliRun, d: string) => debugMsgs(r.stdout).map((m) => m.replaceAll(d, 'OUT'));
  expect(msgs(ours, dirs[0])).toEqual(msgs(theirs, dirs[1]));
  expect(parseRecap(ours.stdout)).toEqual(parseRecap(theirs.stdout));
  for (const f of files) expect(readFileSync(path.join(dirs[0], f), 'utf8'), f).toBe(readFileSync(path.join(dirs[1], f), 'utf8'));
  return { ours, theirs };
}
