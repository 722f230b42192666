#!/usr/bin/env node
// A remote shell for rsync (synchronize's `--rsh`): instead of opening its own SSH
// connection, it hands its argv to the rackplay process that started rsync, over the
// unix socket named in RACKPLAY_RSH_SOCKET, and relays stdin, stdout, stderr and the exit
// status. rackplay runs the command on its existing connection to the host
// (src/transport/rsh-relay.ts, which also describes the frames). No dependencies: it
// starts once per transfer and must start fast.
import net from 'node:net';

const socketPath = process.env.RACKPLAY_RSH_SOCKET;
if (!socketPath) {
  process.stderr.write('rackplay-rsh: RACKPLAY_RSH_SOCKET is not set (only rackplay runs this)\n');
  process.exit(255);
}

function frame(type, payload) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

let status = 255;
let buf = Buffer.alloc(0);
const sock = net.connect(socketPath);
sock.on('error', (e) => {
  process.stderr.write(`rackplay-rsh: ${e.message}\n`);
  process.exit(255);
});
sock.write(frame('A', JSON.stringify(process.argv.slice(2))));
process.stdin.on('data', (b) => {
  if (!sock.write(frame('I', b))) {
    process.stdin.pause();
    sock.once('drain', () => process.stdin.resume());
  }
});
process.stdin.on('end', () => sock.write(frame('E', '')));
process.stdin.on('error', () => undefined);
sock.on('data', (chunk) => {
  buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  while (buf.length >= 5) {
    const len = buf.readUInt32BE(1);
    if (buf.length < 5 + len) return;
    const type = buf.toString('latin1', 0, 1);
    const payload = buf.subarray(5, 5 + len);
    buf = buf.subarray(5 + len);
    if (type === 'O') {
      if (!process.stdout.write(payload)) {
        sock.pause();
        process.stdout.once('drain', () => sock.resume());
      }
    } else if (type === 'R') process.stderr.write(payload);
    else if (type === 'X') status = payload.readUInt32BE(0);
  }
});
sock.on('close', () => {
  // exit once stdout has been flushed to rsync
  process.stdout.write('', () => process.exit(status > 255 ? 255 : status));
});
