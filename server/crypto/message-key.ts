import { createHash, timingSafeEqual } from 'node:crypto';
import { aesIgeDecrypt, aesIgeEncrypt } from './aes-ige.js';
import { AUTH_KEY_SIZE } from './auth-key.js';

/**
 * MTProto 2.0 message keys and the key derivation for encrypted messages
 * (https://core.telegram.org/mtproto/description). The envelope is
 * auth_key_id (8) ‖ msg_key (16) ‖ AES-256-IGE(plaintext), where the plaintext already carries
 * salt, session_id, msg_id, seq_no, length, body and 12..1024 bytes of padding.
 */

/** The offset x into the auth key: 0 for messages from client to server, 8 for the reverse. */
export type KeyDirection = 0 | 8;
export const CLIENT_TO_SERVER: KeyDirection = 0;
export const SERVER_TO_CLIENT: KeyDirection = 8;

const AUTH_KEY_ID_SIZE = 8;
const MSG_KEY_SIZE = 16;
const ENVELOPE_HEADER_SIZE = AUTH_KEY_ID_SIZE + MSG_KEY_SIZE;

/** Raised when an encrypted message cannot be decrypted. The session layer then sends -404. */
export class MessageDecryptError extends Error {
  override readonly name = 'MessageDecryptError';
}

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function checkAuthKey(authKey: Uint8Array): void {
  if (authKey.length !== AUTH_KEY_SIZE) {
    throw new RangeError(`auth key must be ${AUTH_KEY_SIZE} bytes, got ${authKey.length}`);
  }
}

/** Computes msg_key = SHA256(auth_key[88+x .. 120+x] ‖ plaintext)[8..24], padding included. */
export function computeMsgKey(authKey: Uint8Array, plaintext: Uint8Array, x: KeyDirection): Buffer {
  checkAuthKey(authKey);
  return sha256(authKey.subarray(88 + x, 120 + x), plaintext).subarray(8, 24);
}

/** Derives the AES-256-IGE key and IV of one message from the auth key and its msg_key. */
export function deriveAesKeyIv(
  authKey: Uint8Array,
  msgKey: Uint8Array,
  x: KeyDirection,
): { key: Buffer; iv: Buffer } {
  checkAuthKey(authKey);
  if (msgKey.length !== MSG_KEY_SIZE) {
    throw new RangeError(`msg_key must be ${MSG_KEY_SIZE} bytes, got ${msgKey.length}`);
  }
  const a = sha256(msgKey, authKey.subarray(x, x + 36));
  const b = sha256(authKey.subarray(40 + x, 76 + x), msgKey);
  const key = Buffer.concat([a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)]);
  const iv = Buffer.concat([b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)]);
  return { key, iv };
}

/**
 * Encrypts a padded plaintext into the envelope auth_key_id ‖ msg_key ‖ ciphertext.
 * The server sends with x = 8. The plaintext length must already be a multiple of 16.
 */
export function encryptMessage(
  authKey: Uint8Array,
  authKeyId: bigint,
  plaintext: Uint8Array,
  x: KeyDirection = SERVER_TO_CLIENT,
): Buffer {
  if (plaintext.length === 0 || plaintext.length % 16 !== 0) {
    throw new RangeError(
      `message plaintext length ${plaintext.length} must be a positive multiple of 16; ` +
        'add 12..1024 bytes of padding first',
    );
  }
  const msgKey = computeMsgKey(authKey, plaintext, x);
  const { key, iv } = deriveAesKeyIv(authKey, msgKey, x);
  const envelope = Buffer.allocUnsafe(ENVELOPE_HEADER_SIZE + plaintext.length);
  envelope.writeBigInt64LE(BigInt.asIntN(64, authKeyId), 0);
  msgKey.copy(envelope, AUTH_KEY_ID_SIZE);
  aesIgeEncrypt(plaintext, key, iv).copy(envelope, ENVELOPE_HEADER_SIZE);
  return envelope;
}

/**
 * Decrypts an envelope and checks its msg_key, returning the plaintext with its padding.
 * The caller picks `authKey` by the envelope's first 8 bytes, so they are not checked here.
 * The server receives with x = 0. Throws MessageDecryptError on a bad length or msg_key.
 */
export function decryptMessage(
  authKey: Uint8Array,
  envelope: Uint8Array,
  x: KeyDirection = CLIENT_TO_SERVER,
): Buffer {
  const ciphertextLength = envelope.length - ENVELOPE_HEADER_SIZE;
  if (ciphertextLength <= 0 || ciphertextLength % 16 !== 0) {
    throw new MessageDecryptError(
      `encrypted message of ${envelope.length} bytes is invalid: after the 24-byte header the ` +
        'ciphertext must be a positive multiple of 16 bytes',
    );
  }
  const msgKey = envelope.subarray(AUTH_KEY_ID_SIZE, ENVELOPE_HEADER_SIZE);
  const { key, iv } = deriveAesKeyIv(authKey, msgKey, x);
  const plaintext = aesIgeDecrypt(envelope.subarray(ENVELOPE_HEADER_SIZE), key, iv);

  const expectedMsgKey = computeMsgKey(authKey, plaintext, x);
  if (!timingSafeEqual(expectedMsgKey, msgKey)) {
    throw new MessageDecryptError(
      'msg_key of the encrypted message does not match its decrypted content: the message was ' +
        'encrypted with another auth key or direction, or was altered',
    );
  }
  return plaintext;
}
