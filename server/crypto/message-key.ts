import * as nodeCrypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';
import { aesIgeDecrypt, aesIgeEncryptInto } from './aes-ige.js';
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

/** One-shot crypto.hash(), in Node since 20.12 and 21.7. Older versions use createHash(). */
const hashOnce = (
  nodeCrypto as {
    hash?: (algorithm: string, data: Uint8Array, outputEncoding: 'binary') => string;
  }
).hash;

/** Inputs up to this size are joined in a reused buffer for hashOnce. Larger ones are streamed. */
const MAX_JOINED_INPUT = 64 * 1024;
let joinBuffer = Buffer.allocUnsafe(1024);

/**
 * Writes SHA-256(a ‖ b) into target[0..32]. Every message costs three SHA-256 runs each way,
 * and a digest returned as a Buffer costs Node a native allocation that takes several times
 * longer than the hash itself (Node 20). So the digest comes as a 'binary' (latin1) string, one
 * character per byte, and is copied.
 */
function sha256Into(target: Buffer, a: Uint8Array, b: Uint8Array): void {
  const total = a.length + b.length;
  let digest: string;
  if (hashOnce === undefined || total > MAX_JOINED_INPUT) {
    digest = createHash('sha256').update(a).update(b).digest('binary');
  } else {
    if (total > joinBuffer.length) joinBuffer = Buffer.allocUnsafe(MAX_JOINED_INPUT);
    joinBuffer.set(a, 0);
    joinBuffer.set(b, a.length);
    digest = hashOnce('sha256', joinBuffer.subarray(0, total), 'binary');
  }
  target.write(digest, 0, 32, 'latin1');
}

/** Digests of the message being sealed or opened; the functions below copy what they keep. */
const digestA = Buffer.alloc(32);
const digestB = Buffer.alloc(32);

function checkAuthKey(authKey: Uint8Array): void {
  if (authKey.length !== AUTH_KEY_SIZE) {
    throw new RangeError(`auth key must be ${AUTH_KEY_SIZE} bytes, got ${authKey.length}`);
  }
}

/** Computes msg_key = SHA256(auth_key[88+x .. 120+x] ‖ plaintext)[8..24], padding included. */
export function computeMsgKey(authKey: Uint8Array, plaintext: Uint8Array, x: KeyDirection): Buffer {
  return Buffer.from(msgKeyInScratch(authKey, plaintext, x));
}

/** Computes msg_key like computeMsgKey into digestA, and returns the view of it there. */
function msgKeyInScratch(authKey: Uint8Array, plaintext: Uint8Array, x: KeyDirection): Buffer {
  checkAuthKey(authKey);
  sha256Into(digestA, authKey.subarray(88 + x, 120 + x), plaintext);
  return digestA.subarray(8, 24);
}

/** Derives the AES-256-IGE key and IV of one message from the auth key and its msg_key. */
export function deriveAesKeyIv(
  authKey: Uint8Array,
  msgKey: Uint8Array,
  x: KeyDirection,
): { key: Buffer; iv: Buffer } {
  deriveIntoScratch(authKey, msgKey, x);
  return { key: Buffer.from(scratchKey), iv: Buffer.from(scratchIv) };
}

/**
 * Key and IV of the message being encrypted or decrypted. createCipheriv() copies both, so the
 * per-message functions below reuse these two buffers instead of allocating a pair per message.
 */
const scratchKey = Buffer.alloc(32);
const scratchIv = Buffer.alloc(32);

/** Writes the key and IV derived from msg_key into scratchKey and scratchIv. */
function deriveIntoScratch(authKey: Uint8Array, msgKey: Uint8Array, x: KeyDirection): void {
  checkAuthKey(authKey);
  if (msgKey.length !== MSG_KEY_SIZE) {
    throw new RangeError(`msg_key must be ${MSG_KEY_SIZE} bytes, got ${msgKey.length}`);
  }
  const a = digestA;
  const b = digestB;
  sha256Into(a, msgKey, authKey.subarray(x, x + 36));
  sha256Into(b, authKey.subarray(40 + x, 76 + x), msgKey);
  // aes_key = a[0..8] ‖ b[8..24] ‖ a[24..32] and aes_iv = b[0..8] ‖ a[8..24] ‖ b[24..32].
  a.copy(scratchKey, 0, 0, 8);
  b.copy(scratchKey, 8, 8, 24);
  a.copy(scratchKey, 24, 24, 32);
  b.copy(scratchIv, 0, 0, 8);
  a.copy(scratchIv, 8, 8, 24);
  b.copy(scratchIv, 24, 24, 32);
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
  const envelope = Buffer.allocUnsafe(ENVELOPE_HEADER_SIZE + plaintext.length);
  envelope.writeBigInt64LE(BigInt.asIntN(64, authKeyId), 0);
  msgKeyInScratch(authKey, plaintext, x).copy(envelope, AUTH_KEY_ID_SIZE);
  const msgKey = envelope.subarray(AUTH_KEY_ID_SIZE, ENVELOPE_HEADER_SIZE);
  deriveIntoScratch(authKey, msgKey, x);
  aesIgeEncryptInto(plaintext, scratchKey, scratchIv, envelope, ENVELOPE_HEADER_SIZE);
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
  deriveIntoScratch(authKey, msgKey, x);
  const plaintext = aesIgeDecrypt(envelope.subarray(ENVELOPE_HEADER_SIZE), scratchKey, scratchIv);

  if (!timingSafeEqual(msgKeyInScratch(authKey, plaintext, x), msgKey)) {
    throw new MessageDecryptError(
      'msg_key of the encrypted message does not match its decrypted content: the message was ' +
        'encrypted with another auth key or direction, or was altered',
    );
  }
  return plaintext;
}
