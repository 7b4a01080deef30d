import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { TlObject } from '../tl/types.js';
import { useMockServer } from '../../test-support/use-mock-server.js';

const mock = useMockServer();

const ping = (pingId = 1n) => ({ _: 'ping', ping_id: pingId });

describe('ping', () => {
  it('returns a top-level pong', async () => {
    const client = await mock.connect();
    const sent = client.sendRaw({ body: ping(0x1234n) });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object).toEqual({ _: 'pong', msg_id: sent.msgId, ping_id: 0x1234n });
    expect(answer.msgId % 4n).toBe(1n);
    expect(answer.seqNo % 2).toBe(0);
  });

  it('closes after ping_delay_disconnect', async () => {
    const client = await mock.connect();
    const sent = client.sendRaw({
      body: { _: 'ping_delay_disconnect', ping_id: 3n, disconnect_delay: 1 },
    });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object).toEqual({ _: 'pong', msg_id: sent.msgId, ping_id: 3n });
    // The 15 s bound only keeps a broken server from hanging the test. The delay itself is 1 s.
    const outcome = await Promise.race([
      client.closed.then(() => 'closed'),
      sleep(15_000).then(() => 'still open'),
    ]);
    expect(outcome).toBe('closed');
  });
});

describe('get_future_salts', () => {
  it('returns N accepted salts', async () => {
    const client = await mock.connect();
    const sent = client.sendRaw({ body: { _: 'get_future_salts', num: 5 } });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object._).toBe('future_salts');
    expect(answer.object.req_msg_id).toBe(sent.msgId);
    const salts = answer.object.salts as TlObject[];
    expect(salts).toHaveLength(5);
    for (let i = 1; i < salts.length; i++) {
      expect(salts[i].valid_since).toBeGreaterThan(salts[i - 1].valid_since as number);
    }

    for (const futureSalt of salts) {
      const check = client.sendRaw({ body: ping(), salt: futureSalt.salt as bigint });
      expect((await client.waitForResponse(check.msgId)).object._).toBe('pong');
    }
    const random = client.sendRaw({ body: ping(), salt: randomBytes(8).readBigInt64LE(0) });
    expect((await client.waitForResponse(random.msgId)).object._).toBe('bad_server_salt');
  });

  it('returns at most 64 salts', async () => {
    const client = await mock.connect();
    const sent = client.sendRaw({ body: { _: 'get_future_salts', num: 100 } });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object.salts).toHaveLength(64);
  });
});

describe('msgs_state_req', () => {
  it('returns one status byte per msg_id', async () => {
    const client = await mock.connect();
    const answered = client.sendRaw({ body: ping() });
    await client.waitForResponse(answered.msgId);
    const skippedMsgId = client.nextMsgId();
    const later = client.sendRaw({ body: ping(2n) });
    await client.waitForResponse(later.msgId);
    const tooOldMsgId = client.msgIdAt(Date.now() - 60_000);
    const futureMsgId = client.msgIdAt(Date.now() + 20_000);

    const ids = [answered.msgId, skippedMsgId, tooOldMsgId, futureMsgId];
    const sent = client.sendRaw({ body: { _: 'msgs_state_req', msg_ids: ids } });
    const answer = await client.waitForResponse(sent.msgId);

    expect(answer.object._).toBe('msgs_state_info');
    expect(answer.object.req_msg_id).toBe(sent.msgId);
    // 4 received + 64 response generated. Not received: 2 inside the remembered range,
    // 1 below it (unknown), 3 above it.
    expect([...(answer.object.info as Buffer)]).toEqual([4 + 64, 2, 1, 3]);
  });
});

describe('destroy_session', () => {
  it('destroys another session once', async () => {
    const client = await mock.connect();
    const oldSession = client.sessionId;
    const first = client.sendRaw({ body: ping() });
    await client.waitForResponse(first.msgId);

    client.newSession();
    const destroy = () =>
      client.sendRaw({ body: { _: 'destroy_session', session_id: oldSession } }).msgId;
    const isDestroyAnswer = (name: string) => client.waitFor((m) => m.object._ === name);

    destroy();
    expect((await isDestroyAnswer('destroy_session_ok')).object.session_id).toBe(oldSession);
    destroy();
    expect((await isDestroyAnswer('destroy_session_none')).object.session_id).toBe(oldSession);
  });

  it('keeps current and unknown sessions', async () => {
    const client = await mock.connect();
    for (const sessionId of [client.sessionId, randomBytes(8).readBigInt64LE(0)]) {
      client.sendRaw({ body: { _: 'destroy_session', session_id: sessionId } });
      const answer = await client.waitFor((m) => m.object._.startsWith('destroy_session_'));
      expect(answer.object).toEqual({ _: 'destroy_session_none', session_id: sessionId });
    }
  });

  it('restarts a destroyed session', async () => {
    const client = await mock.connect();
    const oldSession = client.sessionId;
    await client.waitForResponse(client.sendRaw({ body: ping() }).msgId);
    client.newSession();
    client.sendRaw({ body: { _: 'destroy_session', session_id: oldSession } });
    await client.waitFor((m) => m.object._ === 'destroy_session_ok');

    client.newSession(oldSession);
    const reused = client.sendRaw({ body: ping(2n) });
    await client.waitForResponse(reused.msgId);
    const created = client.history.filter(
      (m) => m.object._ === 'new_session_created' && m.sessionId === oldSession,
    );
    expect(created).toHaveLength(2);
    expect(created[1].object.first_msg_id).toBe(reused.msgId);
  });
});
