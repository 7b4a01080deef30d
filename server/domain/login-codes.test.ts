import { describe, expect, it } from 'vitest';
import { LoginCodeStore, loginCodeFor, normalizePhone } from './login-codes.js';

describe('normalizePhone', () => {
  it.each([
    ['+1 555 000-0001', '15550000001'],
    ['(44) 20 7946 0018', '442079460018'],
    ['12345', '12345'],
  ])('turns %s into %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each(['1234', '1234567890123456', '+1 555 CALL', '', '1.555.000'])('rejects %j', (input) => {
    expect(normalizePhone(input)).toBeUndefined();
  });
});

describe('loginCodeFor', () => {
  it('uses the last five digits of the phone', () => {
    expect(loginCodeFor('15550000042')).toBe('00042');
  });

  it('prefers a fixed code', () => {
    expect(loginCodeFor('15550000042', '777')).toBe('777');
  });
});

describe('LoginCodeStore', () => {
  const settings = { lifetimeSeconds: 60 };

  it('finds a code by phone and hash until it expires', () => {
    let now = 1_000_000;
    const store = new LoginCodeStore({ now: () => now }, settings);
    const sent = store.issue('15550000001', '00001');
    expect(store.find('15550000001', sent.phoneCodeHash)).toEqual({ status: 'found', sent });
    expect(store.find('15550000002', sent.phoneCodeHash).status).toBe('expired');
    now += 59_999;
    expect(store.find('15550000001', sent.phoneCodeHash).status).toBe('found');
    now += 1;
    expect(store.find('15550000001', sent.phoneCodeHash).status).toBe('expired');
  });

  it('expires the older hash when a new code is sent', () => {
    const store = new LoginCodeStore({ now: () => 0 }, settings);
    const first = store.issue('15550000001', '00001');
    const second = store.issue('15550000001', '00001');
    expect(first.phoneCodeHash).not.toBe(second.phoneCodeHash);
    expect(store.find('15550000001', first.phoneCodeHash).status).toBe('expired');
    expect(store.find('15550000001', second.phoneCodeHash).status).toBe('found');
  });
});
