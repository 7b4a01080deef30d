export { AbridgedFraming } from './abridged.js';
export { crc32 } from './crc32.js';
export { createFraming } from './create-framing.js';
export { detectTransport, type DetectedTransport } from './detect-transport.js';
export {
  DEFAULT_MAX_PAYLOAD_LENGTH,
  type Framing,
  type FramingName,
  type FramingOptions,
} from './framing.js';
export { FullFraming } from './full.js';
export { IntermediateFraming } from './intermediate.js';
export { startListener, WEBSOCKET_PATHS, type Listener, type ListenerOptions } from './listener.js';
export { Obfuscated2, OBFUSCATED2_HEADER_LENGTH } from './obfuscated2.js';
export { PaddedIntermediateFraming } from './padded-intermediate.js';
export { TransportCodec, type Carrier, type TransportCodecOptions } from './transport-codec.js';
export {
  StreamConnection,
  type AcceptConnection,
  type ByteChannel,
  type PacketHandler,
  type TransportConnection,
} from './transport-connection.js';
export {
  BROKEN_FRAMING_CODE,
  encodeTransportErrorPayload,
  TRANSPORT_ERROR,
  TransportError,
} from './transport-error.js';
