import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../test-support/mtproto-client.js';
import { useMockServer } from '../../test-support/use-mock-server.js';

const mock = useMockServer();

const ping = (pingId = 1n) => ({ _: 'ping', ping_id: pingId });
const isNamed = (name: string) => (message: ReceivedMessage) => message.object._ === name;

describe('new_session_created', () => {
  it('announces on the first message', async () => {
    const client = await mock.connect();
    const sent = client.sendRaw({ body: ping() });

    const created = await client.waitFor(isNamed('new_session_created'));
    expect(created.object.first_msg_id).toBe(sent.msgId);
    expect(typeof created.object.unique_id).toBe('bigint');
    expect(created.msgId % 4n).toBe(3n);
    expect(created.seqNo % 2).toBe(1);
    expect((await client.waitForResponse(sent.msgId)).object._).toBe('pong');
  });

  it('hands out an accepted server_salt', async () => {
    const client = await mock.connect();
    client.sendRaw({ body: ping() });
    const created = await client.waitFor(isNamed('new_session_created'));

    const sent = client.sendRaw({ body: ping(2n), salt: created.object.server_salt as bigint });
    expect((await client.waitForResponse(sent.msgId)).object._).toBe('pong');
  });

  it('announces each session once', async () => {
    const client = await mock.connect();
    for (let i = 0n; i < 3n; i++) {
      const sent = client.sendRaw({ body: ping(i) });
      await client.waitForResponse(sent.msgId);
    }
    const created = client.history.filter(isNamed('new_session_created'));
    expect(created).toHaveLength(1);
  });

  it('gives each session a unique_id', async () => {
    const client = await mock.connect();
    client.sendRaw({ body: ping() });
    const first = await client.waitFor(isNamed('new_session_created'));

    client.newSession();
    const sent = client.sendRaw({ body: ping(2n) });
    const second = await client.waitFor(isNamed('new_session_created'));
    expect(second.object.first_msg_id).toBe(sent.msgId);
    expect(second.sessionId).toBe(client.sessionId);
    expect(second.object.unique_id).not.toBe(first.object.unique_id);
  });
});

describe('bad_server_salt', () => {
  it('rejects salt 0 with code 48', async () => {
    const client = await mock.connect();
    const rejected = client.sendRaw({ body: ping(), salt: 0n });

    const answer = await client.waitForResponse(rejected.msgId);
    expect(answer.object).toEqual({
      _: 'bad_server_salt',
      bad_msg_id: rejected.msgId,
      bad_msg_seqno: rejected.seqNo,
      error_code: 48,
      new_server_salt: expect.any(BigInt),
    });
    expect(answer.object.new_server_salt).not.toBe(0n);
    expect(answer.msgId % 4n).toBe(1n);

    const resent = client.sendRaw({ body: ping(), salt: answer.object.new_server_salt as bigint });
    expect((await client.waitForResponse(resent.msgId)).object._).toBe('pong');
  });

  it('announces after the salt is valid', async () => {
    const client = await mock.connect();
    const rejected = client.sendRaw({ body: ping(), salt: 0n });
    const answer = await client.waitForResponse(rejected.msgId);
    expect(client.history.some(isNamed('new_session_created'))).toBe(false);

    const resent = client.sendRaw({ body: ping(), salt: answer.object.new_server_salt as bigint });
    const created = await client.waitFor(isNamed('new_session_created'));
    expect(created.object.first_msg_id).toBe(resent.msgId);
  });
});

describe('server messages', () => {
  /** Sends a mix of queries, service messages and mistakes, and waits for every response. */
  async function exchangeVariedTraffic() {
    const client = await mock.connect();
    await client.invoke({ _: 'help.getNearestDc' });
    const badSalt = client.sendRaw({ body: ping(), salt: 0n });
    await client.waitForResponse(badSalt.msgId);
    const badMsgId = client.sendRaw({ body: ping(), msgId: client.nextMsgId() + 1n });
    await client.waitForResponse(badMsgId.msgId);
    const { messages } = client.sendContainer([
      { body: ping(3n) },
      { body: { _: 'get_future_salts', num: 2 } },
      { body: { _: 'help.getConfig' } },
    ]);
    for (const message of messages) await client.waitForResponse(message.msgId);
    return client;
  }

  it('echo the session_id', async () => {
    const client = await exchangeVariedTraffic();
    expect(client.history.length).toBeGreaterThanOrEqual(7);
    for (const message of client.history) {
      expect(message.sessionId, message.object._).toBe(client.sessionId);
    }
  });

  it('echo each of two session_ids', async () => {
    const client = await mock.connect();
    const firstSession = client.sessionId;
    const first = client.sendRaw({ body: ping(1n) });
    client.newSession();
    const second = client.sendRaw({ body: ping(2n) });

    expect((await client.waitForResponse(first.msgId)).sessionId).toBe(firstSession);
    expect((await client.waitForResponse(second.msgId)).sessionId).toBe(client.sessionId);
    expect(client.sessionId).not.toBe(firstSession);
  });

  it('carry odd, increasing msg_ids', async () => {
    const client = await exchangeVariedTraffic();
    let previous = 0n;
    for (const message of client.history) {
      const expectedRemainder = message.object._ === 'new_session_created' ? 3n : 1n;
      expect(message.msgId % 4n, message.object._).toBe(expectedRemainder);
      expect(message.msgId, message.object._).toBeGreaterThan(previous);
      previous = message.msgId;
    }
  });

  it('put containers after their contents', async () => {
    const client = await exchangeVariedTraffic();
    const contained = client.history.filter((message) => message.container !== undefined);
    expect(contained.length).toBeGreaterThan(0);
    for (const message of contained) {
      expect(message.container!.msgId % 4n).toBe(1n);
      expect(message.container!.msgId).toBeGreaterThan(message.msgId);
    }
  });
});
