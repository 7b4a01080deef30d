import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import type {
  MtprotoClient,
  OutgoingMessage,
  SentMessage,
} from '../../test-support/mtproto-client.js';
import { useMockServer } from '../../test-support/use-mock-server.js';

// The server and its clients run 1000 s ahead of the system clock, so a notification whose
// msg_id carries the system time, or echoes the client's msg_id, fails the time checks.
const serverClock: Clock = { now: () => Date.now() + 1_000_000 };
const mock = useMockServer({ clock: serverClock });

const ping = (pingId = 1n) => ({ _: 'ping', ping_id: pingId });

/**
 * Waits for the response to `rejected` and checks that it is bad_msg_notification with `code`,
 * sent with an odd msg_id that carries the server's time. Then checks that the session still
 * responds to a correct ping.
 */
async function expectNotification(
  client: MtprotoClient,
  rejected: SentMessage,
  code: number,
  sentAt: number,
): Promise<void> {
  const answer = await client.waitForResponse(rejected.msgId);
  const receivedAt = serverClock.now();

  expect(answer.object).toEqual({
    _: 'bad_msg_notification',
    bad_msg_id: rejected.msgId,
    bad_msg_seqno: rejected.seqNo,
    error_code: code,
  });
  expect(answer.msgId % 4n).toBe(1n);
  const seconds = Number(answer.msgId >> 32n);
  expect(seconds).toBeGreaterThanOrEqual(Math.floor(sentAt / 1000));
  expect(seconds).toBeLessThanOrEqual(Math.floor(receivedAt / 1000));
  expect(answer.sessionId).toBe(client.sessionId);

  const check = client.sendRaw({ body: ping(99n) });
  expect((await client.waitForResponse(check.msgId)).object._).toBe('pong');
}

/** Sends one message and expects bad_msg_notification with `code` for it. */
async function sendAndExpect(
  client: MtprotoClient,
  message: OutgoingMessage,
  code: number,
): Promise<void> {
  const sentAt = serverClock.now();
  await expectNotification(client, client.sendRaw(message), code, sentAt);
}

