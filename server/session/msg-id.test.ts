import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { MsgIdGenerator, checkClientMsgId, msgIdSeconds, timeToMsgId } from './msg-id.js';

function fixedClock(ms: number): Clock & { set(ms: number): void } {
  let now = ms;
  return { now: () => now, set: (value: number) => (now = value) };
}

describe('MsgIdGenerator', () => {
  it('issues odd ids with the requested remainder', () => {
    const generator = new MsgIdGenerator(fixedClock(1_700_000_000_123));
    expect(generator.next('response') % 4n).toBe(1n);
    expect(generator.next('unsolicited') % 4n).toBe(3n);
  });

  it('keeps ids increasing when the clock stands still', () => {
    const generator = new MsgIdGenerator(fixedClock(1_700_000_000_000));
    let previous = 0n;
    for (let i = 0; i < 100; i++) {
      const id = generator.next(i % 3 === 0 ? 'unsolicited' : 'response');
      expect(id).toBeGreaterThan(previous);
      previous = id;
    }
  });

  it('keeps ids increasing when the clock goes back', () => {
    const clock = fixedClock(1_700_000_010_000);
    const generator = new MsgIdGenerator(clock);
    const first = generator.next('response');
    clock.set(1_700_000_000_000);
    expect(generator.next('response')).toBeGreaterThan(first);
  });

  it('follows the clock after a long step back', () => {
    const clock = fixedClock(1_700_003_600_000);
    const generator = new MsgIdGenerator(clock);
    generator.next('response');
    clock.set(1_700_000_000_000);
    expect(msgIdSeconds(generator.next('response'))).toBe(1_700_000_000);
    expect(msgIdSeconds(generator.next('response'))).toBe(1_700_000_000);
  });

  it('encodes the clock time in the high 32 bits', () => {
    const generator = new MsgIdGenerator(fixedClock(1_700_000_000_500));
    expect(msgIdSeconds(generator.next('response'))).toBe(1_700_000_000);
  });
});

describe('checkClientMsgId', () => {
  const now = 1_700_000_000_000;
  const clock = fixedClock(now);

  it('accepts a current id divisible by 4', () => {
    expect(checkClientMsgId(timeToMsgId(now) & ~3n, clock)).toBeUndefined();
  });

  it('returns 18 for an id not divisible by 4', () => {
    expect(checkClientMsgId((timeToMsgId(now) & ~3n) | 1n, clock)).toBe(18);
  });

  it('returns 16 for an id over 300 s old', () => {
    expect(checkClientMsgId(timeToMsgId(now - 301_000) & ~3n, clock)).toBe(16);
  });

  it('returns 17 for an id over 30 s ahead', () => {
    expect(checkClientMsgId(timeToMsgId(now + 31_000) & ~3n, clock)).toBe(17);
  });
});
