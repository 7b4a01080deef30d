import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { AuthKeyStore } from './auth-key-store.js';
import { MsgState, Session } from './session.js';

function createSession(): Session {
  const key = new AuthKeyStore(systemClock).add({
    authKeyId: 1n,
    authKey: Buffer.alloc(256, 7),
    serverSalt: 0n,
  });
  return new Session(9n, key);
}

/** Client msg_ids 4 apart, as a client issues them. */
const msgId = (index: number) => (1_700_000_000n << 32n) + 4n * BigInt(index + 1);

describe('Session received window', () => {
  it('remembers the last 512 msg_ids', () => {
    const session = createSession();
    for (let i = 0; i < 600; i++) session.markReceived(msgId(i), 2 * i + 1);

    expect(session.hasReceived(msgId(87))).toBe(false);
    expect(session.hasReceived(msgId(88))).toBe(true);
    expect(session.hasReceived(msgId(599))).toBe(true);
    expect(session.stateOf(msgId(87))).toBe(MsgState.unknown);
    expect(session.stateOf(msgId(88))).toBe(MsgState.received);
  });

  it('counts a msg_id marked twice once', () => {
    const session = createSession();
    session.markReceived(msgId(0), 1);
    session.markReceived(msgId(0), 1);
    for (let i = 1; i < 512; i++) session.markReceived(msgId(i), 2 * i + 1);
    expect(session.hasReceived(msgId(0))).toBe(true);

    session.markReceived(msgId(512), 1025);
    expect(session.hasReceived(msgId(0))).toBe(false);
    expect(session.hasReceived(msgId(1))).toBe(true);
  });

  it('finds an older msg_id received out of order', () => {
    const session = createSession();
    session.markReceived(msgId(5), 11);
    session.markReceived(msgId(2), 5);

    expect(session.hasReceived(msgId(2))).toBe(true);
    expect(session.hasReceived(msgId(3))).toBe(false);
    expect(session.hasReceived(msgId(6))).toBe(false);
  });
});
