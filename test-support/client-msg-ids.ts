import type { Clock } from '../server/clock.js';
import { timeToMsgId } from '../server/session/msg-id.js';

/**
 * Returns a client msg_id for a moment: seconds · 2^32 plus the fraction of the second, with the
 * two low bits cleared. The low 32 bits are never all zero, because MTProto forbids that.
 */
export function clientMsgIdAt(ms: number): bigint {
  const msgId = timeToMsgId(ms) & ~3n;
  return (msgId & 0xffffffffn) === 0n ? msgId + 4n : msgId;
}

/** Issues client msg_ids from a clock, divisible by 4 and strictly increasing. */
export class ClientMsgIds {
  private last = 0n;

  constructor(private readonly clock: Clock) {}

  next(): bigint {
    let msgId = clientMsgIdAt(this.clock.now());
    if (msgId <= this.last) msgId = this.last + 4n;
    this.last = msgId;
    return msgId;
  }
}
