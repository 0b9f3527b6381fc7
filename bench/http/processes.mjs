// The HTTP benchmark's server processes: CPU pinning with taskset, readiness, CPU time, clean shutdown.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SERVER_SCRIPT = fileURLToPath(new URL('./server.mjs', import.meta.url));
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** Every server still running, so that an exit of this process can still kill them. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function findTaskset() {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/bin', '/bin')) {
    if (dir !== '' && existsSync(`${dir}/taskset`)) return `${dir}/taskset`;
  }
  return undefined;
}

// `taskset -cp PID` prints "pid 123's current affinity list: 0,1" (lists may hold ranges: 0-3,6).
function parseCpuList(text) {
  const list = text.slice(text.lastIndexOf(':') + 1).trim();
  const cpus = [];
  for (const part of list.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let c = from; c <= to; c++) cpus.push(c);
  }
  return cpus.every(Number.isInteger) ? cpus : [];
}

/**
 * Pins this process (every thread: the load generator) to one CPU and returns where servers
 * should go, or why nothing was pinned. `restore()` puts this process's affinity back.
 *
 * @example
 * const pin = pinLoadGenerator(); // { pinned: true, loadCpu: 0, serverCpu: 1, restore }
 */
export function pinLoadGenerator() {
  const taskset = findTaskset();
  const unpinned = (reason) => ({ pinned: false, reason, taskset, restore: () => {} });
  if (taskset === undefined) return unpinned('taskset not found');
  const current = spawnSync(taskset, ['-cp', String(process.pid)], { encoding: 'utf8' });
  if (current.status !== 0) return unpinned(`taskset failed: ${current.stderr.trim()}`);
  const cpus = parseCpuList(current.stdout);
  if (cpus.length < 2) return unpinned(`only ${cpus.length} CPU(s) available to this process`);
  const [loadCpu, serverCpu] = cpus;
  const set = (list) => spawnSync(taskset, ['-a', '-cp', list, String(process.pid)], { encoding: 'utf8' });
  const pinned = set(String(loadCpu));
  if (pinned.status !== 0) return unpinned(`taskset failed: ${pinned.stderr.trim()}`);
  return {
    pinned: true,
    loadCpu,
    serverCpu,
    taskset,
    restore: () => {
      set(cpus.join(','));
    },
  };
}

/**
 * Starts `server.mjs` for one framework and variant in a child process, on `pin.serverCpu`
 * when pinning is on, and resolves once it prints its port. `nodeArgs` go to that node
 * (for example `--cpu-prof`). Rejects, with the child's stderr, if it fails to start.
 *
 * @example
 * const server = await startServer('koa', 'tollgate', pin);
 * // ... load http://127.0.0.1:${server.port}/hello
 * await server.stop();
 */
export function startServer(framework, variant, pin, nodeArgs = []) {
  const nodeCommand = [process.execPath, ...nodeArgs, SERVER_SCRIPT, framework, variant];
  const [command, ...args] = pin.pinned
    ? [pin.taskset, '-c', String(pin.serverCpu), ...nodeCommand]
    : nodeCommand;
  // taskset execs node in place, so the child's pid is the server's.
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => running.delete(child));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    let stdout = '';
    let ready = false;
    const fail = (why, alive = true) => {
      clearTimeout(timer);
      const message = `server ${framework}/${variant} ${why}${stderr ? `:\n${stderr}` : ''}`;
      if (alive) stop().then(() => reject(new Error(message)));
      else reject(new Error(message));
    };
    const timer = setTimeout(() => fail(`did not start within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    const onEarlyExit = (code, signal) =>
      fail(`exited before it was ready (${signal ?? `code ${code}`})`, false);
    child.once('exit', onEarlyExit);
    child.once('error', (e) => {
      running.delete(child);
      fail(`could not be spawned (${e.message})`, false);
    });
    // Read stdout to the end, so that a chatty server can never block on a full pipe.
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      if (ready) return;
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      ready = true;
      child.off('exit', onEarlyExit);
      clearTimeout(timer);
      let port;
      try {
        ({ port } = JSON.parse(stdout.slice(0, newline)));
      } catch {
        fail(`printed ${JSON.stringify(stdout.slice(0, newline))} instead of {"port":N}`);
        return;
      }
      resolve({ framework, variant, pid: child.pid, port, stop, cpuSeconds: () => cpuSeconds(child.pid) });
    });
  });
}

let ticksPerSecond;

/** User + system CPU seconds a process has used so far, from /proc; undefined where there is no /proc. */
export function cpuSeconds(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  if (ticksPerSecond === undefined) {
    const tck = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticksPerSecond = Number(tck.stdout) > 0 ? Number(tck.stdout) : 100;
  }
  // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
