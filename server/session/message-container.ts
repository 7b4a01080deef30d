import { TlReader } from '../binary/tl-reader.js';
import { TlWriter } from '../binary/tl-writer.js';

export const MSG_CONTAINER_ID = 0x73f1f8dc;
export const GZIP_PACKED_ID = 0x3072cfa1;
export const RPC_RESULT_ID = 0xf35c6d01;

/** Telegram's limit on the number of messages in one container. */
export const MAX_CONTAINER_MESSAGES = 1024;

/** One `message msg_id:long seqno:int bytes:int body:Object` inside a msg_container. */
export interface ContainedMessage {
  msgId: bigint;
  seqNo: number;
  body: Buffer;
}

/** Raised for a malformed container. The server responds with bad_msg_notification code 64. */
export class ContainerError extends Error {
  override readonly name = 'ContainerError';
}

/**
 * Parses the body of a msg_container (after its constructor id). The container is written by
 * hand because its items carry a byte length before an untyped body, which the TL schema cannot
 * express as data. Throws ContainerError above `maxMessages` messages.
 */
export function parseContainer(
  body: Buffer,
  maxMessages = MAX_CONTAINER_MESSAGES,
): ContainedMessage[] {
  const reader = new TlReader(body);
  if (reader.uint() !== MSG_CONTAINER_ID) throw new ContainerError('not a msg_container');
  const count = reader.int();
  if (count > maxMessages) {
    throw new ContainerError(
      `msg_container declares ${count} messages, above the maximum of ${maxMessages}`,
    );
  }
  if (count < 0 || count * 16 > reader.remaining) {
    throw new ContainerError(`msg_container declares ${count} messages in ${body.length} bytes`);
  }
  const messages: ContainedMessage[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const msgId = reader.long();
      const seqNo = reader.int();
      const length = reader.int();
      if (length < 0 || length % 4 !== 0) {
        throw new ContainerError(`message ${i} in msg_container has invalid length ${length}`);
      }
      messages.push({ msgId, seqNo, body: reader.raw(length) });
    }
  } catch (error) {
    if (error instanceof ContainerError) throw error;
    throw new ContainerError(`msg_container is truncated: ${(error as Error).message}`);
  }
  return messages;
}

/** Builds a msg_container from messages that already have their msg_ids and seq_nos. */
export function buildContainer(messages: readonly ContainedMessage[]): Buffer {
  const writer = new TlWriter();
  writer.uint(MSG_CONTAINER_ID).int(messages.length);
  for (const message of messages) {
    writer.long(message.msgId).int(message.seqNo).int(message.body.length).raw(message.body);
  }
  return writer.finish();
}

/** Wraps an encoded result as `rpc_result req_msg_id:long result:Object`. */
export function buildRpcResult(reqMsgId: bigint, result: Buffer): Buffer {
  return new TlWriter(result.length + 12).uint(RPC_RESULT_ID).long(reqMsgId).raw(result).finish();
}
