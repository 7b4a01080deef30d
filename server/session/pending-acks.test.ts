import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../clock.js';
import { hashAuthKey } from '../crypto/auth-key.js';
import { serialize } from '../tl/codec.js';
import { defaultRegistry } from '../tl/registry.js';
import { AuthKeyStore } from './auth-key-store.js';
import { SessionLayer, type PacketConnection, type RpcInvoker } from './session-layer.js';
import {
  openServerMessage,
  sealClientMessage,
  unpackServerMessage,
  type ReceivedMessage,
} from '../../test-support/client-messages.js';
import { ClientMsgIds } from '../../test-support/client-msg-ids.js';

// The flush logic at unit level: a query whose result comes late must not leave the client
// without an ack, and one whose result comes at once needs none. Real handlers return too fast
// to show the first case over a socket.
const registry = defaultRegistry();
const view = registry.view();
const salt = 0x5a17n;
const sessionId = 0x5e55n;

interface Harness {
  /** Sends help.getNearestDc as the session's first message and returns its msg_id. */
  sendQuery(): bigint;
  /** Decrypts every packet the server has sent so far, container contents flattened. */
  received(): ReceivedMessage[];
  sentPackets(): number;
}

function createHarness(rpc: RpcInvoker): Harness {
  const keys = new AuthKeyStore(systemClock);
  const authKey = randomBytes(256);
  const { authKeyId } = hashAuthKey(authKey);
  keys.add({ authKeyId, authKey, serverSalt: salt });
  const layer = new SessionLayer({
    keys,
    registry,
    clock: systemClock,
    rpc,
    createKeyExchange: () => {
      throw new Error('this test starts with a stored auth key');
    },
  });
  const packets: Buffer[] = [];
  const connection: PacketConnection = {
    id: 1,
    log: pino({ level: 'silent' }),
    closed: false,
    send: (payload) => packets.push(payload),
    sendTransportError: (code) => {
      throw new Error(`unexpected transport error ${code}`);
    },
    close: () => undefined,
  };
  const handler = layer.accept(connection);
  const msgIds = new ClientMsgIds(systemClock);

  return {
    sendQuery() {
      const msgId = msgIds.next();
      const body = serialize({ _: 'help.getNearestDc' }, view);
      handler.onPacket(
        sealClientMessage(authKey, authKeyId, { salt, sessionId, msgId, seqNo: 1, body }),
      );
      return msgId;
    },
    received() {
      return packets.flatMap((packet) =>
        unpackServerMessage(openServerMessage(authKey, authKeyId, packet), view, () => undefined),
      );
    },
    sentPackets: () => packets.length,
  };
}

const nearestDc = serialize({ _: 'nearestDc', country: 'XX', this_dc: 2, nearest_dc: 2 }, view);

describe('SessionLayer flush', () => {
  it('acks a query still running', async () => {
    let resolveResult!: (result: Buffer) => void;
    const harness = createHarness({
      invoke: () => new Promise((resolve) => (resolveResult = resolve)),
    });
    const msgId = harness.sendQuery();

    await vi.waitFor(() => expect(harness.sentPackets()).toBe(1));
    const first = harness.received();
    expect(first.map((message) => message.object._)).toEqual(['new_session_created', 'msgs_ack']);
    expect(first[1].object.msg_ids).toEqual([msgId]);
    expect(first[1].seqNo % 2).toBe(0);

    resolveResult(nearestDc);
    await vi.waitFor(() => expect(harness.sentPackets()).toBe(2));
    const second = harness.received().slice(first.length);
    expect(second.map((message) => message.object._)).toEqual(['rpc_result']);
    expect(second[0].object.req_msg_id).toBe(msgId);
  });

  it('skips the ack for answered queries', async () => {
    const harness = createHarness({ invoke: async () => nearestDc });
    const msgId = harness.sendQuery();

    await vi.waitFor(() => expect(harness.sentPackets()).toBe(1));
    const messages = harness.received();
    expect(messages.map((message) => message.object._)).toEqual([
      'new_session_created',
      'rpc_result',
    ]);
    expect(messages[1].object.req_msg_id).toBe(msgId);
  });
});
