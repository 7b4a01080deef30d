/**
 * Time source for everything that depends on time: msg_ids, server_time, salts and code expiry.
 * Tests inject a fixed or fake clock so that runs are repeatable.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Returns the clock's time in whole seconds, as TL `date` fields carry it. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
