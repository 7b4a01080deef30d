/**
 * Aims GramJS (npm `telegram`) at mtmock: registers the mock's RSA key and pins every connection
 * to the mock's host and port. See ./gramjs-family.ts for why both are needed.
 */
import type { TelegramClient } from 'telegram';
import type { TelegramClientParams } from 'telegram/client/telegramBaseClient.js';
import {
  createFamilyClient,
  familyClientParams,
  registerFamilyKey,
  type GramJsFamilyClientOptions,
  type GramJsFamilyOptions,
  type MockTarget,
} from './gramjs-family.js';

export type { GramJsTransport, MockTarget } from './gramjs-family.js';
export type GramJsAdapterOptions = GramJsFamilyOptions;

/** Adds the mock's public key to GramJS's key table; returns its signed decimal fingerprint. */
export function registerMockKey(publicKeyPem: string): string {
  return registerFamilyKey('telegram', publicKeyPem);
}

/** Returns TelegramClient options that aim GramJS at the mock. */
export function gramjsClientParams(
  target: MockTarget,
  options: GramJsAdapterOptions = {},
): TelegramClientParams {
  return familyClientParams('telegram', target, options) as TelegramClientParams;
}

/**
 * Creates a GramJS TelegramClient aimed at the mock. Call `client.connect()` next, and
 * `client.destroy()` at the end: GramJS's update loop keeps running until then.
 */
export function createGramJsClient(
  target: MockTarget,
  options: GramJsFamilyClientOptions = {},
): TelegramClient {
  return createFamilyClient('telegram', target, options) as TelegramClient;
}
