import { randomInt } from 'node:crypto';
import { decryptMessage, encryptMessage } from '../crypto/message-key.js';
import { fillRandom } from '../crypto/random-pool.js';

/** Header of a decrypted MTProto 2.0 message: salt, session_id, msg_id, seq_no and length. */
const HEADER_SIZE = 32;
const MIN_PADDING = 12;
const MAX_PADDING = 1024;

/** A client message after decryption. */
export interface DecryptedMessage {
  salt: bigint;
  sessionId: bigint;
  msgId: bigint;
  seqNo: number;
  body: Buffer;
}

/** Raised when a decrypted message breaks the layout rules. The server responds with transport error -404. */
export class MessageLayoutError extends Error {
  override readonly name: string = 'MessageLayoutError';
}

/** A packet too short for the 24-byte header and one ciphertext block, so never decrypted. */
export class ShortPacketError extends MessageLayoutError {
  override readonly name = 'ShortPacketError';
}

/**
 * Decrypts an encrypted packet with its auth key and parses the plaintext header. The length
 * must be a multiple of 4 and leave 12 to 1024 bytes of padding, as MTProto 2.0 requires.
 * Bytes past a multiple of 16 are stripped first: padded intermediate adds up to 15 random bytes.
 */
export function openMessage(authKey: Buffer, packet: Buffer): DecryptedMessage {
  // Checked before the stripping, so that the error gives the length the client sent.
  if (packet.length < 24 + 16) {
    throw new ShortPacketError(
      `encrypted packet of ${packet.length} bytes is too short: it needs the 24-byte header ` +
        'and at least 16 bytes of ciphertext',
    );
  }
  const extra = (packet.length - 24) % 16;
  const envelope = extra > 0 ? packet.subarray(0, packet.length - extra) : packet;
  const plaintext = decryptMessage(authKey, envelope);
  if (plaintext.length < HEADER_SIZE + MIN_PADDING) {
    throw new MessageLayoutError(`decrypted message of ${plaintext.length} bytes is too short`);
  }
  const length = plaintext.readUInt32LE(28);
  const padding = plaintext.length - HEADER_SIZE - length;
  if (length % 4 !== 0 || padding < MIN_PADDING || padding > MAX_PADDING) {
    throw new MessageLayoutError(
      `message length ${length} leaves ${padding} bytes of padding in ${plaintext.length}; ` +
        `expected a multiple of 4 with ${MIN_PADDING} to ${MAX_PADDING} bytes of padding`,
    );
  }
  return {
    salt: plaintext.readBigInt64LE(0),
    sessionId: plaintext.readBigInt64LE(8),
    msgId: plaintext.readBigInt64LE(16),
    seqNo: plaintext.readInt32LE(24),
    body: plaintext.subarray(HEADER_SIZE, HEADER_SIZE + length),
  };
}

/** A server message before encryption. */
export interface MessageToSeal {
  salt: bigint;
  sessionId: bigint;
  msgId: bigint;
  seqNo: number;
  body: Buffer;
}

const sealScratch = Buffer.alloc(4096);

/** Builds the plaintext with random padding (12 to 27 bytes, up to a multiple of 16) and encrypts it. */
export function sealMessage(authKey: Buffer, authKeyId: bigint, message: MessageToSeal): Buffer {
  const unpadded = HEADER_SIZE + message.body.length;
  const padding = MIN_PADDING + ((16 - ((unpadded + MIN_PADDING) % 16)) % 16) + 16 * randomInt(2);
  const size = unpadded + padding;
  // The plaintext never leaves this function, so small messages reuse one buffer.
  const plaintext =
    size <= sealScratch.length ? sealScratch.subarray(0, size) : Buffer.allocUnsafe(size);
  plaintext.writeBigInt64LE(BigInt.asIntN(64, message.salt), 0);
  plaintext.writeBigInt64LE(BigInt.asIntN(64, message.sessionId), 8);
  plaintext.writeBigInt64LE(BigInt.asIntN(64, message.msgId), 16);
  plaintext.writeInt32LE(message.seqNo, 24);
  plaintext.writeUInt32LE(message.body.length, 28);
  message.body.copy(plaintext, HEADER_SIZE);
  fillRandom(plaintext, unpadded, padding);
  return encryptMessage(authKey, authKeyId, plaintext);
}

/** Parses an unencrypted message: auth_key_id 0, msg_id, length and body. */
export function openPlainMessage(packet: Buffer): { msgId: bigint; body: Buffer } {
  if (packet.length < 20) {
    throw new MessageLayoutError(`unencrypted message of ${packet.length} bytes is too short`);
  }
  const length = packet.readUInt32LE(16);
  if (length > packet.length - 20) {
    throw new MessageLayoutError(
      `unencrypted message declares ${length} bytes but carries ${packet.length - 20}`,
    );
  }
  return { msgId: packet.readBigInt64LE(8), body: packet.subarray(20, 20 + length) };
}

/** Builds an unencrypted message, the form in which key-exchange responses travel. */
export function sealPlainMessage(msgId: bigint, body: Buffer): Buffer {
  const packet = Buffer.allocUnsafe(20 + body.length);
  packet.writeBigInt64LE(0n, 0);
  packet.writeBigInt64LE(BigInt.asIntN(64, msgId), 8);
  packet.writeUInt32LE(body.length, 16);
  body.copy(packet, 20);
  return packet;
}
