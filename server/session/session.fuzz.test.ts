import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, fuzzTimeoutMs } from '../../fuzz/fuzz-settings.js';
import type { MtprotoClient, ReceivedMessage } from '../../test-support/mtproto-client.js';
import { useMockServer } from '../../test-support/use-mock-server.js';
import { TlWriter } from '../binary/tl-writer.js';
import type { TlObject } from '../tl/types.js';
import { createMemoryLogger, LEVEL } from '../transport/testing/memory-logger.js';
import { GZIP_PACKED_ID } from './message-container.js';

const MAX_GZIP_OUTPUT = 64 * 1024;
const memoryLog = createMemoryLogger();
const mock = useMockServer({ limits: { maxGzipOutput: MAX_GZIP_OUTPUT }, logger: memoryLog.log });

/** Counts the warnings logged since `start` whose reason or message matches. */
function warningsSince(start: number, pattern: RegExp): number {
  return memoryLog.records
    .slice(start)
    .filter((record) => record.level === LEVEL.warn)
    .filter((record) => pattern.test(String(record.reason ?? record.msg))).length;
}

/** Checks that a healthy connection still gets responses while another one is fuzzed. */
async function expectHealthy(client: MtprotoClient): Promise<void> {
  const config = (await client.invoke({ _: 'help.getConfig' })) as TlObject;
  expect(config._).toBe('config');
}

function rpcError(message: ReceivedMessage): TlObject | undefined {
  const result = message.object.result as TlObject | undefined;
  return result?._ === 'rpc_error' ? result : undefined;
}

function gzipPacked(content: Buffer): Buffer {
  return new TlWriter().uint(GZIP_PACKED_ID).bytes(gzipSync(content)).finish();
}

describe('session fuzzing', () => {
  it(
    'random ciphertext under a known auth key gets -404',
    async () => {
      const healthy = await mock.connect();
      const fuzzed = await mock.connect();
      const keyId = Buffer.alloc(8);
      keyId.writeBigInt64LE(fuzzed.authKey.authKeyId);
      const logStart = memoryLog.records.length;
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc
            .integer({ min: 0, max: 256 })
            .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
          async (ciphertext) => {
            runs += 1;
            fuzzed.sendPacket(Buffer.concat([keyId, ciphertext]));
            await expect(fuzzed.receive()).rejects.toMatchObject({ code: -404 });
          },
        ),
        fuzzParameters(100),
      );
      // Packets shorter than the header and one block are logged as too short instead.
      expect(warningsSince(logStart, /message decryption failed|encrypted packet too short/)).toBe(
        runs,
      );
      await expectHealthy(healthy);
      await expectHealthy(fuzzed);
    },
    fuzzTimeoutMs(),
  );

  it(
    'random decrypted bodies get INPUT_* errors or bad_msg_notification',
    async () => {
      const healthy = await mock.connect();
      const fuzzed = await mock.connect();
      await expectHealthy(fuzzed);
      await fc.assert(
        fc.asyncProperty(
          fc
            .integer({ min: 1, max: 128 })
            .chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 })),
          async (body) => {
            const sent = fuzzed.sendRaw({ body: Buffer.from(body) });
            const response = await fuzzed.waitForResponse(sent.msgId);
            const error = rpcError(response);
            if (error === undefined) {
              expect(response.object._).toBe('bad_msg_notification');
            } else {
              expect(error.error_code).toBe(400);
              expect(error.error_message).toMatch(/^INPUT_/);
            }
          },
        ),
        fuzzParameters(100),
      );
      await expectHealthy(healthy);
      await expectHealthy(fuzzed);
    },
    fuzzTimeoutMs(),
  );

  it(
    'gzip bombs get INPUT_FETCH_ERROR',
    async () => {
      const healthy = await mock.connect();
      const fuzzed = await mock.connect();
      await expectHealthy(fuzzed);
      const logStart = memoryLog.records.length;
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: MAX_GZIP_OUTPUT + 1, max: 8 * 1024 * 1024 }),
          fc.integer({ min: 0, max: 255 }),
          async (size, fill) => {
            runs += 1;
            const sent = fuzzed.sendRaw({
              body: gzipPacked(Buffer.alloc(size, fill)),
              contentRelated: true,
            });
            const error = rpcError(await fuzzed.waitForResponse(sent.msgId));
            expect(error?.error_code).toBe(400);
            expect(error?.error_message).toBe('INPUT_FETCH_ERROR');
          },
        ),
        fuzzParameters(20),
      );
      expect(warningsSince(logStart, /invalid gzip_packed/)).toBe(runs);
      await expectHealthy(healthy);
    },
    fuzzTimeoutMs(),
  );

  it('gzip_packed below the limit is processed', async () => {
    const client = await mock.connect();
    await expectHealthy(client);
    const ping = client.encode({ _: 'ping', ping_id: 77n });
    const sent = client.sendRaw({ body: gzipPacked(ping), contentRelated: true });

    const pong = await client.waitForResponse(sent.msgId);
    expect(pong.object._).toBe('pong');
    expect(pong.object.ping_id).toBe(77n);
  });
});
