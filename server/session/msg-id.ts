import type { Clock } from '../clock.js';

/** Class of a server msg_id: a response to a client message, or an unsolicited message. */
export type ServerMsgKind = 'response' | 'unsolicited';

/**
 * How far the clock may step back, in msg_id units, before msg_ids follow it down instead of
 * staying strictly increasing. Clients set their clock offset from server msg_ids, and the
 * server rejects client msg_ids more than MAX_CLIENT_MSG_LEAD (30 s) ahead with error 17. Ids
 * held more than 15 s ahead, such as after the admin API moves the clock back by an hour, would
 * lock such a client out.
 */
const MAX_CLOCK_STEP_BACK = 15n << 32n;

/**
 * Issues server msg_ids: the clock's time as seconds · 2^32 plus the fraction of a second, made
 * odd (`% 4 == 1` for responses to a client message, `% 4 == 3` for anything else) and strictly
 * increasing across the whole server, so that they also increase within every session. The
 * exception is a clock that steps back by more than 15 s: the ids then follow it.
 */
export class MsgIdGenerator {
  private last = 0n;

  constructor(private readonly clock: Clock) {}

  next(kind: ServerMsgKind): bigint {
    const remainder = kind === 'response' ? 1n : 3n;
    let candidate = (timeToMsgId(this.clock.now()) & ~3n) | remainder;
    if (candidate <= this.last && this.last - candidate <= MAX_CLOCK_STEP_BACK) {
      candidate = ((this.last & ~3n) + 4n) | remainder;
    }
    this.last = candidate;
    return candidate;
  }
}

/** Converts milliseconds since the epoch to the msg_id time scale (seconds · 2^32). */
export function timeToMsgId(ms: number): bigint {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}

/** Returns the whole seconds that a msg_id encodes. */
export function msgIdSeconds(msgId: bigint): number {
  return Number(BigInt.asUintN(64, msgId) >> 32n);
}

/** bad_msg_notification error_code for a rejected client msg_id. */
export type ClientMsgIdProblem = 16 | 17 | 18;

/** A client message may be at most this old (seconds), as the MTProto docs state. */
export const MAX_CLIENT_MSG_AGE = 300;
/** A client message may be at most this far in the future (seconds). */
export const MAX_CLIENT_MSG_LEAD = 30;

/**
 * Checks a client msg_id against the server clock: 18 when it is not divisible by 4, 16 when it
 * is more than 300 s old and 17 when it is more than 30 s ahead. Returns undefined when valid.
 */
export function checkClientMsgId(msgId: bigint, clock: Clock): ClientMsgIdProblem | undefined {
  if (BigInt.asUintN(64, msgId) % 4n !== 0n) return 18;
  const delta = msgIdSeconds(msgId) - clock.now() / 1000;
  if (delta < -MAX_CLIENT_MSG_AGE) return 16;
  if (delta > MAX_CLIENT_MSG_LEAD) return 17;
  return undefined;
}
