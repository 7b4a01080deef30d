import { createCipheriv, type Cipher } from 'node:crypto';
import type { FramingName } from './framing.js';
import { TransportError } from './transport-error.js';

/** Length of the obfuscated2 init header that opens the connection. */
export const OBFUSCATED2_HEADER_LENGTH = 64;

/** Inner framing tags at bytes 56..60 of the decrypted header. */
const INNER_TAGS: ReadonlyMap<string, FramingName> = new Map([
  ['efefefef', 'abridged'],
  ['eeeeeeee', 'intermediate'],
  ['dddddddd', 'padded-intermediate'],
]);

/**
 * Server side of obfuscated2 transport obfuscation: two AES-256-CTR streams derived from the
 * client's 64-byte init header, one per direction, each kept running for the connection's life.
 *
 * NOTE: MTProxy headers (keys mixed with a proxy secret, dc id at bytes 60..62) are not supported.
 */
export class Obfuscated2 {
  private constructor(
    /** The framing that runs inside the encrypted stream. */
    readonly framing: FramingName,
    private readonly decipher: Cipher,
    private readonly cipher: Cipher,
  ) {}

  /**
   * Derives both streams from the init header and reads the inner framing tag. Throws
   * TransportError unless the decrypted tag is efefefef, eeeeeeee or dddddddd.
   */
  static fromHeader(header: Buffer): Obfuscated2 {
    if (header.length !== OBFUSCATED2_HEADER_LENGTH) {
      throw new RangeError(
        `obfuscated2 header must be ${OBFUSCATED2_HEADER_LENGTH} bytes, got ${header.length}`,
      );
    }
    // Client → server: key and iv come straight from the header.
    const decipher = createCipheriv('aes-256-ctr', header.subarray(8, 40), header.subarray(40, 56));
    // The client encrypted its whole header with this stream, so decrypting it advances the
    // counter by 64 bytes, exactly as on the client's side.
    const tag = decipher.update(header).subarray(56, 60).toString('hex');
    const framing = INNER_TAGS.get(tag);
    if (framing === undefined) {
      throw new TransportError(
        `obfuscated2 header decrypts to the unknown protocol tag ${tag}; ` +
          'expected efefefef, eeeeeeee or dddddddd (MTProxy secrets are not supported)',
      );
    }

    // Server → client: key and iv come from header bytes 8..56 reversed, counter from 0.
    const reversed = Buffer.from(header.subarray(8, 56)).reverse();
    const cipher = createCipheriv('aes-256-ctr', reversed.subarray(0, 32), reversed.subarray(32));
    return new Obfuscated2(framing, decipher, cipher);
  }

  /** Decrypts bytes received after the header, continuing the client's stream. */
  decrypt(data: Buffer): Buffer {
    return this.decipher.update(data);
  }

  /** Encrypts bytes to send, continuing the server's stream. */
  encrypt(data: Buffer): Buffer {
    return this.cipher.update(data);
  }
}
