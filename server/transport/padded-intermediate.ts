import { randomBytes, randomInt } from 'node:crypto';
import type { FramingName } from './framing.js';
import { IntermediateFraming } from './intermediate.js';

/** Largest pad the server adds: Telethon strips only `length % 4` trailing bytes. */
const MAX_SENT_PAD = 3;

/**
 * Padded intermediate framing (tag `dddddddd`): intermediate framing whose length also covers
 * 0..15 random pad bytes after the payload.
 *
 * Received payloads are handed up with their padding, because only the message layer can read
 * the real length, from the message header. Sent payloads get 0..3 pad bytes, and transport errors
 * get none, because mtcute and Telethon recognise an error by a length of exactly 4.
 */
export class PaddedIntermediateFraming extends IntermediateFraming {
  override readonly name: FramingName = 'padded-intermediate';

  override encode(payload: Buffer): Buffer {
    return this.frame(payload, randomBytes(randomInt(0, MAX_SENT_PAD + 1)));
  }
}
