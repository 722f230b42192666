// ansible.builtin.slurp: a remote file's bytes, base64-encoded, in one probe.
//
//   - ansible.builtin.slurp:
//       src: /etc/hostname
//     register: hostname_file
import { factsFor, parseFileProbe, probeFile, probeScript, type FileFacts } from '../facts/file-probe.js';
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
    return probeScript([probeFile('s', args.src, { follow: true, contentMax: -1 })]);
  },
  parse(out) {
    return parseFileProbe(out);
  },
  plan(args, facts) {
    const f = factsFor(facts, 's');
    if (!f.exists) throw new ModuleFailure(`file not found: ${args.src}`);
    if (f.type === 'directory') throw new ModuleFailure('source is a directory and must be a file');
    if (!f.readable || f.content === undefined) throw new ModuleFailure(`file is not readable: ${args.src}`);
    return { steps: [], result: { content: f.content.toString('base64'), source: args.src, encoding: 'base64' } };
  },
});
