// ansible.builtin.slurp: a remote file's bytes, base64-encoded, in one probe.
//
//   - ansible.builtin.slurp:
//       src: /etc/hostname
//     register: hostname_file
import { factsFor, parseFileProbe, probeFile, probeScript, type FileFacts } from '../facts/file-probe.js';
import type { ModuleDef } from './types.js';

export interface SlurpArgs {
  src: string;
}

export const slurpModule: ModuleDef<SlurpArgs, Record<string, FileFacts>> = {
  name: 'slurp',
  summary: 'Slurps a file from remote nodes',
  checkMode: 'plan',
  argAliases: { path: 'src' },
  schema: {
    type: 'object',
    properties: { src: { type: 'string', minLength: 1 } },
    required: ['src'],
    additionalProperties: false,
  },
  probe(args) {
    return probeScript([probeFile('s', args.src, { follow: true, contentMax: -1 })]);
  },
  parse(out) {
    return parseFileProbe(out);
  },
  plan(args, facts) {
    const f = factsFor(facts, 's');
    if (!f.exists) return { steps: [], failed: `file not found: ${args.src}` };
    if (f.type === 'directory') return { steps: [], failed: 'source is a directory and must be a file' };
    if (!f.readable || f.content === undefined) return { steps: [], failed: `file is not readable: ${args.src}` };
    return { steps: [], result: { content: f.content.toString('base64'), source: args.src, encoding: 'base64' } };
  },
};
