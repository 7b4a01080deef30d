import { randomBytes } from 'node:crypto';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { MtprotoClient } from '../../test-support/mtproto-client.js';
import { useMockServer } from '../../test-support/use-mock-server.js';

const mock = useMockServer();

const ping = (pingId = 1n) => ({ _: 'ping', ping_id: pingId });

/** Wraps a serialized object in gzip_packed, compressed with `compress`. */
function gzipPacked(client: MtprotoClient, body: Buffer, compress: (data: Buffer) => Buffer) {
  return client.encode({ _: 'gzip_packed', packed_data: compress(body) });
}

describe('msg_container from the client', () => {
  it('answers each contained query', async () => {
    const client = await mock.connect();
    const { messages } = client.sendContainer([
      { body: { _: 'help.getNearestDc' } },
      { body: { _: 'help.getConfig' } },
      { body: ping(7n) },
    ]);

    const nearest = await client.waitForResponse(messages[0].msgId);
    expect(nearest.object._).toBe('rpc_result');
    expect(nearest.object.req_msg_id).toBe(messages[0].msgId);
    expect(nearest.object.result).toMatchObject({ _: 'nearestDc', this_dc: 2 });

    const config = await client.waitForResponse(messages[1].msgId);
    expect(config.object._).toBe('rpc_result');
    expect(config.object.req_msg_id).toBe(messages[1].msgId);
    expect(config.object.result).toMatchObject({ _: 'config', this_dc: 2 });

    const pong = await client.waitForResponse(messages[2].msgId);
    expect(pong.object).toEqual({ _: 'pong', msg_id: messages[2].msgId, ping_id: 7n });
  });

  it('accepts a container first', async () => {
    const client = await mock.connect();
    const { container, messages } = client.sendContainer([
      { body: { _: 'msgs_ack', msg_ids: [] } },
      { body: { _: 'help.getNearestDc' } },
    ]);

    const answer = await client.waitForResponse(messages[1].msgId);
    expect(answer.object.result).toMatchObject({ _: 'nearestDc' });
    const created = client.history.find((message) => message.object._ === 'new_session_created');
    expect(created?.object.first_msg_id).toBe(container.msgId);
  });
});

describe('msg_container from the server', () => {
  it('packs one flush into one container', async () => {
    const client = await mock.connect();
    const { messages } = client.sendContainer([
      { body: { _: 'help.getNearestDc' } },
      { body: ping(1n) },
      { body: ping(2n) },
    ]);
    const answers = [];
    for (const message of messages) answers.push(await client.waitForResponse(message.msgId));

    const container = answers[0].container;
    expect(container).toBeDefined();
    for (const answer of answers) {
      expect(answer.container?.msgId).toBe(container!.msgId);
      expect(answer.msgId).toBeLessThan(container!.msgId);
    }
    expect(container!.seqNo % 2).toBe(0);
  });
});

describe('gzip_packed from the client', () => {
  const formats = [
    ['gzip', gzipSync],
    ['zlib', deflateSync],
  ] as const;

  it.each(formats)('unpacks a query in %s form', async (_format, compress) => {
    const client = await mock.connect();
    const query = client.encode({ _: 'help.getNearestDc' });
    const sent = client.sendRaw({ body: gzipPacked(client, query, compress) });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object._).toBe('rpc_result');
    expect(answer.object.result).toMatchObject({ _: 'nearestDc', this_dc: 2 });
  });

  it.each(formats)('unpacks a ping in %s form', async (_format, compress) => {
    const client = await mock.connect();
    const sent = client.sendRaw({ body: gzipPacked(client, client.encode(ping(5n)), compress) });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object).toEqual({ _: 'pong', msg_id: sent.msgId, ping_id: 5n });
  });

  it('unpacks a query in a container', async () => {
    const client = await mock.connect();
    const packed = gzipPacked(client, client.encode({ _: 'help.getNearestDc' }), gzipSync);
    const { messages } = client.sendContainer([{ body: packed }, { body: ping() }]);

    const answer = await client.waitForResponse(messages[0].msgId);
    expect(answer.object.result).toMatchObject({ _: 'nearestDc' });
  });

  it('rejects a gzip bomb and recovers', async () => {
    const client = await mock.connect();
    // 17 MiB of zeros compress to about 17 KiB and inflate past the 16 MiB limit.
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024));
    const sent = client.sendRaw({ body: client.encode({ _: 'gzip_packed', packed_data: bomb }) });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object._).toBe('rpc_result');
    expect(answer.object.result).toEqual({
      _: 'rpc_error',
      error_code: 400,
      error_message: 'INPUT_FETCH_ERROR',
    });
    const check = client.sendRaw({ body: ping() });
    expect((await client.waitForResponse(check.msgId)).object._).toBe('pong');
  });

  it('rejects bytes that are not gzip', async () => {
    const client = await mock.connect();
    const garbage = client.encode({ _: 'gzip_packed', packed_data: randomBytes(64) });
    const sent = client.sendRaw({ body: garbage });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object.result).toMatchObject({ _: 'rpc_error', error_code: 400 });
  });
});
