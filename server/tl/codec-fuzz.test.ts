import fc from 'fast-check';
import { Api } from 'telegram';
import { describe, expect, it } from 'vitest';
import { TlReadError, TlReader } from '../binary/tl-reader.js';
import { decodeObject, deserialize, TlCodecError } from './codec.js';
import { defaultRegistry } from './registry.js';

const view = defaultRegistry().view(198);

/** Decodes hostile bytes and returns what happened; anything but our two errors is rethrown. */
function decodeHostile(bytes: Uint8Array): 'decoded' | TlCodecError | TlReadError {
  try {
    decodeObject(new TlReader(Buffer.from(bytes)), view);
    return 'decoded';
  } catch (error) {
    if (error instanceof TlCodecError || error instanceof TlReadError) return error;
    throw error;
  }
}

// Real ids make the decoder go past the first word, so the fuzzing reaches nested fields.
const knownIds = [
  0xcc1a241e, // config
  0x2ea2c0d4, // auth.authorization
  0x957b50fb, // account.password
  0xda9b0d0d, // invokeWithLayer
  0xc1cd5ea9, // initConnection
  0x73f1f8dc, // msg_container
  0xae500895, // future_salts
  0x62d6b459, // msgs_ack
  0x1cb5c415, // vector, which is no object
  0xa87b0a1c, // inputPeerUserFromMessage, which nests
];

const golden = new Api.InvokeWithLayer({
  layer: 198,
  query: new Api.InitConnection({
    apiId: 1,
    deviceModel: 'fuzz',
    systemVersion: '1',
    appVersion: '1',
    systemLangCode: 'en',
    langPack: '',
    langCode: 'en',
    query: new Api.auth.RecoverPassword({
      code: '1',
      newSettings: new Api.account.PasswordInputSettings({
        newAlgo: new Api.PasswordKdfAlgoUnknown(),
        newPasswordHash: Buffer.alloc(300, 7),
        hint: 'h',
      }),
    }),
  }),
}).getBytes();

describe('codec on hostile input', () => {
  it('survives random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodeHostile(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('survives random fields after real ids', () => {
    fc.assert(
      fc.property(fc.constantFrom(...knownIds), fc.uint8Array({ maxLength: 512 }), (id, tail) => {
        const head = Buffer.alloc(4);
        head.writeUInt32LE(id);
        decodeHostile(Buffer.concat([head, tail]));
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects every request truncation', () => {
    expect(deserialize(golden, view)._).toBe('invokeWithLayer');
    for (let length = 0; length < golden.length; length++) {
      const outcome = decodeHostile(golden.subarray(0, length));
      expect(outcome, `prefix of ${length} bytes`).not.toBe('decoded');
    }
  });

  it('survives corrupted requests', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(golden.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (changes) => {
          const corrupted = Buffer.from(golden);
          for (const [offset, byte] of changes) corrupted[offset] = byte;
          decodeHostile(corrupted);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('fails fast on lying vector counts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 0x7fffffff }),
        fc.uint8Array({ maxLength: 64 }),
        (count, items) => {
          // msgs_ack#62d6b459 msg_ids:Vector<long> with `count` announced and too few bytes.
          fc.pre(count * 8 > items.length);
          const head = Buffer.alloc(12);
          head.writeUInt32LE(0x62d6b459, 0);
          head.writeUInt32LE(0x1cb5c415, 4);
          head.writeInt32LE(count, 8);
          const outcome = decodeHostile(Buffer.concat([head, items]));
          expect(outcome).toBeInstanceOf(TlCodecError);
          expect((outcome as TlCodecError).code).toBe('INPUT_FETCH_ERROR');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
