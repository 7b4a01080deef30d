import type { Clock } from '../clock.js';

/** The state of a ControllableClock as the admin API reports it. */
export interface ClockState {
  /** Milliseconds since the Unix epoch that the clock reads now, skew included. */
  now: number;
  /** `system` follows the machine's clock plus an offset; `fixed` stays put until changed. */
  mode: 'system' | 'fixed';
  /** Milliseconds added to the machine's clock in `system` mode. */
  offsetMs: number;
  /** Milliseconds added on top by a clock-skew fault. */
  skewMs: number;
}

/**
 * A clock that tests can set, freeze and advance. In `system` mode it runs with the machine's
 * clock plus an offset, so `advance` moves it forward and it keeps running. `set` freezes it at
 * a time until `advance` moves it or `useSystem` releases it. A skew, set by the clock-skew
 * fault, is added in both modes.
 */
export class ControllableClock implements Clock {
  private mode: 'system' | 'fixed' = 'system';
  private offsetMs = 0;
  private fixedMs = 0;
  private skew = 0;

  constructor(private readonly systemNow: () => number = Date.now) {}

  now(): number {
    const base = this.mode === 'fixed' ? this.fixedMs : this.systemNow() + this.offsetMs;
    return base + this.skew;
  }

  /** Freezes the clock at `ms` since the Unix epoch. */
  set(ms: number): void {
    assertFiniteMs(ms, 'set');
    this.mode = 'fixed';
    this.fixedMs = ms;
  }

  /** Moves the clock forward by `ms` (backward when negative), in either mode. */
  advance(ms: number): void {
    assertFiniteMs(ms, 'advance');
    if (this.mode === 'fixed') this.fixedMs += ms;
    else this.offsetMs += ms;
  }

  /** Returns to the machine's clock with no offset. The skew stays until its fault goes. */
  useSystem(): void {
    this.mode = 'system';
    this.offsetMs = 0;
  }

  /** Sets the skew that a clock-skew fault adds, in milliseconds; 0 removes it. */
  setSkew(ms: number): void {
    assertFiniteMs(ms, 'skew');
    this.skew = ms;
  }

  state(): ClockState {
    return { now: this.now(), mode: this.mode, offsetMs: this.offsetMs, skewMs: this.skew };
  }
}

function assertFiniteMs(ms: number, field: string): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new RangeError(`clock ${field} must be a finite number of milliseconds, got ${ms}`);
  }
}
