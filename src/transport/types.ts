// The transport contract. SSH and local implement it; nothing above this layer knows
// which one it talks to. A transport holds one persistent connection per host.

export interface BecomeSpec {
  /** Target user; Ansible's default is root. */
  user: string;
  method: 'sudo' | 'su';
  /** Extra flags for the become tool, as Ansible's become_flags. */
  flags?: string;
  /** Sent on stdin, never on a command line. */
  password?: string;
}

export interface ExecOptions {
  /** Data for the command's stdin (after any become password). */
  stdin?: string | Buffer;
  /** Kill the command and reject with TaskTimeoutError after this long. */
  timeoutMs?: number;
  become?: BecomeSpec;
  /** Exported for the command (names must be valid shell identifiers). */
  env?: Record<string, string>;
  /** Called with output as it arrives, for long tasks that show they are alive. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** A probe: it only reads, so saved probe results stay valid after it (engine/probe-batch.ts). */
  readOnly?: boolean;
  /**
   * A long-lived byte pipe instead of one buffer each way (synchronize's rsync protocol):
   * stdin streams from `stdin` after any become password, stdout goes to `stdout` and is
   * not collected. Only transports whose `streams` is true honour it.
   */
  pipe?: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream };
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  /** The raw bytes of stdout, for binary-safe probes. */
  stdoutBytes: Buffer;
}

export interface PutOptions {
  /** Octal mode string like '0644' applied before the file appears at its path. */
  mode?: string;
  become?: BecomeSpec;
}

export interface TransportStats {
  execs: number;
  puts: number;
  gets: number;
  connects: number;
}

export interface Transport {
  /** Inventory name of the host this transport talks to. */
  readonly host: string;
  /** Honours ExecOptions.pipe (SSH). */
  readonly streams?: boolean;
  /** Run `command` with /bin/sh -c on the host. Never rejects for a non-zero rc. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Write `content` to `path` atomically: into a temporary file in the same directory,
   * then renamed over the destination, so a reader sees the old or the new file and
   * never a partial one. Rejects if the directory does not exist.
   */
  put(path: string, content: Buffer, opts?: PutOptions): Promise<void>;
  /** Read a whole file. */
  get(path: string, opts?: { become?: BecomeSpec }): Promise<Buffer>;
  close(): Promise<void>;
  readonly stats: TransportStats;
}

/** The host cannot be reached (connect, auth, host key, or the connection died). */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}

export class TaskTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`The task timed out after ${Math.round(timeoutMs / 1000)} seconds`);
    this.name = 'TaskTimeoutError';
  }
}
