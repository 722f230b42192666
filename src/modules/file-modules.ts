// The file modules, for the registry.
import { blockinfileModule } from './blockinfile.js';
import { copyModule } from './copy.js';
import { fetchModule } from './fetch.js';
import { fileModule } from './file.js';
import { findModule } from './find.js';
import { lineinfileModule } from './lineinfile.js';
import { replaceModule } from './replace.js';
import { slurpModule } from './slurp.js';
import { statModule } from './stat.js';
import { tempfileModule } from './tempfile.js';
import { templateModule } from './template.js';
import type { ModuleDef } from './types.js';

export const fileModules: ModuleDef[] = [
  copyModule,
  templateModule,
  fileModule,
  lineinfileModule,
  blockinfileModule,
  replaceModule,
  statModule,
  slurpModule,
  fetchModule,
  findModule,
  tempfileModule,
];
