// Role argument specs: as Ansible's Role._prepend_validation_task, a role whose
// meta/argument_specs.yml (or the argument_specs key of meta/main.yml) has a spec for the
// entry point being loaded gets a validate_argument_spec task before its own tasks,
// tagged `always`, named after the entry point and its short_description.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findWithExts, isDict, type Dict } from './loader-base.js';
import type { DocPath, YamlFile } from './yaml-file.js';

export interface ValidationTask {
  /** The task as it would be written in YAML. */
  ds: Dict;
  /** The file holding the spec, for positions. */
  y: YamlFile;
  path: DocPath;
}

/** Where the specs are: meta/argument_specs.{yml,yaml,json} first, else meta/main.yml's key. */
async function readSpecs(dir: string, read: (file: string) => Promise<YamlFile>): Promise<{ specs: unknown; y?: YamlFile }> {
  for (const ext of ['.yml', '.yaml', '.json']) {
    const file = path.join(dir, 'meta', `argument_specs${ext}`);
    if (!existsSync(file)) continue;
    const y = await read(file);
    return { specs: isDict(y.data) ? y.data.argument_specs : undefined, y };
  }
  const main = findWithExts(path.join(dir, 'meta'), 'main');
  if (!main) return { specs: undefined };
  const y = await read(main);
  return { specs: isDict(y.data) ? y.data.argument_specs : undefined, y };
}

export async function roleValidationTask(
  role: { dir: string; name: string; entry: string; params: Dict },
  read: (file: string) => Promise<YamlFile>,
): Promise<ValidationTask | undefined> {
  const { specs, y } = await readSpecs(role.dir, read);
  if (!y || !isDict(specs)) return undefined;
  const spec = specs[role.entry];
  // Ansible tests the entry's spec for truth: an empty one adds no task
  if (spec === undefined || spec === null || spec === '' || (isDict(spec) && !Object.keys(spec).length)) return undefined;
  const data = isDict(spec) ? spec : {};
  let name = `Validating arguments against arg spec '${role.entry}'`;
  if ('short_description' in data) name += ` - ${String(data.short_description)}`;
  return {
    ds: {
      'ansible.builtin.validate_argument_spec': {
        argument_spec: 'options' in data ? data.options : {},
        provided_arguments: role.params,
        validate_args_context: { type: 'role', name: role.name, argument_spec_name: role.entry, path: role.dir },
      },
      name,
      tags: ['always'],
    },
    y,
    path: ['argument_specs', role.entry],
  };
}
