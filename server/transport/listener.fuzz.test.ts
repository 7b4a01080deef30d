import { connect } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, fuzzTimeoutMs } from '../../fuzz/fuzz-settings.js';
import { useMockServer } from '../../test-support/use-mock-server.js';
import type { TlObject } from '../tl/types.js';

const mock = useMockServer();

/** Openings that steer random bytes into each transport, or into none. */
const OPENINGS = [
  Buffer.alloc(0),
  Buffer.from([0xef]),
  Buffer.from('eeeeeeee', 'hex'),
  Buffer.from('dddddddd', 'hex'),
  Buffer.from('16030102', 'hex'),
];

/** Sends bytes on a new socket, ends it and resolves with what the server sent before closing. */
function sendAndClose(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(bytes));
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.once('close', () => resolve(Buffer.concat(received)));
  });
}

describe('listener fuzzing', () => {
  it(
    'random streams close their socket and spare the others',
    async () => {
      const healthy = await mock.connect();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...OPENINGS),
          fc.uint8Array({ maxLength: 1024 }),
          async (opening, rest) => {
            const received = await sendAndClose(
              mock.server.port,
              Buffer.concat([opening, Buffer.from(rest)]),
            );
            // A reply, if any, is a transport error or an HTTP error page, never a large echo.
            expect(received.length).toBeLessThan(1024);
          },
        ),
        fuzzParameters(100),
      );
      const config = (await healthy.invoke({ _: 'help.getConfig' })) as TlObject;
      expect(config._).toBe('config');
    },
    fuzzTimeoutMs(),
  );
});
