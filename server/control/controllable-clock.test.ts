import { describe, expect, it } from 'vitest';
import { ControllableClock } from './controllable-clock.js';

describe('ControllableClock', () => {
  it('follows the system clock by default', () => {
    let machine = 1_000;
    const clock = new ControllableClock(() => machine);
    expect(clock.now()).toBe(1_000);
    machine = 1_500;
    expect(clock.now()).toBe(1_500);
    expect(clock.state().mode).toBe('system');
  });

  it('keeps running after advance in system mode', () => {
    let machine = 1_000;
    const clock = new ControllableClock(() => machine);
    clock.advance(60_000);
    expect(clock.now()).toBe(61_000);
    machine = 2_000;
    expect(clock.now()).toBe(62_000);
    expect(clock.state().offsetMs).toBe(60_000);
  });

  it('freezes at a set time until advanced', () => {
    let machine = 1_000;
    const clock = new ControllableClock(() => machine);
    clock.set(1_700_000_000_000);
    machine = 9_999;
    expect(clock.now()).toBe(1_700_000_000_000);
    clock.advance(-500);
    expect(clock.now()).toBe(1_699_999_999_500);
    expect(clock.state().mode).toBe('fixed');
  });

  it('returns to the machine clock on useSystem', () => {
    const clock = new ControllableClock(() => 5_000);
    clock.set(1);
    clock.advance(10);
    clock.useSystem();
    expect(clock.now()).toBe(5_000);
    expect(clock.state()).toMatchObject({ mode: 'system', offsetMs: 0 });
  });

  it('adds the skew in both modes', () => {
    const clock = new ControllableClock(() => 5_000);
    clock.setSkew(-600_000);
    expect(clock.now()).toBe(5_000 - 600_000);
    clock.set(10_000);
    expect(clock.now()).toBe(10_000 - 600_000);
    clock.useSystem();
    expect(clock.state().skewMs).toBe(-600_000);
  });

  it('rejects a non-finite time', () => {
    const clock = new ControllableClock();
    expect(() => clock.set(Number.NaN)).toThrow(/finite number/);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(/advance/);
  });
});
