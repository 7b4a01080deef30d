import { describe, expect, it } from 'vitest';
import { SALT_WINDOW_SECONDS, ServerSalts } from './server-salt.js';

function movableClock(ms: number) {
  let now = ms;
  return { now: () => now, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('ServerSalts', () => {
  it('accepts the initial salt during the first window only', () => {
    const clock = movableClock(1_700_000_000_000);
    const salts = new ServerSalts(clock, 42n);
    expect(salts.isValid(42n)).toBe(true);
    clock.advance(SALT_WINDOW_SECONDS * 3);
    expect(salts.isValid(42n)).toBe(false);
  });

  it('rejects salt 0', () => {
    const salts = new ServerSalts(movableClock(1_700_000_000_000), 42n);
    expect(salts.isValid(0n)).toBe(false);
  });

  it('keeps the previous window salt valid after rotation', () => {
    const clock = movableClock(1_700_000_000_000);
    const salts = new ServerSalts(clock, 42n);
    const old = salts.current();
    clock.advance(SALT_WINDOW_SECONDS);
    expect(salts.current()).not.toBe(old);
    expect(salts.isValid(old)).toBe(true);
    clock.advance(SALT_WINDOW_SECONDS);
    expect(salts.isValid(old)).toBe(false);
  });

  it('accepts every future salt it hands out', () => {
    const salts = new ServerSalts(movableClock(1_700_000_000_000), 42n);
    const future = salts.future(64);
    expect(future).toHaveLength(64);
    for (const entry of future) expect(salts.isValid(entry.salt)).toBe(true);
    expect(future[1].validSince).toBe(future[0].validSince + SALT_WINDOW_SECONDS);
  });

  it('keeps handed-out future salts valid as time passes', () => {
    const clock = movableClock(1_700_000_000_000);
    const salts = new ServerSalts(clock, 42n);
    const future = salts.future(10);
    clock.advance(SALT_WINDOW_SECONDS * 5);
    expect(salts.isValid(future[9].salt)).toBe(true);
    expect(salts.isValid(future[4].salt)).toBe(true);
    expect(salts.isValid(future[2].salt)).toBe(false);
  });
});
