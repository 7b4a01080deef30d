import { createServer } from 'node:net';
import { startMockServer } from '../server/mock-server.js';

/**
 * Child process of the benchmarks: `mock` starts the mock server, `echo` a plain TCP echo
 * server. It sends `{ready, port, publicKeyPem}` over IPC and then replies to `memory` and `cpu`
 * requests with process.memoryUsage() and process.cpuUsage(), after a GC when --expose-gc is on.
 */
async function main(): Promise<void> {
  const mode = process.argv[2];
  let port: number;
  let publicKeyPem = '';
  if (mode === 'mock') {
    const server = await startMockServer({ port: 0, logLevel: 'silent' });
    port = server.port;
    publicKeyPem = server.serverKey.publicKeyPem;
  } else if (mode === 'echo') {
    const echo = createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    port = (echo.address() as { port: number }).port;
  } else {
    throw new Error(`unknown mode "${mode}": expected mock or echo`);
  }

  process.on('message', (request: string) => {
    if (request === 'memory') {
      global.gc?.();
      process.send?.({ memory: process.memoryUsage() });
    } else if (request === 'cpu') {
      process.send?.({ cpu: process.cpuUsage() });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true, port, publicKeyPem });
}

void main();
