import { describe, expect, it } from 'vitest';
import { toLogValue } from './log-params.js';

describe('toLogValue', () => {
  it('redacts SRP proofs and codes', () => {
    const logged = toLogValue({
      _: 'auth.checkPassword',
      password: {
        _: 'inputCheckPasswordSRP',
        srp_id: 5n,
        A: Buffer.alloc(256),
        M1: Buffer.alloc(32),
      },
    }) as { password: Record<string, unknown> };
    expect(logged.password.A).toBe('[redacted]');
    expect(logged.password.M1).toBe('[redacted]');
    expect(logged.password.srp_id).toBe('5');
  });

  it('shows byte values as their length', () => {
    expect(toLogValue({ _: 'x', salt: Buffer.alloc(8) })).toEqual({ _: 'x', salt: '[8 bytes]' });
  });

  it('redacts a recovery code inside new settings', () => {
    const logged = toLogValue({
      _: 'auth.recoverPassword',
      code: '246810',
      new_settings: { _: 'account.passwordInputSettings', new_password_hash: Buffer.alloc(256) },
    });
    expect(JSON.stringify(logged)).not.toContain('246810');
    expect(logged).toMatchObject({ new_settings: { new_password_hash: '[redacted]' } });
  });
});
