// Preloaded (node --import) into a docs block the runner runs: whatever port the block asks for, it gets a free loopback one.

// A block says `app.listen(3000)` because that is what a reader types; the runner must not
// fight other processes for 3000, nor open it to the network. Every net.Server is moved to
// 127.0.0.1 and port 0, and the port it asked for and the one it got are written to fd 3.
import { writeSync } from 'node:fs';
import net from 'node:net';

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (...args) {
  let asked;
  if (typeof args[0] === 'object' && args[0] !== null && 'port' in args[0]) {
    asked = Number(args[0].port ?? 0);
    args[0] = { ...args[0], port: 0, host: '127.0.0.1' };
  } else if (
    args[0] === undefined ||
    typeof args[0] === 'function' ||
    typeof args[0] === 'number' ||
    (typeof args[0] === 'string' && /^\d+$/.test(args[0]))
  ) {
    // listen(), listen(cb), listen(port[, host][, backlog][, cb])
    asked = typeof args[0] === 'function' ? 0 : Number(args[0] ?? 0);
    const callback = args.find((a) => typeof a === 'function');
    args = callback === undefined ? [0, '127.0.0.1'] : [0, '127.0.0.1', callback];
  }
  if (asked !== undefined) {
    this.once('listening', () => {
      writeSync(3, `${JSON.stringify({ asked, port: this.address().port })}\n`);
    });
  }
  return listen.apply(this, args);
};
