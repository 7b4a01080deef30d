import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { hashAuthKey } from './auth-key.js';
import {
  CLIENT_TO_SERVER,
  MessageDecryptError,
  SERVER_TO_CLIENT,
  computeMsgKey,
  decryptMessage,
  deriveAesKeyIv,
  encryptMessage,
} from './message-key.js';

// The real GramJS 2.26.22 client code is the golden reference for the MTProto 2.0 formulas.
const require = createRequire(import.meta.url);
const bigInt = require('big-integer');
const { AuthKey } = require('telegram/crypto/AuthKey');
const { MTProtoState } = require('telegram/network/MTProtoState');
const { IGE: GramJsIge } = require('telegram/crypto/IGE') as {
  IGE: new (key: Buffer, iv: Buffer) => { encryptIge(plaintext: Buffer): Buffer };
};

interface GramJsMessage {
  msgId: { toString(): string };
  seqNo: number;
  obj: { className: string; msgId: { toString(): string }; pingId: { toString(): string } };
}

/** GramJS reads the key id and aux hash as unsigned; ours are signed longs. */
function signedLong(value: { toString(): string }): bigint {
  return BigInt.asIntN(64, BigInt(value.toString()));
}

async function makeGramJsState(authKey: Buffer) {
  const key = new AuthKey();
  await key.setKey(authKey);
  const state = new MTProtoState(key, { debug() {} });
  state.salt = bigInt('1234567890123');
  return { key, state };
}

/** Builds a server→client plaintext: salt, session_id, msg_id, seq_no, length, body, padding. */
function buildServerPlaintext(sessionId: bigint, msgId: bigint, body: Buffer): Buffer {
  const header = Buffer.alloc(32);
  header.writeBigInt64LE(77n, 0);
  header.writeBigInt64LE(sessionId, 8);
  header.writeBigInt64LE(msgId, 16);
  header.writeInt32LE(1, 24);
  header.writeInt32LE(body.length, 28);
  const unpadded = 32 + body.length;
  const padding = randomBytes(12 + ((16 - ((unpadded + 12) % 16)) % 16));
  return Buffer.concat([header, body, padding]);
}

describe('hashAuthKey', () => {
  it('matches the key id and aux hash GramJS computes', async () => {
    const authKey = randomBytes(256);
    const { key } = await makeGramJsState(authKey);

    const { authKeyId, auxHash } = hashAuthKey(authKey);

    expect(authKeyId).toBe(signedLong(key.keyId));
    expect(auxHash.readBigInt64LE(0)).toBe(signedLong(key.auxHash));
  });

  it('hashes all 256 bytes when the key starts with zeros', async () => {
    const authKey = Buffer.concat([Buffer.alloc(2), randomBytes(254)]);
    const { key } = await makeGramJsState(authKey);

    const { key: strippedKey } = await makeGramJsState(authKey.subarray(2));

    expect(hashAuthKey(authKey).authKeyId).toBe(signedLong(key.keyId));
    expect(hashAuthKey(authKey).authKeyId).not.toBe(signedLong(strippedKey.keyId));
  });

  it('rejects a key that is not 256 bytes', () => {
    expect(() => hashAuthKey(Buffer.alloc(255))).toThrow(/auth key must be 256 bytes, got 255/);
  });
});

describe('decryptMessage', () => {
  it('decrypts a message GramJS encrypted as a client', async () => {
    const authKey = randomBytes(256);
    const { key, state } = await makeGramJsState(authKey);
    const body = randomBytes(40);

    const envelope: Buffer = await state.encryptMessageData(body);
    const plaintext = decryptMessage(authKey, envelope, CLIENT_TO_SERVER);

    expect(envelope.readBigInt64LE(0)).toBe(signedLong(key.keyId));
    expect(plaintext.readBigInt64LE(0).toString()).toBe(state.salt.toString());
    expect(plaintext.readBigInt64LE(8).toString()).toBe(state.id.toString());
    expect(plaintext.subarray(16, 56).toString('hex')).toBe(body.toString('hex'));
    expect(plaintext.length % 16).toBe(0);
  });

  it('rejects a client message decrypted with the server direction', async () => {
    const authKey = randomBytes(256);
    const { state } = await makeGramJsState(authKey);
    const envelope: Buffer = await state.encryptMessageData(randomBytes(40));

    expect(() => decryptMessage(authKey, envelope, SERVER_TO_CLIENT)).toThrow(MessageDecryptError);
  });

  it('rejects a tampered ciphertext', async () => {
    const authKey = randomBytes(256);
    const { state } = await makeGramJsState(authKey);
    const envelope: Buffer = await state.encryptMessageData(randomBytes(40));
    envelope[envelope.length - 1] ^= 1;

    expect(() => decryptMessage(authKey, envelope, CLIENT_TO_SERVER)).toThrow(
      /msg_key of the encrypted message does not match/,
    );
  });

  it('rejects a message under another auth key', async () => {
    const { state } = await makeGramJsState(randomBytes(256));
    const envelope: Buffer = await state.encryptMessageData(randomBytes(40));

    expect(() => decryptMessage(randomBytes(256), envelope, CLIENT_TO_SERVER)).toThrow(
      MessageDecryptError,
    );
  });

  it('rejects envelopes with no whole ciphertext blocks', () => {
    const authKey = randomBytes(256);
    for (const length of [0, 8, 24, 25, 24 + 17]) {
      expect(() => decryptMessage(authKey, Buffer.alloc(length))).toThrow(
        new RegExp(`encrypted message of ${length} bytes is invalid`),
      );
    }
  });
});

