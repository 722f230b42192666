// The module argument validators as standalone code (ajv's standalone mode), generated at
// build time into precompiled-validators.js. Each entry keeps the JSON text of the schema it
// was made from: validate-args.ts uses an entry only while the module's schema is still
// exactly that, and compiles otherwise.
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import type { AnyModuleDef } from '../modules/types.js';
import { VALIDATOR_OPTIONS } from './validate-args.js';

export function precompiledValidatorsSource(defs: AnyModuleDef[]): string {
  const ajv = new Ajv({ ...VALIDATOR_OPTIONS, code: { source: true, esm: true } });
  const exports: Record<string, string> = {};
  const entries: string[] = [];
  defs.forEach((def, i) => {
    const id = `rackplay-module-${def.name}`;
    ajv.addSchema(def.schema, id);
    exports[`validate_${i}`] = id;
    entries.push(`  ${JSON.stringify(def.name)}: { schema: ${JSON.stringify(JSON.stringify(def.schema))}, validate: validate_${i} },`);
  });
  const standalone = (standaloneCode as unknown as (a: Ajv, refs: Record<string, string>) => string)(ajv, exports);
  // Ajv's ESM output still require()s its runtime helpers: import them instead, so the file
  // loads as an ES module (the default import of a CommonJS module is what require gives).
  const imports: string[] = [];
  const body = standalone.replace(/require\("([^"]+)"\)/g, (_m, spec: string) => {
    const name = `__ajvRuntime${imports.length}`;
    imports.push(`import ${name} from ${JSON.stringify(spec.endsWith('.js') ? spec : spec + '.js')};`);
    return name;
  });
  return `${imports.join('\n')}\n${body}\nexport const precompiledValidators = {\n${entries.join('\n')}\n};\n`;
}
