import { describe, expect, it } from 'vitest';
import { ControlInputError } from './control-input-error.js';
import { FaultRegistry } from './faults.js';
import { seededRandom } from './seeded-random.js';

describe('FaultRegistry selection', () => {
  it('selects by method', () => {
    const faults = new FaultRegistry();
    const fault = faults.add({ type: 'flood-wait', method: 'auth.sendCode', seconds: 3 });
    expect(faults.forRequest('help.getConfig', undefined).faultIds).toEqual([]);
    const effects = faults.forRequest('auth.sendCode', undefined);
    expect(effects.faultIds).toEqual([fault.id]);
    expect(effects.error).toEqual({ code: 420, message: 'FLOOD_WAIT_3' });
  });

  it('skips the first `after` requests and fires `times` times', () => {
    const faults = new FaultRegistry();
    faults.add({ type: 'close-before-reply', after: 2, times: 2 });
    const fired = Array.from(
      { length: 6 },
      () => faults.forRequest('x', undefined).closeBeforeReply,
    );
    expect(fired).toEqual([false, false, true, true, false, false]);
    expect(faults.list()[0]).toMatchObject({ seen: 4, fired: 2 });
  });

  it('repeats the same probabilistic draws for a seed', () => {
    const run = (seed: number) => {
      const faults = new FaultRegistry();
      faults.add({ type: 'gzip-result', probability: 0.5, seed });
      return Array.from({ length: 40 }, () => faults.forRequest('x', undefined).gzip);
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    const hits = first.filter(Boolean).length;
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(40);
  });

  it('merges delays, transport errors and closes', () => {
    const faults = new FaultRegistry();
    faults.add({ type: 'delay', delayMs: 30 });
    faults.add({ type: 'delay', delayMs: 10, maxDelayMs: 20, seed: 3 });
    faults.add({ type: 'transport-error', code: -429 });
    faults.add({ type: 'close-after-reply' });
    const effects = faults.forRequest('x', undefined);
    const expectedRandom = Math.round(10 + seededRandom(3)() * 10);
    expect(effects.delayMs).toBe(30 + expectedRandom);
    expect(effects.transportError).toBe(-429);
    expect(effects.closeAfterReply).toBe(true);
  });

  it('limits faults to an apiId', () => {
    const faults = new FaultRegistry();
    faults.add({ type: 'gzip-result', apiId: 5 });
    expect(faults.forRequest('x', 6).gzip).toBe(false);
    expect(faults.forRequest('x', 5).gzip).toBe(true);
  });

  it('counts bad-server-salt messages', () => {
    const faults = new FaultRegistry();
    const fault = faults.add({ type: 'bad-server-salt', times: 2 });
    expect(faults.takeBadServerSalt(undefined)).toBe(fault.id);
    expect(faults.takeBadServerSalt(undefined)).toBe(fault.id);
    expect(faults.takeBadServerSalt(undefined)).toBeUndefined();
    expect(faults.forRequest('x', undefined).faultIds).toEqual([]);
  });

  it('reports clock skew while the fault exists', () => {
    const skews: number[] = [];
    const faults = new FaultRegistry((skew) => skews.push(skew));
    const fault = faults.add({ type: 'clock-skew', skewMs: -400_000 });
    faults.remove(fault.id);
    expect(skews).toEqual([-400_000, 0]);
  });
});

describe('FaultRegistry validation', () => {
  it.each([
    [{ type: 'explode' }, 'type'],
    [{ type: 'transport-error', code: 404 }, 'code'],
    [{ type: 'delay' }, 'delayMs'],
    [{ type: 'delay', delayMs: 20, maxDelayMs: 10 }, 'maxDelayMs'],
    [{ type: 'gzip-result', probability: 2 }, 'probability'],
    [{ type: 'bad-server-salt', method: 'help.getConfig' }, 'method'],
    [{ type: 'rpc-error', error: { code: 400 } }, 'error.message'],
    [{ type: 'gzip-result', when: 1 }, 'when'],
  ])('rejects %j naming %s', (input, field) => {
    const faults = new FaultRegistry();
    let caught: unknown;
    try {
      faults.add(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ControlInputError);
    expect((caught as ControlInputError).field).toBe(field);
  });
});

describe('seededRandom', () => {
  it('returns numbers in [0, 1)', () => {
    const next = seededRandom(123);
    for (let i = 0; i < 1000; i++) {
      const value = next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
