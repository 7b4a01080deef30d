import { gunzipSync } from 'node:zlib';
import { fillRandom } from '../server/crypto/random-pool.js';
import { TlReader } from '../server/binary/tl-reader.js';
import {
  CLIENT_TO_SERVER,
  decryptMessage,
  encryptMessage,
  SERVER_TO_CLIENT,
} from '../server/crypto/message-key.js';
import {
  GZIP_PACKED_ID,
  MSG_CONTAINER_ID,
  parseContainer,
  RPC_RESULT_ID,
} from '../server/session/message-container.js';
import { decodeObject, decodeValue, deserialize } from '../server/tl/codec.js';
import type { TlSchemaView } from '../server/tl/registry.js';
import type { TlObject } from '../server/tl/types.js';

/** Header of a decrypted message: salt, session_id, msg_id, seq_no and length. */
const HEADER_SIZE = 32;
const MIN_PADDING = 12;
const MAX_PADDING = 1024;
const VECTOR_ID = 0x1cb5c415;
const RPC_ERROR_ID = 0x2144ca19;

/** A client message before encryption. */
export interface ClientMessageFields {
  salt: bigint;
  sessionId: bigint;
  msgId: bigint;
  seqNo: number;
  body: Buffer;
  /** Padding to send; by default 12 to 27 random bytes, up to a multiple of 16. */
  padding?: Buffer;
  /** Length to write in the header in place of the body's real length. */
  declaredLength?: number;
}

/**
 * Builds the plaintext of a client message and encrypts it with x = 0. The plaintext with its
 * padding must come to a multiple of 16 bytes, because AES-IGE works on whole blocks.
 */
export function sealClientMessage(
  authKey: Buffer,
  authKeyId: bigint,
  message: ClientMessageFields,
): Buffer {
  const unpadded = HEADER_SIZE + message.body.length;
  const paddingLength =
    message.padding?.length ?? MIN_PADDING + ((16 - ((unpadded + MIN_PADDING) % 16)) % 16);
  const plaintext = Buffer.allocUnsafe(unpadded + paddingLength);
  plaintext.writeBigInt64LE(BigInt.asIntN(64, message.salt), 0);
  plaintext.writeBigInt64LE(BigInt.asIntN(64, message.sessionId), 8);
  plaintext.writeBigInt64LE(BigInt.asIntN(64, message.msgId), 16);
  plaintext.writeInt32LE(message.seqNo, 24);
  plaintext.writeUInt32LE(message.declaredLength ?? message.body.length, 28);
  message.body.copy(plaintext, HEADER_SIZE);
  if (message.padding) message.padding.copy(plaintext, unpadded);
  else fillRandom(plaintext, unpadded, paddingLength);
  return encryptMessage(authKey, authKeyId, plaintext, CLIENT_TO_SERVER);
}

/** The header fields and body of one decrypted server message. */
export interface ServerMessageFields {
  salt: bigint;
  sessionId: bigint;
  msgId: bigint;
  seqNo: number;
  body: Buffer;
}

/**
 * Decrypts a server packet with x = 8 and checks what a client must check: the auth_key_id,
 * the msg_key, a length that is a multiple of 4, and 12 to 1024 bytes of padding.
 */
export function openServerMessage(
  authKey: Buffer,
  authKeyId: bigint,
  packet: Buffer,
): ServerMessageFields {
  const packetKeyId = packet.readBigInt64LE(0);
  if (packetKeyId !== authKeyId) {
    throw new Error(`server packet has auth_key_id ${packetKeyId}, expected ${authKeyId}`);
  }
  const plaintext = decryptMessage(authKey, packet, SERVER_TO_CLIENT);
  const length = plaintext.readUInt32LE(28);
  const padding = plaintext.length - HEADER_SIZE - length;
  if (length % 4 !== 0 || padding < MIN_PADDING || padding > MAX_PADDING) {
    throw new Error(
      `server message declares ${length} bytes in a ${plaintext.length}-byte plaintext; ` +
        `expected a multiple of 4 followed by ${MIN_PADDING} to ${MAX_PADDING} bytes of padding`,
    );
  }
  return {
    salt: plaintext.readBigInt64LE(0),
    sessionId: plaintext.readBigInt64LE(8),
    msgId: plaintext.readBigInt64LE(16),
    seqNo: plaintext.readInt32LE(24),
    body: Buffer.from(plaintext.subarray(HEADER_SIZE, HEADER_SIZE + length)),
  };
}

