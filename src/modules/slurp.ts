// ansible.builtin.slurp: a remote file's bytes, base64-encoded, in one probe.
//
//   - ansible.builtin.slurp:
//       src: /etc/hostname
//     register: hostname_file
import { factsFor, parseFileProbe, probeFile, probeScript, type FileFacts } from '../facts/file-probe.js';
import { quote } from '../transport/quote.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: { src: { type: 'string', minLength: 1 } },
  required: ['src'],
  additionalProperties: false,
} as const;

export type SlurpArgs = FromSchema<typeof schema>;

export const slurpModule = defineModule<SlurpArgs, SlurpArgs, Record<string, FileFacts>>({
  name: 'slurp',
  summary: 'Slurps a file from remote nodes',
  checkMode: 'plan',
  argAliases: { path: 'src' },
  schema,
  probe(args) {
    return probeScript([probeFile('s', args.src, { follow: true, contentMax: -1 }), openErrorProbe(args.src)]);
  },
  parse(out) {
    return parseFileProbe(out);
  },
  plan(args, facts) {
    const f = factsFor(facts, 's');
    const openError = f.extra.openerr?.[0];
    if (openError !== undefined) throw new ModuleFailure(openFailure(args.src, openError));
    if (!f.exists) throw new ModuleFailure(`file not found: ${args.src}`);
    if (f.type === 'directory') throw new ModuleFailure(`source is a directory and must be a file: ${args.src}`);
    if (!f.readable || f.content === undefined) throw new ModuleFailure(`file is not readable: ${args.src}`);
    return { steps: [], result: { content: f.content.toString('base64'), source: args.src, encoding: 'base64' } };
  },
});

/**
 * A probe line, after the file's record: what cat says opening a path that is missing or
 * unreadable (an `openerr` extra). Its strerror picks Ansible's message; not the shell's own
 * redirection, as dash words ENOTDIR as "No such file".
 */
export function openErrorProbe(src: string): string {
  const p = quote(src);
  return `if [ ! -e ${p} ] || [ ! -r ${p} ]; then rp_oe=$(cat -- ${p} 2>&1 >/dev/null) || printf 'openerr %s\\n' "$(printf '%s' "$rp_oe" | tr '\\n' ' ')"; fi`;
}

/** Errors opening a file for reading other than the three slurp names: errno and strerror, as Python shows an OSError. */
const OTHER_ERRNOS: [string, number][] = [
  ['Not a directory', 20],
  ['Too many levels of symbolic links', 40],
  ['File name too long', 36],
  ['No such device or address', 6],
  ['Input/output error', 5],
];

/** Ansible's slurp message for the shell's words about opening `src` (its open() errno). */
export function openFailure(src: string, shellMessage: string): string {
  if (shellMessage.includes('No such file')) return `file not found: ${src}`;
  if (shellMessage.includes('Permission denied')) return `file is not readable: ${src}`;
  if (shellMessage.includes('Is a directory')) return `source is a directory and must be a file: ${src}`;
  const known = OTHER_ERRNOS.find(([text]) => shellMessage.includes(text));
  const pyRepr = `'${src.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `unable to slurp file: ${known ? `[Errno ${known[1]}] ${known[0]}: ${pyRepr}` : shellMessage.trim()}`;
}
