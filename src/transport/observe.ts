// A transport that passes everything through to another one and tells observers what it is
// asked to do: the -vvv trace (trace.ts) and the run's write count (engine/probe-batch.ts)
// both watch a connection without changing what it does.
import type { BecomeSpec, ExecOptions, PutOptions, Transport } from './types.js';

export interface TransportObserver {
  exec?(command: string, opts: ExecOptions | undefined): void;
  put?(path: string, opts: PutOptions | undefined): void;
  get?(path: string, opts: { become?: BecomeSpec } | undefined): void;
}

export function observeTransport(t: Transport, o: TransportObserver): Transport {
  return {
    get host() {
      return t.host;
    },
    get stats() {
      return t.stats;
    },
    get streams() {
      return t.streams;
    },
    exec(command, opts) {
      o.exec?.(command, opts);
      return t.exec(command, opts);
    },
    put(path, content, opts) {
      o.put?.(path, opts);
      return t.put(path, content, opts);
    },
    get(path, opts) {
      o.get?.(path, opts);
      return t.get(path, opts);
    },
    close: () => t.close(),
  };
}
