import { TlReader } from '../binary/tl-reader.js';
import { TlWriter } from '../binary/tl-writer.js';
import { TlCodecError } from './codec-error.js';
import { decodeObject } from './decode.js';
import { encodeObject } from './encode.js';
import type { TlSchemaView } from './schema-view.js';
import type { TlObject } from './types.js';

export { formatTlId, TlCodecError, type TlCodecErrorCode } from './codec-error.js';
export { MAX_DEPTH } from './codec-common.js';
export { decodeObject, decodeValue, RECEIVED_ID, receivedIdOf } from './decode.js';
export { encodeObject, encodeValue } from './encode.js';

/** Encodes a boxed object into a new buffer. See `encodeObject` for the value rules. */
export function serialize(value: TlObject, view: TlSchemaView): Buffer {
  const writer = new TlWriter();
  encodeObject(writer, value, view);
  return writer.finish();
}

/**
 * Decodes a buffer that contains exactly one boxed object. Trailing bytes raise
 * `INPUT_FETCH_ERROR`. To read an object followed by padding, use `decodeObject` with a reader.
 */
export function deserialize(buffer: Buffer, view: TlSchemaView): TlObject {
  const reader = new TlReader(buffer);
  const object = decodeObject(reader, view);
  if (reader.remaining !== 0) {
    throw new TlCodecError(
      'INPUT_FETCH_ERROR',
      `${reader.remaining} bytes left after ${object._} at offset ${reader.offset} ` +
        `in a ${buffer.length}-byte buffer`,
    );
  }
  return object;
}
