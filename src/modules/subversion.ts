// ansible.builtin.subversion with the host's own `svn`: checkout, export, switch, revert
// and update as Ansible's module does, with its arguments, results (`before`, `after` as
// Ansible's [revision line, URL line] pairs), messages and check mode. One sh script
// (subversion-script.ts) sent on stdin does the work in one exec; a password goes to svn
// on its stdin (--password-from-stdin, svn 1.10 and later), never on a command line.
//
//   - ansible.builtin.subversion:
//       repo: https://svn.example.org/app/trunk
//       dest: /srv/app
//       revision: "1234"
//       username: deploy
//       password: "{{ vault_svn_password }}"
import type { FromSchema } from 'json-schema-to-ts';
import { randomBytes } from 'node:crypto';
import { quote } from '../transport/quote.js';
import { splitLines } from './command-runner.js';
import { markedValues } from './git.js';
import { svnScript } from './subversion-script.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    dest: { type: 'string' },
    repo: { type: 'string' },
    revision: { type: 'string', default: 'HEAD' },
    force: { type: 'boolean', default: false },
    username: { type: 'string' },
    password: { type: 'string' },
    executable: { type: 'string' },
    export: { type: 'boolean', default: false },
    checkout: { type: 'boolean', default: true },
    update: { type: 'boolean', default: true },
    switch: { type: 'boolean', default: true },
    in_place: { type: 'boolean', default: false },
    validate_certs: { type: 'boolean', default: false },
  },
  required: ['repo'],
  additionalProperties: false,
} as const;

export type SubversionArgs = FromSchema<typeof schema>;

// `Revision: 12` in any language svn speaks (Ansible's REVISION_RE)
const REVISION_RE = /^[\p{L}\p{N}_]+\s?:\s+\d+$/mu;

/** The revision line of `svn info` output, or Ansible's placeholder. */
export function revisionLine(info: string, missing = 'Unable to get revision'): string {
  return REVISION_RE.exec(splitLines(info).join('\n'))?.[0] ?? missing;
}

/** The URL line of `svn info` output, or Ansible's placeholder. */
export function urlLine(info: string): string {
  return /^URL\s?:.*$/m.exec(splitLines(info).join('\n'))?.[0] ?? 'Unable to get URL';
}

/** `svn status --quiet` lists a versioned file (not `?`, not an external `X`): local modifications. */
export function hasLocalMods(status: string): boolean {
  return splitLines(status).some((l) => /^[^?X]/.test(l));
}

/** switch and update changed files when a line starts with an action letter. */
export function filesChanged(out: string): boolean {
  return splitLines(out).some((l) => /^[ABDUCGE]\s/.test(l));
}

/** Ansible's revert(): true as soon as one line is not a "Reverted" line. */
export function revertChanged(out: string): boolean {
  return splitLines(out).some((l) => !l.startsWith('Reverted '));
}

function revisionNumber(line: string): number {
  const n = Number(line.split(':')[1]?.trim());
  if (!Number.isInteger(n)) throw new ModuleFailure(`could not read a revision number from svn info ("${line}")`);
  return n;
}

/** Ansible's cleaned command line: shell-quoted words, the word after a password flag masked. */
export function cleanCmd(argv: string[]): string {
  const out: string[] = [];
  let masked = false;
  for (const a of argv) {
    if (masked) {
      masked = false;
      out.push('********');
      continue;
    }
    if (/^-{0,2}pass-?(word|wd)?/.test(a)) {
      const eq = a.indexOf('=');
      if (eq > -1) {
        out.push(`${a.slice(0, eq)}=********`);
        continue;
      }
      masked = true;
    }
    out.push(a);
  }
  return out.map(quote).join(' ');
}

/** The task result (or the failure) from what the script printed. */
export function svnResult(stdout: string, marker: string, host: string): ModuleResult {
  const v = new Map<string, string>();
  for (const [name, value] of markedValues(stdout, marker)) v.set(name, value);
  const fail = v.get('fail');
  if (fail === 'old_svn') {
    throw new ModuleFailure(`svn ${v.get('svn_version')} on ${host} cannot read a password from stdin (--password-from-stdin needs svn 1.10 or later); rackplay does not put passwords on command lines`);
  }
  if (fail !== undefined) {
    const fields: Record<string, unknown> = {};
    if (v.has('cmd')) fields.cmd = cleanCmd(splitLines(v.get('cmd')!));
    if (v.has('rc')) fields.rc = Number(v.get('rc'));
    for (const k of ['stdout', 'stderr']) {
      if (v.has(k)) {
        fields[k] = v.get(k);
        fields[`${k}_lines`] = splitLines(v.get(k)!);
      }
    }
    throw new ModuleFailure(fail, fields);
  }
  const info = (name: string) => v.get(name) ?? '';
  const pair = (name: string) => [revisionLine(info(name)), urlLine(info(name))];
  switch (v.get('end')) {
    case 'remote':
      return { changed: false, after: revisionLine(info('remote_info'), 'Unable to get remote revision') };
    case 'changed':
      return { changed: true };
    case 'unchanged':
      return { changed: false };
    case 'checkout':
      return { changed: true, before: null, after: pair('after_info') };
    case 'check_update': {
      const before = revisionLine(info('before_info'));
      const after = revisionLine(info('head_info'));
      return { changed: revisionNumber(before) < revisionNumber(after), before, after };
    }
    case 'update': {
      const changed = filesChanged(info('switch_out')) || (v.has('revert_out') && revertChanged(info('revert_out'))) || filesChanged(info('update_out')) || v.get('mods') === '1';
      return { changed, before: pair('before_info'), after: pair('after_info') };
    }
    default:
      throw new ModuleFailure(`subversion: the script on ${host} stopped before it finished`);
  }
}

async function runSubversion(args: SubversionArgs, ctx: RunContext): Promise<ModuleResult> {
  if (!args.dest && (args.checkout || args.update || args.export)) {
    throw new ModuleFailure('the destination directory must be specified unless checkout=no, update=no, and export=no');
  }
  const marker = `@@rackplay-${randomBytes(6).toString('hex')}`;
  const script = svnScript({
    svn: args.executable || 'svn',
    explicit: !!args.executable,
    dest: args.dest ?? '',
    repo: args.repo,
    revision: args.revision,
    force: args.force,
    inPlace: args.in_place,
    username: args.username ?? '',
    password: args.password ?? '',
    trustServerCert: !args.validate_certs,
    export: args.export,
    checkout: args.checkout,
    update: args.update,
    switch: args.switch,
    check: ctx.check,
    marker,
  });
  const r = await ctx.exec('sh -s', { stdin: script });
  if (!r.stdout.includes(`${marker} end`) && !r.stdout.includes(`${marker} fail`)) {
    throw new ModuleFailure(`subversion: the script on ${ctx.host} failed (rc=${r.rc}): ${r.stderr.trim()}`, { rc: r.rc });
  }
  return svnResult(r.stdout, marker, ctx.host);
}

export const subversionModule = defineModule<SubversionArgs>({
  name: 'subversion',
  summary: 'Deploy a Subversion working copy or export, with the host\'s svn',
  schema,
  argAliases: { name: 'repo', repository: 'repo', rev: 'revision', version: 'revision' },
  checkMode: 'run',
  traits: { noLogArgs: ['password'] },
  run: runSubversion,
});
