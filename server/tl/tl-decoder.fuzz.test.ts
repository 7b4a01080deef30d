import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../../fuzz/fuzz-settings.js';
import { TlReadError } from '../binary/tl-reader.js';
import { TlWriter } from '../binary/tl-writer.js';
import { deserialize, MAX_DEPTH, serialize, TlCodecError } from './codec.js';
import { defaultRegistry } from './registry.js';

const view = defaultRegistry().view();
const VECTOR_ID = 0x1cb5c415;

/** Combinators whose ids start the structured inputs: methods, constructors and wrappers. */
const COMBINATOR_NAMES = [
  'msgs_ack',
  'ping',
  'auth.sendCode',
  'auth.signIn',
  'auth.checkPassword',
  'account.getPassword',
  'account.updatePasswordSettings',
  'help.getConfig',
  'invokeWithLayer',
  'initConnection',
  'invokeAfterMsg',
  'inputCheckPasswordSRP',
  'codeSettings',
];
const COMBINATOR_IDS = COMBINATOR_NAMES.map((name) => {
  const combinator = view.methodByName(name) ?? view.constructorByName(name);
  if (combinator === undefined) throw new Error(`${name} is missing from layer ${view.layer}`);
  return combinator.id >>> 0;
});

/** Decodes and returns the error, which must be one of the decoder's own. */
function decodeError(bytes: Buffer): unknown {
  try {
    deserialize(bytes, view);
    return undefined;
  } catch (error) {
    expect([TlCodecError, TlReadError].some((type) => error instanceof type)).toBe(true);
    return error;
  }
}

function idThen(id: number, rest: Uint8Array): Buffer {
  return Buffer.concat([new TlWriter().uint(id).finish(), Buffer.from(rest)]);
}

describe('TL decoder fuzzing', () => {
  it('random bytes raise only decoder errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodeError(Buffer.from(bytes));
      }),
      fuzzParameters(),
    );
  });

  it('known ids with random bodies raise only decoder errors', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...COMBINATOR_IDS),
        fc.uint8Array({ maxLength: 512 }),
        (id, rest) => {
          decodeError(idThen(id, rest));
        },
      ),
      fuzzParameters(),
    );
  });

  it('every truncation of a valid request fails', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.nat(),
        (phone, hash, cut) => {
          const valid = serialize(
            { _: 'auth.signIn', phone_number: phone, phone_code_hash: hash, phone_code: '12345' },
            view,
          );
          expect(deserialize(valid, view)._).toBe('auth.signIn');
          const truncated = valid.subarray(0, cut % valid.length);
          expect(decodeError(truncated)).toBeDefined();
        },
      ),
      fuzzParameters(),
    );
  });

  it('vectors with lying counts fail', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 16 }),
        (count, ids) => {
          fc.pre(count !== ids.length);
          const writer = new TlWriter().uint(view.constructorByName('msgs_ack')!.id >>> 0);
          writer.uint(VECTOR_ID).int(count);
          for (const id of ids) writer.long(id);
          expect(decodeError(writer.finish())).toBeDefined();
        },
      ),
      fuzzParameters(),
    );
  });

  it('unknown top-level ids raise INPUT_METHOD_INVALID', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 64 }),
        (id, rest) => {
          fc.pre(view.byId(id | 0) === undefined && view.byId(id) === undefined);
          const error = decodeError(idThen(id, rest));
          expect(error).toBeInstanceOf(TlCodecError);
          expect((error as TlCodecError).code).toBe('INPUT_METHOD_INVALID');
        },
      ),
      fuzzParameters(),
    );
  });

  it('nesting deeper than MAX_DEPTH raises INPUT_FETCH_ERROR', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_DEPTH + 1, max: 5000 }), (depth) => {
        const invokeAfterMsg = view.methodByName('invokeAfterMsg')!.id >>> 0;
        const writer = new TlWriter();
        for (let level = 0; level < depth; level++) writer.uint(invokeAfterMsg).long(BigInt(level));
        writer.uint(view.methodByName('help.getConfig')!.id >>> 0);
        const error = decodeError(writer.finish());
        expect(error).toBeInstanceOf(TlCodecError);
        expect((error as TlCodecError).code).toBe('INPUT_FETCH_ERROR');
      }),
      fuzzParameters(50),
    );
  });

  it('huge declared lengths fail without allocating them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x100000, max: 0xffffff }), (length) => {
        // A bytes field with a 4-byte header declaring up to 16 MiB, followed by 8 bytes.
        const signIn = view.methodByName('auth.signIn')!.id >>> 0;
        const header = Buffer.alloc(4);
        header[0] = 0xfe;
        header.writeUIntLE(length, 1, 3);
        const bytes = Buffer.concat([
          new TlWriter().uint(signIn).finish(),
          header,
          Buffer.alloc(8),
        ]);
        const before = process.memoryUsage().arrayBuffers;
        expect(decodeError(bytes)).toBeDefined();
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(length);
      }),
      fuzzParameters(50),
    );
  });
});
