// include_vars: load variables from a YAML/JSON file on the controller, at include_vars
// precedence (above play and role vars).
//   - include_vars: file=guests.yml name=guest_defs
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseYamlText } from '../playbook/yaml-file.js';
import { isDict } from '../template/python.js';
import { mergeHash } from '../template/merge-hash.js';
import { pyRegex } from '../template/regex.js';
import type { FromSchema } from 'json-schema-to-ts';
import { defineModule } from './types.js';

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
    const roleStr = typeof ctx.vars.role_path === 'string' ? ctx.vars.role_path : '';
    if (!args.dir && !args.file && args._raw_params === undefined) ctx.warn?.('Invalid request to find a file that matches a "null" value');
    const where = { findFile: ctx.controller.findFile.bind(ctx.controller), rolePath: roleStr, taskDir: ctx.controller.taskDir ?? '' };
    const outcome = await includeVars(args, where);
    let facts = args.name ? { [args.name]: outcome.vars } : outcome.vars;
    if (!outcome.error && args.hash_behaviour === 'merge') {
      // merged with the variables' current values, as Ansible's combine_vars(merge=True)
      facts = Object.fromEntries(Object.entries(facts).map(([k, v]) => [k, isDict(ctx.vars[k]) && isDict(v) ? mergeHash(ctx.vars[k], v) : v]));
    }
    // Ansible's include_vars action reports its own failures under `message`, not `msg`.
    if (outcome.error) return { changed: false, failed: true, message: outcome.error, ansible_facts: facts, ansible_included_var_files: outcome.files };
    return { changed: false, ansible_facts: facts, ansible_included_var_files: outcome.files };
  },
});

const NOT_ON_CONTROLLER = ' on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option';

interface Where {
  findFile: (kind: 'vars', name: string) => string | undefined;
  rolePath: string;
  taskDir: string;
}

interface Outcome {
  vars: Record<string, unknown>;
  files: string[];
  error?: string;
}

/** Ansible's include_vars action: a file from the vars search path, or every file of a directory tree. */
async function includeVars(args: FromSchema<typeof schema>, where: Where): Promise<Outcome> {
  const files: string[] = [];
  const vars: Record<string, unknown> = {};
  const load = async (f: string): Promise<string | undefined> => {
    let data: unknown;
    try {
      // decrypts whole-file and inline vault data, like Ansible's loader
      data = parseYamlText(await readFile(f, 'utf8'), f).data || {};
    } catch (e) {
      const m = (e as Error).message;
      return m.startsWith('YAML') ? `Syntax error in ${f}: ${m}` : m;
    }
    if (!isDict(data)) return `${f} must be stored as a dictionary/hash`;
    files.push(f);
    Object.assign(vars, data);
    return undefined;
  };
  if (!args.dir) {
    // a folded free-form path ends in a newline Ansible strips
    const file = args.file || args._raw_params?.replace(/\n+$/, '');
    if (!file) return { vars, files, error: `Could not find file${NOT_ON_CONTROLLER}` };
    const found = where.findFile('vars', file);
    if (!found) return { vars, files, error: `Could not find or access '${file}'${NOT_ON_CONTROLLER}` };
    return { vars, files, error: await load(found) };
  }
  const dir = sourceDir(args.dir, where);
  const st = await stat(dir).catch(() => undefined);
  if (!st) return { vars, files, error: `${dir} directory does not exist` };
  if (!st.isDirectory()) return { vars, files, error: `${dir} is not a directory` };
  const matcher = args.files_matching ? pyRegex(args.files_matching) : undefined;
  const ignored = (name: string) => args.ignore_files.some((p) => pyRegex(`${p}$`).test(name));
  const valid = (name: string) => args.extensions.includes(path.extname(name).slice(1));
  // os.walk's directories sorted by path, and `depth` counts them in that order, as Ansible does
  const dirs = (await walkDirs(dir)).sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  const taken = args.depth ? dirs.slice(0, args.depth) : dirs;
  for (const { root, names } of taken) {
    const before = { ...vars };
    for (const name of names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (matcher && !matcher.test(name)) continue;
      if (ignored(name) || (args.ignore_unknown_extensions && !valid(name))) continue;
      const full = path.join(root, name);
      const error = valid(name) ? await load(full) : `${full} does not have a valid extension: ${args.extensions.join(', ')}`;
      if (error) {
        // the failing directory's variables are dropped; earlier directories' stay in the result
        for (const k of Object.keys(vars)) delete vars[k];
        Object.assign(vars, before);
        return { vars, files, error };
      }
    }
  }
  return { vars, files };
}

/** Where `dir:` points: under the role's vars/ (or the role itself for vars/...), else next to the task's file. */
function sourceDir(dir: string, where: Where): string {
  if (where.rolePath) {
    if (dir.split('/')[0] === 'vars') {
      const inRole = path.join(where.rolePath, dir);
      return existsSync(inRole) ? inRole : dir;
    }
    return path.join(where.rolePath, 'vars', dir);
  }
  return path.join(where.taskDir, dir);
}

async function walkDirs(top: string): Promise<{ root: string; names: string[] }[]> {
  const out: { root: string; names: string[] }[] = [];
  const visit = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    out.push({ root: d, names: entries.filter((e) => !e.isDirectory()).map((e) => e.name) });
    for (const e of entries) if (e.isDirectory()) await visit(path.join(d, e.name));
  };
  await visit(top);
  return out;
}
