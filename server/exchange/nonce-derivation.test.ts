import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  computeInitialServerSalt,
  computeNewNonceHash,
  deriveTmpAesKeyIv,
} from './nonce-derivation.js';

// GramJS 2.26.22 client helpers are the golden reference. GramJS keeps nonces as signed
// little-endian big-integers, so the raw bytes are converted the way it reads them.
const require = createRequire(import.meta.url);
const { generateKeyDataFromNonce, readBigIntFromBuffer } = require('telegram/Helpers');
const { AuthKey } = require('telegram/crypto/AuthKey');

describe('deriveTmpAesKeyIv', () => {
  it('matches GramJS generateKeyDataFromNonce', async () => {
    for (let i = 0; i < 10; i++) {
      const newNonce = randomBytes(32);
      const serverNonce = randomBytes(16);

      const theirs: { key: Buffer; iv: Buffer } = await generateKeyDataFromNonce(
        readBigIntFromBuffer(serverNonce, true, true),
        readBigIntFromBuffer(newNonce, true, true),
      );
      const ours = deriveTmpAesKeyIv(newNonce, serverNonce);

      expect(ours.key.toString('hex')).toBe(theirs.key.toString('hex'));
      expect(ours.iv.toString('hex')).toBe(theirs.iv.toString('hex'));
    }
  });
});

describe('computeNewNonceHash', () => {
  it('matches GramJS calcNewNonceHash for n = 1, 2 and 3', async () => {
    const authKey = randomBytes(256);
    const gramJsKey = new AuthKey();
    await gramJsKey.setKey(authKey);
    const auxHash = gramJsKey._hash.subarray(0, 8);
    const newNonce = randomBytes(32);

    for (const n of [1, 2, 3] as const) {
      const theirs = await gramJsKey.calcNewNonceHash(
        readBigIntFromBuffer(newNonce, true, true),
        n,
      );
      const ours = computeNewNonceHash(newNonce, n, auxHash);

      expect(ours.length).toBe(16);
      expect(readBigIntFromBuffer(ours, true, true).toString()).toBe(theirs.toString());
    }
  });
});

describe('computeInitialServerSalt', () => {
  it('xors the first 8 bytes of both nonces', () => {
    const newNonce = Buffer.from('0102030405060708' + '00'.repeat(24), 'hex');
    const serverNonce = Buffer.from('ff00ff00ff00ff00' + '11'.repeat(8), 'hex');
    // fe 02 fc 04 fa 06 f8 08 read little-endian.
    expect(computeInitialServerSalt(newNonce, serverNonce)).toBe(
      BigInt.asIntN(64, 0x08f806fa04fc02fen),
    );
  });
});