/** One server message after decryption, taken out of its container if it came in one. */
export interface ReceivedMessage extends ServerMessageFields {
  /**
   * The decoded body. rpc_result carries its decoded `result`: a TlObject, or for a method that
   * returns a vector or Bool, an array or a boolean. gzip_packed results are inflated first.
   */
  object: TlObject;
  /** msg_id and seq_no of the msg_container that carried this message. */
  container?: { msgId: bigint; seqNo: number };
}

/** Returns the return type of the request with this msg_id, such as `Vector<User>`, if known. */
export type ResultTypeLookup = (reqMsgId: bigint) => string | undefined;

/**
 * Splits a decrypted server message into the messages it carries, one unless it is a
 * msg_container, and decodes each body with the view.
 */
export function unpackServerMessage(
  fields: ServerMessageFields,
  view: TlSchemaView,
  resultTypeOf: ResultTypeLookup,
): ReceivedMessage[] {
  if (fields.body.length < 4 || fields.body.readUInt32LE(0) !== MSG_CONTAINER_ID) {
    return [{ ...fields, object: decodeServerBody(fields.body, view, resultTypeOf) }];
  }
  const container = { msgId: fields.msgId, seqNo: fields.seqNo };
  return parseContainer(fields.body).map((inner) => ({
    salt: fields.salt,
    sessionId: fields.sessionId,
    msgId: inner.msgId,
    seqNo: inner.seqNo,
    body: inner.body,
    object: decodeServerBody(inner.body, view, resultTypeOf),
    container,
  }));
}

/** Decodes one server message body, unpacking rpc_result and gzip_packed by hand. */
export function decodeServerBody(
  body: Buffer,
  view: TlSchemaView,
  resultTypeOf: ResultTypeLookup,
): TlObject {
  const constructorId = body.readUInt32LE(0);
  if (constructorId === GZIP_PACKED_ID) {
    return decodeServerBody(inflate(body, view), view, resultTypeOf);
  }
  if (constructorId !== RPC_RESULT_ID) return deserialize(body, view);

  const reader = new TlReader(body);
  reader.uint();
  const reqMsgId = reader.long();
  let result = reader.raw(reader.remaining);
  if (result.readUInt32LE(0) === GZIP_PACKED_ID) result = inflate(result, view);
  return {
    _: 'rpc_result',
    req_msg_id: reqMsgId,
    result: decodeResult(result, view, resultTypeOf(reqMsgId)),
  };
}

function inflate(body: Buffer, view: TlSchemaView): Buffer {
  // gunzip, not unzip: Telethon and mtcute accept only real gzip from a server, so zlib is a bug.
  return gunzipSync(deserialize(body, view).packed_data as Buffer);
}

/**
 * Decodes an rpc_result's result with the request's return type when the client knows it. An
 * unknown request's vector is read as Vector<Object>, which fits vectors of boxed objects only.
 */
function decodeResult(result: Buffer, view: TlSchemaView, type: string | undefined): unknown {
  const constructorId = result.readUInt32LE(0);
  let resultType = constructorId === RPC_ERROR_ID ? undefined : type;
  if (resultType === undefined && constructorId === VECTOR_ID) resultType = 'Vector<Object>';
  const reader = new TlReader(result);
  const value =
    resultType === undefined ? decodeObject(reader, view) : decodeValue(reader, resultType, view);
  if (reader.remaining !== 0) {
    throw new Error(`rpc_result has ${reader.remaining} bytes after its ${resultType ?? 'object'}`);
  }
  return value;
}