describe('encryptMessage', () => {
  it('produces a message GramJS decrypts as a client', async () => {
    const authKey = randomBytes(256);
    const { key, state } = await makeGramJsState(authKey);
    const sessionId = BigInt(state.id.toString());
    const msgId = (1_700_000_000n << 32n) | 1n;
    // pong#347773c5 msg_id:long ping_id:long
    const pong = Buffer.alloc(20);
    pong.writeUInt32LE(0x347773c5, 0);
    pong.writeBigInt64LE(42n, 4);
    pong.writeBigInt64LE(-7n, 12);

    const envelope = encryptMessage(
      authKey,
      hashAuthKey(authKey).authKeyId,
      buildServerPlaintext(sessionId, msgId, pong),
    );
    const message: GramJsMessage = await state.decryptMessageData(envelope);

    expect(envelope.readBigInt64LE(0)).toBe(signedLong(key.keyId));
    expect(message.msgId.toString()).toBe(msgId.toString());
    expect(message.seqNo).toBe(1);
    expect(message.obj.className).toBe('Pong');
    expect(message.obj.msgId.toString()).toBe('42');
    expect(message.obj.pingId.toString()).toBe('-7');
  });

  it('round-trips through decryptMessage in both directions', () => {
    const authKey = randomBytes(256);
    const { authKeyId } = hashAuthKey(authKey);
    const plaintext = randomBytes(96);

    for (const x of [CLIENT_TO_SERVER, SERVER_TO_CLIENT]) {
      const envelope = encryptMessage(authKey, authKeyId, plaintext, x);
      expect(envelope.readBigInt64LE(0)).toBe(authKeyId);
      expect(decryptMessage(authKey, envelope, x).equals(plaintext)).toBe(true);
    }
  });

  it('matches the formulas for small and large plaintexts', () => {
    // Computed here from the MTProto 2.0 formulas with createHash and GramJS's AES-IGE. Sizes
    // alternate between small and above the 64 KiB that encryptMessage hashes in one piece, so
    // that a value left over in a reused buffer from the previous call would show up.
    const authKey = randomBytes(256);
    const { authKeyId } = hashAuthKey(authKey);
    const sha256 = (...parts: Buffer[]) => {
      const hash = createHash('sha256');
      for (const part of parts) hash.update(part);
      return hash.digest();
    };
    for (const size of [16, 70_000 - (70_000 % 16), 48, 65_536, 65_552, 1024]) {
      for (const x of [CLIENT_TO_SERVER, SERVER_TO_CLIENT]) {
        const plaintext = randomBytes(size);
        const msgKey = sha256(authKey.subarray(88 + x, 120 + x), plaintext).subarray(8, 24);
        const a = sha256(msgKey, authKey.subarray(x, x + 36));
        const b = sha256(authKey.subarray(40 + x, 76 + x), msgKey);
        const key = Buffer.concat([a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)]);
        const iv = Buffer.concat([b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)]);
        const ciphertext = new GramJsIge(key, iv).encryptIge(plaintext);

        const envelope = encryptMessage(authKey, authKeyId, plaintext, x);

        expect(envelope.subarray(8, 24).toString('hex')).toBe(msgKey.toString('hex'));
        expect(Buffer.from(envelope.subarray(24)).equals(Buffer.from(ciphertext))).toBe(true);
        expect(decryptMessage(authKey, envelope, x).equals(plaintext)).toBe(true);
      }
    }
  });

  it('rejects a plaintext that is not padded to whole blocks', () => {
    expect(() => encryptMessage(randomBytes(256), 1n, Buffer.alloc(20))).toThrow(
      /plaintext length 20 must be a positive multiple of 16/,
    );
  });
});

describe('computeMsgKey and deriveAesKeyIv', () => {
  it('match the GramJS formulas for both directions', async () => {
    const authKey = randomBytes(256);
    const { state } = await makeGramJsState(authKey);
    const msgKey = randomBytes(16);

    for (const [x, isClient] of [
      [CLIENT_TO_SERVER, true],
      [SERVER_TO_CLIENT, false],
    ] as const) {
      const theirs: { key: Buffer; iv: Buffer } = await state._calcKey(authKey, msgKey, isClient);
      const ours = deriveAesKeyIv(authKey, msgKey, x);
      expect(ours.key.toString('hex')).toBe(Buffer.from(theirs.key).toString('hex'));
      expect(ours.iv.toString('hex')).toBe(Buffer.from(theirs.iv).toString('hex'));
    }
  });

  it('computeMsgKey takes the key slice at 88 + x', () => {
    // Changing a byte in auth_key[88..96] changes the x = 0 key but not the x = 8 key, and a
    // byte in auth_key[120..128] only the x = 8 key.
    const authKey = randomBytes(256);
    const plaintext = randomBytes(32);
    const changedLow = Buffer.from(authKey);
    changedLow[90] ^= 0xff;
    const changedHigh = Buffer.from(authKey);
    changedHigh[125] ^= 0xff;

    const base = [computeMsgKey(authKey, plaintext, 0), computeMsgKey(authKey, plaintext, 8)];

    expect(computeMsgKey(changedLow, plaintext, 0).equals(base[0])).toBe(false);
    expect(computeMsgKey(changedLow, plaintext, 8).equals(base[1])).toBe(true);
    expect(computeMsgKey(changedHigh, plaintext, 0).equals(base[0])).toBe(true);
    expect(computeMsgKey(changedHigh, plaintext, 8).equals(base[1])).toBe(false);
  });

  it('rejects a msg_key of the wrong size', () => {
    expect(() => deriveAesKeyIv(randomBytes(256), randomBytes(15), 0)).toThrow(
      /msg_key must be 16 bytes, got 15/,
    );
  });
});
