// A transport that tells each command it sends, as the host's shell will run it (become
// included), for `-vvv` ("<host> EXEC /bin/sh -c '...'", as Ansible's connection plugins
// show it). Commands carry no secrets: passwords and file contents travel on stdin.
import { wrapBecome } from './become.js';
import type { Transport } from './types.js';

export function tracedTransport(t: Transport, trace: (command: string) => void): Transport {
  return {
    get host() {
      return t.host;
    },
    get stats() {
      return t.stats;
    },
    exec(command, opts) {
      trace(wrapBecome(command, opts?.become));
      return t.exec(command, opts);
    },
    put: (path, content, opts) => t.put(path, content, opts),
    get: (path, opts) => t.get(path, opts),
    close: () => t.close(),
  };
}
