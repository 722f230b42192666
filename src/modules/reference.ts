// The module reference (docs/modules.md) is generated from the same schemas the runner
// validates with, so the docs cannot drift from the code.
import type { ModuleRegistry } from './registry.js';
import type { ModuleDef } from './types.js';

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (typeof schema.type === 'string') return schema.type === 'array' && schema.items && typeof (schema.items as { type?: string }).type === 'string' ? `list of ${(schema.items as { type: string }).type}` : schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(' \\| ');
  const alts = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (alts) return [...new Set(alts.map(typeOf))].join(' \\| ');
  return 'any';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function moduleReference(def: ModuleDef): string {
  const schema = def.schema as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const names = [def.name, ...(def.aliases ?? [])];
  let md = `## ${def.name}\n\n${def.summary}.\n\n`;
  md += `Names: ${names.map((n) => `\`${n}\``).join(', ')}${names.some((n) => n.includes('.')) ? '' : ` (also \`ansible.builtin.${def.name}\`)`}. `;
  md += `Check mode: ${def.checkMode === 'skip' ? 'skipped (cannot predict)' : 'supported'}.`;
  if (def.controllerOnly) md += ' Runs on the controller only.';
  md += '\n\n';
  const props = Object.entries(schema.properties ?? {}).filter(([k]) => !k.startsWith('_') || k === def.freeForm);
  if (def.freeForm) md += `Free-form: the text after the module name goes into \`${def.freeForm}\`.\n\n`;
  if (props.length) {
    md += '| argument | type | default | required | aliases |\n| --- | --- | --- | --- | --- |\n';
    const aliasesOf = (arg: string) => Object.entries(def.argAliases ?? {}).filter(([, to]) => to === arg).map(([from]) => `\`${from}\``).join(', ');
    for (const [name, p] of props) {
      const dflt = p.default === undefined ? '' : `\`${cell(JSON.stringify(p.default))}\``;
      md += `| \`${name}\` | ${cell(typeOf(p))} | ${dflt} | ${schema.required?.includes(name) ? 'yes' : ''} | ${aliasesOf(name)} |\n`;
    }
    md += '\n';
  }
  return md;
}

export function moduleReferenceDocument(registry: ModuleRegistry): string {
  const defs = registry.modules().sort((a, b) => a.name.localeCompare(b.name));
  let md = '# Module reference\n\n';
  md += 'Generated from the argument schemas rackplay validates with (`npm test` fails when this file is out of date; regenerate with `UPDATE_DOCS=1 npx vitest run test/unit/docs-modules.test.ts`).\n';
  md += 'Modules that share a name with `ansible.builtin.X` take the same arguments and behave the same; differences are listed in each module\'s source file.\n\n';
  md += defs.map((d) => `- [${d.name}](#${d.name.replace(/[^a-z0-9_-]/gi, '').toLowerCase()}) — ${d.summary}`).join('\n') + '\n\n';
  return md + defs.map(moduleReference).join('');
}
