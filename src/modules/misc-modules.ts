// assemble, validate_argument_spec, set_stats, pip and expect, for the registry.
import { assembleModule } from './assemble.js';
import { expectModule } from './expect.js';
import { gatherFactsModule } from './gather-facts.js';
import { pipModule } from './pip.js';
import { setStatsModule } from './set-stats.js';
import type { ModuleDef } from './types.js';
import { validateArgumentSpecModule } from './validate-argument-spec.js';

export const miscModules: ModuleDef[] = [assembleModule, validateArgumentSpecModule, setStatsModule, gatherFactsModule, pipModule, expectModule];
