// Password prompts and stdin reads that share one buffer: with stdin piped (scripts,
// tests), a password prompt takes one line and whatever follows stays available to the
// next prompt or to `ansible-vault encrypt` reading its plaintext from stdin.
import { createInterface } from 'node:readline';
import { errPromptEof } from '../errors.js';

let pending: Buffer = Buffer.alloc(0);
let ended = false;

function readChunk(): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onEnd);
      stdin.pause();
    };
    const onData = (b: Buffer) => {
      cleanup();
      resolve(b);
    };
    const onEnd = () => {
      cleanup();
      ended = true;
      resolve(null);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onEnd);
    stdin.resume();
  });
}

async function readLineFromPipe(): Promise<string | null> {
  for (;;) {
    const nl = pending.indexOf(0x0a);
    if (nl >= 0) {
      const line = pending.subarray(0, nl).toString('utf8');
      pending = pending.subarray(nl + 1);
      return line.replace(/\r$/, '');
    }
    if (ended) {
      if (!pending.length) return null;
      const line = pending.toString('utf8');
      pending = Buffer.alloc(0);
      return line;
    }
    const chunk = await readChunk();
    if (chunk) pending = Buffer.concat([pending, chunk]);
  }
}

/** All of stdin (after anything prompts already consumed). */
export async function readAllStdin(): Promise<Buffer> {
  const parts: Buffer[] = [pending];
  pending = Buffer.alloc(0);
  while (!ended) {
    const chunk = await readChunk();
    if (chunk) parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Ask for a secret: hidden on a terminal, one line from stdin otherwise. */
export async function promptHidden(prompt: string, opts: { show?: boolean } = {}): Promise<string> {
  process.stderr.write(prompt);
  if (!process.stdin.isTTY) {
    const line = await readLineFromPipe();
    process.stderr.write('\n');
    if (line === null) throw errPromptEof(prompt.trim(), { hint: 'stdin ended before a password was given' });
    return line;
  }
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (!opts.show) (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
