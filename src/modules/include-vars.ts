// include_vars: load variables from a YAML/JSON file on the controller, at include_vars
// precedence (above play and role vars).
//   - include_vars: file=guests.yml name=guest_defs
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseYamlText } from '../playbook/yaml-file.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule, type ModuleResult } from './types.js';

const schema = {
  type: 'object',
  properties: {
    _raw_params: { type: 'string' },
    file: { type: 'string' },
    dir: { type: 'string' },
    name: { type: 'string' },
    depth: { type: 'integer', default: 0 },
    files_matching: { type: 'string' },
    ignore_files: { type: 'array', items: { type: 'string' }, default: [] },
    extensions: { type: 'array', items: { type: 'string' }, default: ['yaml', 'yml', 'json'] },
    hash_behaviour: { type: 'string', enum: ['replace', 'merge'] },
    ignore_unknown_extensions: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

export const includeVarsModule = defineModule<FromSchema<typeof schema>>({
  name: 'include_vars',
  summary: 'Load variables from files, dynamically within a task',
  controllerOnly: true,
  traits: { noAsync: true, factsLayer: 'host_variables' },
  checkMode: 'run',
  freeForm: '_raw_params',
  schema,
  async run(args, ctx) {
    try {
      return await includeVars(args, ctx.controller.findFile.bind(ctx.controller), String(ctx.vars.role_path ?? ''));
    } catch (e) {
      // Ansible's include_vars action reports its own failures under `message`, not `msg`.
      if (e instanceof ModuleFailure && e.message !== NEED_SOURCE) return { changed: false, failed: true, message: e.message, ansible_facts: {}, ansible_included_var_files: [] };
      throw e;
    }
  },
});

const NEED_SOURCE = 'one of file, dir or a free-form path is required';

async function includeVars(args: FromSchema<typeof schema>, findFile: (kind: 'vars', name: string) => string | undefined, rolePath: string): Promise<ModuleResult> {
    const files: string[] = [];
    const file = args.file ?? args._raw_params;
    if (file) {
      const found = findFile('vars', file);
      if (!found) throw new ModuleFailure(`Could not find or access '${file}'`);
      files.push(found);
    } else if (args.dir) {
      const dir = findFile('vars', args.dir);
      if (!dir) throw new ModuleFailure(`Could not find or access '${args.dir}'`);
      const walk = async (d: string, depth: number): Promise<void> => {
        for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
          const full = path.join(d, e.name);
          if (e.isDirectory()) {
            if (args.depth === 0 || depth < args.depth) await walk(full, depth + 1);
          } else if (rolePath && full === path.join(rolePath, 'vars', 'main.yml')) {
            // a role's vars/main.yml is loaded with the role already
          } else if (!args.files_matching || new RegExp(args.files_matching).test(e.name)) {
            if (args.ignore_files.some((p) => new RegExp(`${p}$`).test(e.name))) continue;
            const valid = args.extensions.includes(path.extname(e.name).slice(1));
            if (valid) files.push(full);
            else if (!args.ignore_unknown_extensions) throw new ModuleFailure(`${full} does not have a valid extension: ${args.extensions.join(', ')}`);
          }
        }
      };
      await walk(dir, 1);
    } else {
      throw new ModuleFailure(NEED_SOURCE);
    }
    const vars: Record<string, unknown> = {};
    for (const f of files) {
      let data: unknown;
      try {
        // decrypts whole-file and inline vault data, like Ansible's loader
        data = parseYamlText(await readFile(f, 'utf8'), f).data ?? {};
      } catch (e) {
        const m = (e as Error).message;
        throw new ModuleFailure(m.startsWith('YAML') ? `Syntax error in ${f}: ${m}` : m);
      }
      if (typeof data !== 'object' || Array.isArray(data)) throw new ModuleFailure(`${f} must be stored as a dictionary/hash`);
      Object.assign(vars, data);
    }
    return { changed: false, ansible_facts: args.name ? { [args.name]: vars } : vars, ansible_included_var_files: files };
}
