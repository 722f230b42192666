// ansible.builtin.dpkg_selections: a package's dpkg selection (install, hold, deinstall,
// purge), read with `dpkg --get-selections` and set with `dpkg --set-selections` on stdin.
//
//   - ansible.builtin.dpkg_selections:
//       name: python3
//       selection: hold
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    selection: { type: 'string', enum: ['install', 'hold', 'deinstall', 'purge'] },
  },
  required: ['name', 'selection'],
  additionalProperties: false,
} as const;

type Args = FromSchema<typeof schema>;

export const dpkgSelectionsModule = defineModule<Args, Args, string>({
  name: 'dpkg_selections',
  summary: "Set a package's dpkg selection (install, hold, deinstall, purge)",
  schema,
  checkMode: 'plan',
  probe: ({ name }) => `${SBIN_PATH}; command -v dpkg >/dev/null 2>&1 || { echo 'Failed to find required executable "dpkg"' >&2; exit 127; }; dpkg --get-selections ${quote(name)}`,
  parse: (out: ExecResult) => {
    if (out.rc !== 0) throw new ModuleFailure(out.stderr.trimEnd() || out.stdout.trimEnd(), { rc: out.rc, stdout: out.stdout, stderr: out.stderr });
    return out.stdout === '' ? 'not present' : (out.stdout.trim().split(/\s+/)[1] ?? 'not present');
  },
  plan: ({ name, selection }, current) => {
    const result = { before: current, after: selection };
    if (current === selection) return { steps: [], result };
    return { steps: [{ kind: 'exec', cmd: `${SBIN_PATH}; dpkg --set-selections`, stdin: `${name} ${selection}` }], result };
  },
});
