// A minimal RunContext for module tests: real transport, real sleeps, the task's become
// and env passed through as the engine does. The engine owns the real implementation.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ControllerContext, RunContext } from '../../src/modules/types.js';
import type { BecomeSpec, Transport } from '../../src/transport/types.js';

export interface RunContextOptions {
  transport: Transport;
  check?: boolean;
  diff?: boolean;
  become?: BecomeSpec;
  env?: Record<string, string>;
  timeoutMs?: number;
  vars?: Record<string, unknown>;
  /** Directory that relative `files` lookups resolve against. */
  filesDir?: string;
}

export function makeRunContext(opts: RunContextOptions): RunContext & { progressLog: string[] } {
  const progressLog: string[] = [];
  const controller: ControllerContext = {
    findFile(_kind, path) {
      const full = isAbsolute(path) ? path : join(opts.filesDir ?? process.cwd(), path);
      return existsSync(full) ? full : undefined;
    },
    render: (t) => t,
    evaluate: () => {
      throw new Error('evaluate is not available in the test context');
    },
    renderFile: () => {
      throw new Error('renderFile is not available in the test context');
    },
  };
  return {
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    host: opts.transport.host,
    vars: opts.vars ?? {},
    transport: opts.transport,
    become: opts.become,
    env: opts.env,
    timeoutMs: opts.timeoutMs,
    controller,
    progressLog,
    exec(command, o = {}) {
      return opts.transport.exec(command, {
        stdin: o.stdin,
        timeoutMs: o.timeoutMs ?? opts.timeoutMs,
        become: o.noBecome ? undefined : opts.become,
        env: opts.env,
      });
    },
    progress(message) {
      progressLog.push(message);
    },
    sleep(ms) {
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
    async reconnect() {},
  };
}
