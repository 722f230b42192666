// ansible.builtin.script: copies a controller-side script to the host and runs it with
// its arguments. Two round trips: one upload (mode 0700 in /tmp), one exec that does
// the chdir/creates/removes guard, runs the script and removes it (an EXIT trap, so it
// goes even when the guard stops early).
//
//   - name: Partition the new disk
//     ansible.builtin.script: files/partition.sh /dev/sdb
//     args:
//       creates: /dev/sdb1
import { readFile } from 'node:fs/promises';
import { quote } from '../transport/quote.js';
import { commandResult, guardScript, newNonce, readGuard, wordSpans } from './command-runner.js';
import { ShlexError, shlexSplit } from '../shlex.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';
import { decryptFileContent } from '../vault/context.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    _raw_params: { type: 'string' },
    cmd: { type: 'string' },
    creates: { type: 'string' },
    removes: { type: 'string' },
    chdir: { type: 'string' },
    executable: { type: 'string' },
    decrypt: { type: 'boolean', default: true },
  },
} as const;

export type ScriptArgs = FromSchema<typeof schema>;

function fail(msg: string): never {
  throw new ModuleFailure(msg);
}

/** Path test with Ansible's _remote_file_exists semantics (`test -e`, no glob). */
function existsGuard(nonce: string, creates?: string, removes?: string): string {
  const lines: string[] = [];
  if (creates) lines.push(`if [ -e ${quote(creates)} ]; then printf '%s\\n' ${quote(`${nonce}:creates`)}; exit 0; fi`);
  if (removes) lines.push(`if [ ! -e ${quote(removes)} ]; then printf '%s\\n' ${quote(`${nonce}:removes`)}; exit 0; fi`);
  return lines.join('\n');
}

async function runScript(args: ScriptArgs, ctx: RunContext): Promise<ModuleResult> {
  const raw = (args._raw_params ?? args.cmd ?? '').trim();
  if (!raw) fail('script requires the path of a local script, e.g. `script: files/setup.sh arg1`');
  let source: string;
  try {
    source = shlexSplit(raw)[0];
  } catch (e) {
    if (e instanceof ShlexError) fail(e.message);
    throw e;
  }
  const nonce = newNonce();
  const existence = existsGuard(nonce, args.creates, args.removes);
  const skipped = (kind: 'creates' | 'removes'): ModuleResult => ({
    changed: false,
    skipped: true,
    msg: kind === 'creates' ? `${args.creates} exists, matching creates option` : `${args.removes} does not exist, matching removes option`,
  });

  // Ansible's order: creates/removes, then chdir, the local file and check mode. The
  // existence test rides with the run itself (one round trip) unless something before the
  // run could end the task first.
  const chdirRelative = !!args.chdir && !args.chdir.startsWith('/');
  const local = ctx.controller.findFile('files', source);
  if (existence && (ctx.check || chdirRelative || !local)) {
    const g = readGuard((await ctx.exec(existence)).stdout, nonce);
    if (g.kind === 'creates' || g.kind === 'removes') return skipped(g.kind);
  }
  if (chdirRelative) fail(`chdir ${args.chdir} must be an absolute path for a Unix-aware remote node`);
  if (!local) fail(`Could not find or access '${source}' on the Ansible Controller.`);
  if (ctx.check) {
    // With creates/removes the guard decided; otherwise the script's effect cannot be known.
    if (args.creates || args.removes) return { changed: true };
    return { changed: false, skipped: true, msg: 'Check mode is not supported for this task.' };
  }

  // decrypt (default true): a vault-encrypted script is sent as its plaintext, as in Ansible
  const fileBytes = await readFile(local);
  const content = args.decrypt === false ? fileBytes : decryptFileContent(fileBytes, local);
  const base = source.slice(source.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9_.-]/g, '_');
  const remote = `/tmp/.rackplay-${nonce}-${base}`;
  await ctx.transport.put(remote, content, { mode: '0700', become: ctx.become });

  // The arguments after the script path keep their quoting: Ansible hands them to the
  // shell as written.
  const first = wordSpans(raw)[0];
  const rest = raw.slice(first[1]);
  const invoke = (args.executable ? quote(args.executable) + ' ' : '') + quote(remote) + rest;
  const script = [
    `trap 'rm -f ${quote(remote).replace(/'/g, `'\\''`)}' 0`,
    // A signal (an interrupted run kills the command's process group) ends the shell
    // through `exit`, so the EXIT trap still removes the uploaded script.
    `trap 'exit 129' HUP; trap 'exit 143' TERM`,
    existence,
    guardScript({ nonce, chdir: args.chdir }),
    invoke,
  ]
    .filter(Boolean)
    .join('\n');
  const res = await ctx.exec(script);
  const g = readGuard(res.stdout, nonce);
  if (g.kind === 'creates' || g.kind === 'removes') return skipped(g.kind);
  if (g.kind === 'chdir') fail(`Unable to change directory to '${args.chdir}'`);
  return commandResult(res);
}

export const scriptModule = defineModule<ScriptArgs>({
  name: 'script',
  summary: 'Copy a local script to the host and run it',
  freeForm: '_raw_params',
  checkMode: 'run',
  traits: { noAsync: true, runsNoModule: true },
  schema,
  run: runScript,
});
