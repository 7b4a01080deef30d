/** Anything that turns received chunks into payloads: a framing or a TransportCodec. */
export interface ChunkDecoder {
  push(chunk: Buffer): Buffer[];
}

/** Pushes `stream` into `decoder` in pieces cut at the given offsets and collects the payloads. */
export function pushInPieces(decoder: ChunkDecoder, stream: Buffer, cuts: number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((cut) => Math.min(Math.max(cut, 0), stream.length)))];
  offsets.sort((a, b) => a - b);
  const payloads: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets, stream.length]) {
    payloads.push(...decoder.push(stream.subarray(start, offset)));
    start = offset;
  }
  return payloads;
}

/**
 * Creates a reader over a fixed buffer with the `read`/`readExactly` methods that GramJS codecs
 * call. Its type is `never` so that it passes for GramJS's socket parameter types.
 */
export function bufferReader(data: Buffer): never {
  let offset = 0;
  const read = async (count: number): Promise<Buffer> => {
    if (offset + count > data.length) {
      throw new Error(`reader needs ${count} bytes at ${offset}, has ${data.length - offset}`);
    }
    const bytes = data.subarray(offset, offset + count);
    offset += count;
    return bytes;
  };
  return { read, readExactly: read } as never;
}
