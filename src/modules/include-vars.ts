// include_vars: load variables from a YAML/JSON file on the controller, at include_vars
// precedence (above play and role vars).
//   - include_vars: file=guests.yml name=guest_defs
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseYamlText } from '../playbook/yaml-file.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule } from './types.js';

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
    const files: string[] = [];
    const file = args.file ?? args._raw_params;
    if (file) {
      const found = ctx.controller.findFile('vars', file);
      if (!found) throw new ModuleFailure(`Could not find or access '${file}'`);
      files.push(found);
    } else if (args.dir) {
      const dir = ctx.controller.findFile('vars', args.dir);
      if (!dir) throw new ModuleFailure(`Could not find or access '${args.dir}'`);
      const walk = async (d: string, depth: number): Promise<void> => {
        for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
          const full = path.join(d, e.name);
          if (e.isDirectory()) {
            if (args.depth === 0 || depth < args.depth) await walk(full, depth + 1);
          } else if (args.extensions.includes(path.extname(e.name).slice(1)) && !args.ignore_files.includes(e.name)) {
            if (!args.files_matching || new RegExp(args.files_matching).test(e.name)) files.push(full);
          }
        }
      };
      await walk(dir, 1);
    } else {
      throw new ModuleFailure('one of file, dir or a free-form path is required');
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
  },
});
