// The modules that run commands or wait: command, shell, raw, script, ping, pause,
// wait_for and setup, and async_status for the commands run in the background, for the registry.
import { asyncStatusModule } from './async-status.js';
import { commandModule } from './command.js';
import { pauseModule } from './pause.js';
import { pingModule } from './ping.js';
import { rawModule } from './raw.js';
import { scriptModule } from './script.js';
import { setupModule } from './setup.js';
import { shellModule } from './shell.js';
import type { ModuleDef } from './types.js';
import { waitForModule } from './wait-for.js';

export const execModules: ModuleDef[] = [
  commandModule,
  shellModule,
  rawModule,
  scriptModule,
  pingModule,
  pauseModule,
  waitForModule,
  setupModule,
  asyncStatusModule,
];
