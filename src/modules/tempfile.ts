// ansible.builtin.tempfile: a new temporary file or directory, with mktemp on the host.
// Always changed. Ansible's module does not support check mode, so --check skips it.
//
//   - ansible.builtin.tempfile:
//       state: directory
//       suffix: build
//     register: build_dir
import type { FromSchema } from 'json-schema-to-ts';
import { quote } from '../transport/quote.js';
import { argvWord } from './command-runner.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['file', 'directory'], default: 'file' },
    path: { type: 'string' },
    prefix: { type: 'string', default: 'ansible.' },
    suffix: { type: 'string', default: '' },
  },
  additionalProperties: false,
} as const;

export type TempfileArgs = FromSchema<typeof schema>;

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

/**
 * The script: mktemp in the directory (the `path` argument expanded as Python's type=path
 * does, else Python's gettempdir() order of TMPDIR, TEMP, TMP, /tmp), then the new path
 * and its owner, mode and size, NUL-separated. When mktemp fails, `E` and the errno name
 * Python would have seen.
 */
export function tempfileScript(args: TempfileArgs): string {
  const dir = args.path !== undefined ? argvWord(args.path) : '"${TMPDIR:-${TEMP:-${TMP:-/tmp}}}"';
  const flag = args.state === 'directory' ? '-d ' : '';
  return [
    `rp_d=${dir}`,
    `if rp_t=$(mktemp ${flag}-p "$rp_d" --suffix=${quote(args.suffix)} -- ${quote(`${args.prefix}XXXXXXXX`)} 2>/dev/null); then`,
    `  printf '%s\\0' "$rp_t"; stat -c '%u %g %a %s' -- "$rp_t" | tr -d '\\n'; printf '\\0'; stat -c '%U' -- "$rp_t" | tr -d '\\n'; printf '\\0'; stat -c '%G' -- "$rp_t" | tr -d '\\n'; printf '\\0'`,
    'else',
    `  if [ ! -e "$rp_d" ]; then e=ENOENT; elif [ ! -d "$rp_d" ]; then e=ENOTDIR; else e=EACCES; fi; printf 'E\\0%s\\0%s\\0' "$e" "$rp_d"`,
    'fi',
  ].join('\n');
}

/** Python's OSError text and class for what mktemp hit. */
const ERRNO: Record<string, [string, string]> = {
  ENOENT: ['[Errno 2] No such file or directory', 'FileNotFoundError'],
  ENOTDIR: ['[Errno 20] Not a directory', 'NotADirectoryError'],
  EACCES: ['[Errno 13] Permission denied', 'PermissionError'],
};

/** The task result from the script's output (Ansible adds the path's attributes to it). */
export function tempfileResult(args: TempfileArgs, stdout: string, random: () => number = Math.random): ModuleResult {
  const f = stdout.split('\0');
  if (f[0] === 'E' && f.length >= 3) {
    // Python names the path it tried; mktemp's choice is gone, so a name of the same shape.
    let name = '';
    for (let i = 0; i < 8; i++) name += NAME_CHARS[Math.floor(random() * NAME_CHARS.length)];
    const tried = `${f[2].replace(/\/+$/, '')}/${args.prefix}${name}${args.suffix}`;
    const [text, cls] = ERRNO[f[1]] ?? ERRNO.EACCES;
    const msg = `${text}: '${tried}'`;
    // Ansible's fail_json(exception=format_exc()): the callback prints its last line.
    throw new ModuleFailure(msg, { exception: `Traceback (most recent call last):\n  File "ansible/modules/tempfile.py", in main\n${cls}: ${msg}\n` });
  }
  if (f.length < 4 || f[0] === '') throw new ModuleFailure('mktemp did not create a temporary path', { stdout });
  const [uid, gid, mode, size] = f[1].split(' ');
  const owner = f[2] === 'UNKNOWN' ? uid : f[2];
  const group = f[3] === 'UNKNOWN' ? gid : f[3];
  return {
    changed: true,
    path: f[0],
    uid: Number(uid),
    gid: Number(gid),
    owner,
    group,
    mode: `0${parseInt(mode, 8).toString(8).padStart(3, '0')}`,
    state: args.state === 'directory' ? 'directory' : 'file',
    size: Number(size),
  };
}

async function runTempfile(args: TempfileArgs, ctx: RunContext): Promise<ModuleResult> {
  const r = await ctx.exec(tempfileScript(args));
  return tempfileResult(args, r.stdout);
}

export const tempfileModule = defineModule<TempfileArgs>({
  name: 'tempfile',
  summary: 'Create a temporary file or directory',
  schema,
  checkMode: 'skip',
  run: runTempfile,
});
