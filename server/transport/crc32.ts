import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

let table: Uint32Array | undefined;

function buildTable(): Uint32Array {
  const entries = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    entries[n] = c >>> 0;
  }
  return entries;
}

/** Computes the IEEE CRC-32 (reflected polynomial 0xedb88320) with a 256-entry table. */
export function tableCrc32(data: Uint8Array): number {
  table ??= buildTable();
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// zlib.crc32 exists from Node 20.15 and 22.2. Older Node 20 releases use the table version.
const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;

/**
 * Computes the IEEE CRC-32 that the full transport appends, the same checksum as zlib's and
 * Python's `zlib.crc32`, as an unsigned 32-bit number.
 */
export const crc32: Crc32 = nativeCrc32 ?? tableCrc32;
