import { describe, expect, it } from 'vitest';
import { EmailCodeStore } from './email-codes.js';

const settings = { length: 6, lifetimeSeconds: 3600, maxAttempts: 3, floodWaitSeconds: 300 };

function storeWithClock(start = 1_700_000_000_000) {
  const clock = { time: start, now: () => clock.time };
  return { clock, store: new EmailCodeStore(clock, settings) };
}

describe('EmailCodeStore', () => {
  it('generates codes of the configured length', () => {
    const { store } = storeWithClock();
    for (let i = 0; i < 50; i++) {
      expect(store.issue(1n, 'recovery')).toMatch(/^[0-9]{6}$/);
    }
  });

  it('accepts a seeded code until it is consumed', () => {
    const { store } = storeWithClock();
    expect(store.issue(1n, 'recovery', '246810')).toBe('246810');
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'valid' });
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'valid' });
    store.consume(1n, 'recovery');
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'expired' });
  });

  it('keeps codes apart by account and purpose', () => {
    const { store } = storeWithClock();
    store.issue(1n, 'recovery', '111111');
    expect(store.check(2n, 'recovery', '111111')).toEqual({ status: 'expired' });
    expect(store.check(1n, 'email-confirmation', '111111')).toEqual({ status: 'expired' });
  });

  it('reports empty and never-sent codes', () => {
    const { store } = storeWithClock();
    expect(store.check(1n, 'recovery', '')).toEqual({ status: 'empty' });
    expect(store.check(1n, 'recovery', '123456')).toEqual({ status: 'expired' });
  });

  it('expires a code after its lifetime', () => {
    const { clock, store } = storeWithClock();
    store.issue(1n, 'recovery', '246810');
    clock.time += 3_599_999;
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'valid' });
    clock.time += 1;
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'expired' });
  });

  it('answers a flood wait after too many wrong codes', () => {
    const { clock, store } = storeWithClock();
    store.issue(1n, 'recovery', '246810');
    for (let i = 0; i < 3; i++) {
      expect(store.check(1n, 'recovery', '000000')).toEqual({ status: 'wrong' });
    }
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'flood-wait', seconds: 300 });
    clock.time += 120_500;
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'flood-wait', seconds: 180 });
  });

  it('keeps the flood wait when a new code is sent', () => {
    const { store } = storeWithClock();
    store.issue(1n, 'recovery', '246810');
    for (let i = 0; i < 3; i++) store.check(1n, 'recovery', '000000');
    store.issue(1n, 'recovery', '246810');
    expect(store.check(1n, 'recovery', '246810').status).toBe('flood-wait');
  });

  it('counts again from zero after the flood wait', () => {
    const { clock, store } = storeWithClock();
    store.issue(1n, 'recovery', '246810');
    for (let i = 0; i < 3; i++) store.check(1n, 'recovery', '000000');
    clock.time += 300_000;
    expect(store.check(1n, 'recovery', '000000')).toEqual({ status: 'wrong' });
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'valid' });
  });

  it('resets the failure count after a valid code', () => {
    const { store } = storeWithClock();
    store.issue(1n, 'recovery', '246810');
    store.check(1n, 'recovery', '000000');
    store.check(1n, 'recovery', '000000');
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'valid' });
    store.check(1n, 'recovery', '000000');
    store.check(1n, 'recovery', '000000');
    expect(store.check(1n, 'recovery', '246810')).toEqual({ status: 'valid' });
  });
});
