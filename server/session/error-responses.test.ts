import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClientFramingName } from '../../test-support/client-transport.js';
import { ServerRpcError } from '../../test-support/mtproto-client.js';
import { TransportErrorReceived } from '../../test-support/transport-error-received.js';
import { useMockServer } from '../../test-support/use-mock-server.js';

const mock = useMockServer();

const ping = (pingId = 1n) => ({ _: 'ping', ping_id: pingId });
const framings: ClientFramingName[] = ['intermediate', 'abridged', 'full'];

describe('transport error -404', () => {
  it.each(framings)('unknown auth_key_id over %s', async (framing) => {
    const client = await mock.connect({ framing });
    client.sendRaw({ body: ping(), authKeyId: randomBytes(8).readBigInt64LE(0) });

    const error = await client.receive().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportErrorReceived);
    expect((error as TransportErrorReceived).code).toBe(-404);
  });

  it('auth key dropped by the server', async () => {
    const client = await mock.connect();
    expect(mock.server.keys.delete(client.authKey.authKeyId)).toBe(true);
    client.sendRaw({ body: ping() });

    await expect(client.receive()).rejects.toMatchObject({ code: -404 });
  });

  it('tampered msg_key', async () => {
    const client = await mock.connect();
    const { packet } = client.seal({ body: ping() });
    packet[8] ^= 0x01;
    client.sendPacket(packet);

    await expect(client.receive()).rejects.toMatchObject({ code: -404 });
  });

  it('tampered ciphertext', async () => {
    const client = await mock.connect();
    const { packet } = client.seal({ body: ping() });
    packet[packet.length - 1] ^= 0x80;
    client.sendPacket(packet);

    await expect(client.receive()).rejects.toMatchObject({ code: -404 });
  });

  it('length beyond the plaintext', async () => {
    const client = await mock.connect();
    client.sendRaw({ body: ping(), declaredLength: 64 });

    await expect(client.receive()).rejects.toMatchObject({ code: -404 });
  });

  it('padding shorter than 12 bytes', async () => {
    const client = await mock.connect();
    // 32 header bytes + 12 body bytes + 4 padding bytes make whole AES blocks.
    client.sendRaw({ body: ping(), padding: randomBytes(4) });

    await expect(client.receive()).rejects.toMatchObject({ code: -404 });
  });
});

describe('rpc_error', () => {
  it('unknown constructor gets 400 INPUT_*', async () => {
    const client = await mock.connect();
    const body = Buffer.from('efbeadde00000000', 'hex');
    const sent = client.sendRaw({ body, contentRelated: true });

    const answer = await client.waitForResponse(sent.msgId);
    expect(answer.object._).toBe('rpc_result');
    expect(answer.object.result).toMatchObject({ _: 'rpc_error', error_code: 400 });
    const result = answer.object.result as { error_message: string };
    expect(result.error_message).toMatch(/^INPUT_METHOD_INVALID/);
  });

  it('users.getUsers before login gets 401', async () => {
    const client = await mock.connect();
    const call = client.invoke({ _: 'users.getUsers', id: [{ _: 'inputUserSelf' }] });

    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerRpcError);
    expect(error).toMatchObject({ errorCode: 401, errorMessage: 'AUTH_KEY_UNREGISTERED' });
  });
});
