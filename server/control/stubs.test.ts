import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../tl/registry.js';
import { ControlInputError } from './control-input-error.js';
import { ScenarioStates } from './scenarios.js';
import { StubRegistry } from './stubs.js';

const view = defaultRegistry().view();
const nearestDc = { _: 'nearestDc', country: 'NL', this_dc: 2, nearest_dc: 2 };

function registry() {
  const scenarios = new ScenarioStates();
  return { stubs: new StubRegistry(scenarios, () => 42), scenarios };
}

function expectInputError(action: () => unknown, field: string) {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ControlInputError);
    expect((error as ControlInputError).field).toBe(field);
    return;
  }
  throw new Error(`expected a ControlInputError naming ${field}`);
}

describe('StubRegistry matching', () => {
  it('matches by method name only', () => {
    const { stubs } = registry();
    const stub = stubs.add({ method: 'help.getNearestDc', result: nearestDc }, view);
    expect(stubs.take({ method: 'help.getConfig', params: {} })).toBeUndefined();
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })?.id).toBe(stub.id);
  });

  it('prefers higher priority, then the newest', () => {
    const { stubs } = registry();
    const low = stubs.add({ method: 'help.getNearestDc', result: nearestDc, priority: 1 }, view);
    const high = stubs.add({ method: 'help.getNearestDc', result: nearestDc, priority: 5 }, view);
    const newerLow = stubs.add(
      { method: 'help.getNearestDc', result: nearestDc, priority: 1 },
      view,
    );
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })?.id).toBe(high.id);
    stubs.remove(high.id);
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })?.id).toBe(newerLow.id);
    expect(low.id).not.toBe(newerLow.id);
  });

  it('stops matching after times', () => {
    const { stubs } = registry();
    stubs.add(
      { method: 'help.getNearestDc', error: { code: 420, message: 'FLOOD_WAIT_3' }, times: 2 },
      view,
    );
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })).toBeDefined();
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })).toBeDefined();
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })).toBeUndefined();
    expect(stubs.list()[0].matched).toBe(2);
  });

  it('matches params: long as string, bytes as base64 or hex', () => {
    const { stubs } = registry();
    stubs.add(
      {
        method: 'messages.getDialogs',
        params: {
          offset_id: 7,
          hash: '12345678901234567890',
          offset_peer: { _: 'inputPeerEmpty' },
        },
        result: { _: 'messages.dialogsNotModified', count: 0 },
      },
      view,
    );
    const request = {
      offset_id: 7,
      hash: '12345678901234567890',
      offset_peer: { _: 'inputPeerEmpty' },
      limit: 100,
    };
    expect(stubs.take({ method: 'messages.getDialogs', params: request })).toBeDefined();
    expect(
      stubs.take({ method: 'messages.getDialogs', params: { ...request, offset_id: 8 } }),
    ).toBeUndefined();

    stubs.add(
      {
        method: 'auth.sendCode',
        params: { api_hash: 'base64:AQID' },
        error: { code: 400, message: 'X' },
      },
      view,
    );
    expect(
      stubs.take({ method: 'auth.sendCode', params: { api_hash: 'hex:010203' } }),
    ).toBeDefined();
  });

  it('applies apiId namespaces', () => {
    const { stubs } = registry();
    stubs.add({ method: 'help.getNearestDc', result: nearestDc, apiId: 11 }, view);
    expect(stubs.take({ method: 'help.getNearestDc', params: {}, apiId: 12 })).toBeUndefined();
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })).toBeUndefined();
    expect(stubs.take({ method: 'help.getNearestDc', params: {}, apiId: 11 })).toBeDefined();
    expect(stubs.list(12)).toHaveLength(0);
    expect(stubs.clear(11)).toBe(1);
  });

  it('lists stubs that never matched', () => {
    const { stubs } = registry();
    const used = stubs.add({ method: 'help.getNearestDc', result: nearestDc }, view);
    const unused = stubs.add(
      { method: 'help.getConfig', error: { code: 500, message: 'X' } },
      view,
    );
    stubs.take({ method: 'help.getNearestDc', params: {} });
    expect(stubs.unmatched().map((stub) => stub.id)).toEqual([unused.id]);
    expect(used.createdAt).toBe(42);
  });
});

describe('StubRegistry scenarios', () => {
  it('moves the scenario and lets the next stub answer', () => {
    const { stubs, scenarios } = registry();
    const first = stubs.add(
      {
        method: 'auth.recoverPassword',
        scenario: 'recovery',
        newState: 'flooded',
        error: { code: 420, message: 'FLOOD_WAIT_3' },
      },
      view,
    );
    expect(scenarios.get('recovery', undefined)).toBe('Started');
    expect(stubs.take({ method: 'auth.recoverPassword', params: {} })?.id).toBe(first.id);
    expect(scenarios.get('recovery', undefined)).toBe('flooded');
    expect(stubs.take({ method: 'auth.recoverPassword', params: {} })).toBeUndefined();

    scenarios.reset();
    expect(stubs.take({ method: 'auth.recoverPassword', params: {} })?.id).toBe(first.id);
  });

  it('requires the named state', () => {
    const { stubs, scenarios } = registry();
    const later = stubs.add(
      { method: 'help.getNearestDc', scenario: 's', requiredState: 'second', result: nearestDc },
      view,
    );
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })).toBeUndefined();
    scenarios.set('s', undefined, 'second');
    expect(stubs.take({ method: 'help.getNearestDc', params: {} })?.id).toBe(later.id);
  });
});

describe('StubRegistry validation', () => {
  it('rejects an unknown method', () => {
    const { stubs } = registry();
    expectInputError(() => stubs.add({ method: 'messages.getDialog', result: {} }, view), 'method');
  });

  it('rejects a result of the wrong type', () => {
    const { stubs } = registry();
    expectInputError(
      () => stubs.add({ method: 'help.getNearestDc', result: { _: 'config' } }, view),
      'result._',
    );
  });

  it('rejects an unknown result field', () => {
    const { stubs } = registry();
    expectInputError(
      () => stubs.add({ method: 'help.getNearestDc', result: { ...nearestDc, colour: 1 } }, view),
      'result.colour',
    );
  });

  it('rejects a missing required object field', () => {
    const { stubs } = registry();
    expectInputError(
      () => stubs.add({ method: 'account.getPassword', result: { _: 'account.password' } }, view),
      'result',
    );
    expect(() =>
      stubs.add({ method: 'account.getPassword', result: { _: 'account.password' } }, view),
    ).toThrow(/new_algo/);
  });

  it('rejects both result and error', () => {
    const { stubs } = registry();
    expectInputError(
      () =>
        stubs.add(
          { method: 'help.getNearestDc', result: nearestDc, error: { code: 1, message: 'X' } },
          view,
        ),
      'result',
    );
  });

  it('rejects invalid times and error', () => {
    const { stubs } = registry();
    expectInputError(
      () => stubs.add({ method: 'help.getNearestDc', result: nearestDc, times: 0 }, view),
      'times',
    );
    expectInputError(
      () => stubs.add({ method: 'help.getNearestDc', error: { code: 420 } }, view),
      'error.message',
    );
  });
});