describe('bad_msg_notification', () => {
  it('code 16: msg_id too old', async () => {
    const client = await mock.connect();
    const msgId = client.msgIdAt(serverClock.now() - 400_000);
    await sendAndExpect(client, { body: ping(), msgId }, 16);
  });

  it('code 17: msg_id too new', async () => {
    const client = await mock.connect();
    const msgId = client.msgIdAt(serverClock.now() + 60_000);
    await sendAndExpect(client, { body: ping(), msgId }, 17);
  });

  it.each([1n, 2n, 3n])('code 18: msg_id mod 4 = %s', async (remainder) => {
    const client = await mock.connect();
    const msgId = client.nextMsgId() + remainder;
    await sendAndExpect(client, { body: ping(), msgId }, 18);
  });

  it('code 19: container reuses a msg_id', async () => {
    const client = await mock.connect();
    const first = client.sendRaw({ body: ping() });
    await client.waitForResponse(first.msgId);

    const sentAt = serverClock.now();
    const { container } = client.sendContainer([{ body: ping(2n) }], { msgId: first.msgId });
    await expectNotification(client, container, 19, sentAt);
  });

  it('code 32: seq_no too low', async () => {
    const client = await mock.connect();
    for (const pingId of [1n, 2n]) {
      const sent = client.sendRaw({ body: ping(pingId) });
      await client.waitForResponse(sent.msgId);
    }
    // The two pings took seq_nos 1 and 3.
    await sendAndExpect(client, { body: ping(3n), seqNo: 1 }, 32);
  });

  it('code 32: odd seq_no repeated', async () => {
    const client = await mock.connect();
    const first = client.sendRaw({ body: ping() });
    await client.waitForResponse(first.msgId);
    await sendAndExpect(client, { body: ping(2n), seqNo: first.seqNo }, 32);
  });

  it('code 33: seq_no too high', async () => {
    const client = await mock.connect();
    const olderMsgId = client.nextMsgId();
    const newer = client.sendRaw({ body: ping() });
    await client.waitForResponse(newer.msgId);

    const message = { body: ping(2n), msgId: olderMsgId, seqNo: newer.seqNo + 2 };
    await sendAndExpect(client, message, 33);
  });

  it('code 33: seq_no above its container', async () => {
    const client = await mock.connect();
    const sentAt = serverClock.now();
    const { messages } = client.sendContainer([{ body: ping(1n) }, { body: ping(2n) }], {
      seqNo: 0,
    });

    await expectNotification(client, messages[0], 33, sentAt);
    await expectNotification(client, messages[1], 33, sentAt);
  });

  it('code 32 between messages of a container', async () => {
    // The second message carries a newer msg_id but a lower seq_no than the first.
    const client = await mock.connect();
    const sentAt = serverClock.now();
    const first = { body: ping(1n), seqNo: client.nextSeqNo(true) + 4 };
    const { messages } = client.sendContainer([first, { body: ping(2n) }], { seqNo: 6 });

    expect((await client.waitForResponse(messages[0].msgId)).object._).toBe('pong');
    // Skips the client's next seq_no, which the first message already used.
    client.nextSeqNo(true);
    await expectNotification(client, messages[1], 32, sentAt);
  });

  it('code 34: http_wait with odd seq_no', async () => {
    const client = await mock.connect();
    const httpWait = { _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 0 };
    await sendAndExpect(client, { body: httpWait, seqNo: client.nextSeqNo(true) }, 34);
  });

  it('accepts msgs_ack with odd seq_no', async () => {
    const client = await mock.connect();
    const ackSeqNo = client.nextSeqNo(true);
    const ack = client.sendRaw({ body: { _: 'msgs_ack', msg_ids: [] }, seqNo: ackSeqNo });
    const check = client.sendRaw({ body: ping() });
    expect((await client.waitForResponse(check.msgId)).object._).toBe('pong');
    // The server processes messages in order, so a notification for the ack would come first.
    const notifications = client.history.filter(
      (message) => message.object.bad_msg_id === ack.msgId,
    );
    expect(notifications).toEqual([]);
  });

  it('code 34: container with odd seq_no', async () => {
    const client = await mock.connect();
    const sentAt = serverClock.now();
    const { container } = client.sendContainer([{ body: ping() }], {
      seqNo: client.nextSeqNo(true),
    });
    await expectNotification(client, container, 34, sentAt);
  });

  it('code 35: query with even seq_no', async () => {
    const client = await mock.connect();
    const message = { body: { _: 'help.getNearestDc' }, seqNo: client.nextSeqNo(false) };
    await sendAndExpect(client, message, 35);
  });

  it('code 64: nested container', async () => {
    const client = await mock.connect();
    const inner = client.buildContainer([{ body: ping() }]);
    const sentAt = serverClock.now();
    const { messages } = client.sendContainer([{ body: inner.body, contentRelated: false }]);
    await expectNotification(client, messages[0], 64, sentAt);
  });

  it('code 64: container msg_id below its messages', async () => {
    const client = await mock.connect();
    const sentAt = serverClock.now();
    const containerMsgId = client.nextMsgId();
    const { container } = client.sendContainer([{ body: ping(1n) }, { body: ping(2n) }], {
      msgId: containerMsgId,
    });

    await expectNotification(client, container, 64, sentAt);
    const pongs = client.history.filter((message) => message.object._ === 'pong');
    expect(pongs.map((message) => message.object.ping_id)).toEqual([99n]);
  });

  it('code 64: container msg_id reused inside', async () => {
    const client = await mock.connect();
    const sentAt = serverClock.now();
    const first = { body: ping(1n) };
    const built = client.buildContainer([first, { body: ping(2n) }]);
    const container = client.sendRaw({
      body: built.body,
      msgId: built.messages[1].msgId,
      contentRelated: false,
    });

    await expectNotification(client, container, 64, sentAt);
  });

  it('code 64: truncated container', async () => {
    const client = await mock.connect();
    const { body } = client.buildContainer([{ body: ping() }, { body: ping(2n) }]);
    const truncated = body.subarray(0, body.length - 8);
    await sendAndExpect(client, { body: truncated, contentRelated: false }, 64);
  });

  it('codes for messages in a container', async () => {
    const client = await mock.connect();
    const sentAt = serverClock.now();
    const { messages } = client.sendContainer([
      { body: ping(1n), msgId: client.msgIdAt(serverClock.now() - 400_000) },
      { body: ping(2n), msgId: client.nextMsgId() + 2n },
      { body: ping(3n) },
    ]);

    await expectNotification(client, messages[0], 16, sentAt);
    await expectNotification(client, messages[1], 18, sentAt);
    expect((await client.waitForResponse(messages[2].msgId)).object._).toBe('pong');
  });
});
