import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { AuthKeyStore } from '../session/auth-key-store.js';
import { Session } from '../session/session.js';
import { deserialize, serialize } from '../tl/codec.js';
import { defaultRegistry } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import type { RpcHandler } from './context.js';
import { RpcDispatcher } from './dispatcher.js';
import { RpcError } from './rpc-error.js';

const registry = defaultRegistry();
const log = pino({ level: 'silent' });

function createDispatcher(handlers: Record<string, RpcHandler>, authorize = () => {}) {
  const dispatcher = new RpcDispatcher({
    registry,
    handlers,
    clock: systemClock,
    dc: { dcId: 2, host: '127.0.0.1', port: 4430 },
    authorize,
  });
  const key = new AuthKeyStore(systemClock).add({
    authKeyId: 1n,
    authKey: Buffer.alloc(256, 7),
    serverSalt: 0n,
  });
  const session = new Session(9n, key);
  const invoke = async (query: TlObject) => {
    const result = await dispatcher.invoke({ query, msgId: 4n, key, session, log });
    return deserialize(result, registry.view(key.layer ?? registry.defaultLayer));
  };
  return { key, invoke };
}

const nearestDc: RpcHandler = () => ({
  _: 'nearestDc',
  country: 'XX',
  this_dc: 2,
  nearest_dc: 2,
});

const connection = {
  _: 'initConnection',
  api_id: 42,
  device_model: 'test',
  system_version: '1',
  app_version: '1',
  system_lang_code: 'en',
  lang_pack: '',
  lang_code: 'en',
};

describe('RpcDispatcher', () => {
  it('unwraps invokeWithLayer around initConnection', async () => {
    const { key, invoke } = createDispatcher({ 'help.getNearestDc': nearestDc });
    const answer = await invoke({
      _: 'invokeWithLayer',
      layer: 158,
      query: { ...connection, query: { _: 'help.getNearestDc' } },
    });
    expect(answer._).toBe('nearestDc');
    expect(key.layer).toBe(158);
    expect(key.client?.apiId).toBe(42);
  });

  it('unwraps initConnection around invokeWithLayer', async () => {
    const { key, invoke } = createDispatcher({ 'help.getNearestDc': nearestDc });
    const answer = await invoke({
      ...connection,
      query: { _: 'invokeWithLayer', layer: 214, query: { _: 'help.getNearestDc' } },
    });
    expect(answer._).toBe('nearestDc');
    expect(key.layer).toBe(214);
    expect(key.client?.apiId).toBe(42);
  });

  it('unwraps invokeWithoutUpdates and invokeAfterMsg', async () => {
    const { invoke } = createDispatcher({ 'help.getNearestDc': nearestDc });
    const answer = await invoke({
      _: 'invokeWithoutUpdates',
      query: { _: 'invokeAfterMsg', msg_id: 8n, query: { _: 'help.getNearestDc' } },
    });
    expect(answer._).toBe('nearestDc');
  });

  it('answers an unimplemented method with INPUT_METHOD_INVALID', async () => {
    const { invoke } = createDispatcher({});
    const answer = await invoke({ _: 'help.getNearestDc' });
    expect(answer._).toBe('rpc_error');
    expect(answer.error_code).toBe(400);
    expect(answer.error_message).toBe(
      `INPUT_METHOD_INVALID_${registry.view(registry.defaultLayer).methodByName('help.getNearestDc')?.id}`,
    );
  });

  it('answers the authorization error before the handler runs', async () => {
    let ran = false;
    const { invoke } = createDispatcher(
      { 'help.getNearestDc': () => ((ran = true), nearestDc({} as TlObject, {} as never)) },
      () => {
        throw RpcError.unauthorized('AUTH_KEY_UNREGISTERED');
      },
    );
    const answer = await invoke({ _: 'help.getNearestDc' });
    expect(answer).toMatchObject({ error_code: 401, error_message: 'AUTH_KEY_UNREGISTERED' });
    expect(ran).toBe(false);
  });

  it('answers 500 INTERNAL when a handler throws', async () => {
    const { invoke } = createDispatcher({
      'help.getNearestDc': () => {
        throw new Error('boom');
      },
    });
    const answer = await invoke({ _: 'help.getNearestDc' });
    expect(answer).toMatchObject({ _: 'rpc_error', error_code: 500, error_message: 'INTERNAL' });
  });

  it('encodes Bool results', async () => {
    const { invoke } = createDispatcher({ 'account.updateStatus': () => true });
    const answer = await invoke({ _: 'account.updateStatus', offline: false });
    expect(answer._).toBe('boolTrue');
  });

  it('rejects a method form from another layer than the declared one', async () => {
    const { invoke } = createDispatcher({ 'auth.signIn': () => ({ _: 'auth.authorization' }) });
    // auth.signIn#8d52a951 (layers 145 and up) sent by a client that declared layer 144,
    // whose auth.signIn is #bcd51581.
    const view198 = registry.view(198);
    const signIn = deserialize(
      serialize(
        { _: 'auth.signIn', phone_number: '1', phone_code_hash: 'h', phone_code: '1' },
        view198,
      ),
      view198,
    );
    const answer = await invoke({ _: 'invokeWithLayer', layer: 144, query: signIn });
    expect(answer).toMatchObject({ _: 'rpc_error', error_code: 400 });
    expect(answer.error_message).toBe('INPUT_METHOD_INVALID');
  });

  it('accepts a decoded method form of the declared layer', async () => {
    const { invoke } = createDispatcher({ 'help.getNearestDc': nearestDc });
    const view198 = registry.view(198);
    const query = deserialize(serialize({ _: 'help.getNearestDc' }, view198), view198);
    const answer = await invoke({ _: 'invokeWithLayer', layer: 198, query });
    expect(answer._).toBe('nearestDc');
  });
});
