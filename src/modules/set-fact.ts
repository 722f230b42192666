// set_fact: set host variables from task arguments, at set_fact precedence.
//   - set_fact:
//       xen_version: "3.0.4"
//       cacheable: false
import type { FromSchema } from 'json-schema-to-ts';
import { readFileSync } from 'node:fs';
import { findConfigFile, parseIni } from '../ansible-cfg.js';
import { ansibleBool } from '../boolean.js';
import { ModuleFailure, defineModule } from './types.js';

const schema = { type: 'object', properties: { cacheable: { type: 'boolean', default: false } }, additionalProperties: true, minProperties: 1 } as const;

export const setFactModule = defineModule<FromSchema<typeof schema>>({
  name: 'set_fact',
  summary: 'Set host variables and facts',
  controllerOnly: true,
  traits: { factsLayer: 'nonpersistent' },
  checkMode: 'run',
  schema,
  async run(args) {
    const { cacheable, ...facts } = args;
    for (const k of Object.keys(facts)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ModuleFailure(`The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`);
    }
    // As Ansible's set_fact (without jinja2_native): a string that spells a boolean becomes one.
    if (!jinja2Native()) for (const [k, v] of Object.entries(facts)) {
      if (typeof v === 'string' && ['true', 'false', 'yes', 'no'].includes(v.toLowerCase())) facts[k] = ansibleBool(v);
    }
    return { changed: false, ansible_facts: facts, _ansible_facts_cacheable: !!cacheable };
  },
});

/** ANSIBLE_JINJA2_NATIVE or ansible.cfg's jinja2_native: strings stay strings. */
function jinja2Native(env: NodeJS.ProcessEnv = process.env): boolean {
  let v = env.ANSIBLE_JINJA2_NATIVE;
  const cfg = v === undefined ? findConfigFile(env, process.cwd()) : undefined;
  if (cfg) {
    try {
      v = parseIni(readFileSync(cfg, 'utf8'), cfg).defaults?.jinja2_native;
    } catch {
      /* an unreadable ansible.cfg is reported where the run reads it */
    }
  }
  return v !== undefined && v !== '' && ansibleBool(v);
}
