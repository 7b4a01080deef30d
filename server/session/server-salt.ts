import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';

/** Telegram rotates salts about every 30 minutes; the previous one stays valid as long again. */
export const SALT_WINDOW_SECONDS = 1800;

/** How many future windows a client may hold salts for (get_future_salts takes at most 64). */
const MAX_FUTURE_WINDOWS = 64;

/** Salts kept per key: the previous, current and every future window a client may hold. */
const MAX_CACHED_SALTS = 2 * (MAX_FUTURE_WINDOWS + 2);

export interface FutureSalt {
  validSince: number;
  validUntil: number;
  salt: bigint;
}

/**
 * Server salts of one auth key. The salt of each 30-minute window is derived from a random
 * per-key secret, so salts handed out by get_future_salts need no storage. The salt from the key
 * exchange is accepted during the key's first window too, because mtcute starts with it.
 */
export class ServerSalts {
  private readonly secret = randomBytes(32);
  private readonly cache = new Map<number, bigint>();
  private readonly initialWindow: number;
  /** Last window whose salt future() has handed out. A client can know no salt beyond it. */
  private furthestFutureWindow = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly initialSalt: bigint,
  ) {
    this.initialWindow = this.windowAt(clock.now());
  }

  private windowAt(ms: number): number {
    return Math.floor(ms / 1000 / SALT_WINDOW_SECONDS);
  }

  private saltOf(window: number): bigint {
    let salt = this.cache.get(window);
    if (salt === undefined) {
      const digest = createHmac('sha256', this.secret).update(String(window)).digest();
      salt = digest.readBigInt64LE(0);
      // Every message checks its salt, so each window's HMAC is computed once.
      if (this.cache.size >= MAX_CACHED_SALTS) this.cache.clear();
      this.cache.set(window, salt);
    }
    return salt;
  }

  /** Returns the salt that the server hands out now, in bad_server_salt and new_session_created. */
  current(): bigint {
    return this.saltOf(this.windowAt(this.clock.now()));
  }

  /**
   * Checks a client's salt: the current or previous window's, one that future() handed out, or
   * the initial. Only windows up to the furthest handed out are checked, so a wrong salt (such
   * as the 0 that GramJS and Telethon start with) costs two HMACs, not one per future window.
   */
  isValid(salt: bigint): boolean {
    const window = this.windowAt(this.clock.now());
    if (window <= this.initialWindow + 1 && salt === this.initialSalt) return true;
    const last = Math.min(window + MAX_FUTURE_WINDOWS, Math.max(window, this.furthestFutureWindow));
    for (let w = window - 1; w <= last; w++) {
      if (this.saltOf(w) === salt) return true;
    }
    return false;
  }

  /** Lists `count` salts from the current window on, as future_salts carries them. */
  future(count: number): FutureSalt[] {
    const window = this.windowAt(this.clock.now());
    const salts: FutureSalt[] = [];
    const limit = Math.min(Math.max(count, 1), MAX_FUTURE_WINDOWS);
    this.furthestFutureWindow = Math.max(this.furthestFutureWindow, window + limit - 1);
    for (let w = window; w < window + limit; w++) {
      salts.push({
        validSince: w * SALT_WINDOW_SECONDS,
        validUntil: (w + 2) * SALT_WINDOW_SECONDS,
        salt: this.saltOf(w),
      });
    }
    return salts;
  }
}
