#!/usr/bin/env node
/**
 * Generates the mock server's RSA key pair for the auth key exchange:
 *   fixtures/rsa-key.pem         PKCS#1 private key (`-----BEGIN RSA PRIVATE KEY-----`)
 *   fixtures/rsa-public-key.pem  PKCS#1 public key, to register in the clients under test
 *
 * This is a test key and deliberately public: it ships with the package so that tests can
 * register it in clients. Never use it for anything but talking to this mock.
 *
 * The key is 2048 bits with e = 65537. The script draws new keys until the unsigned 16-digit hex
 * form of the MTProto fingerprint does not start with 0. mtcute indexes added keys by the
 * 16-digit form but looks them up with Long.toString(16), which drops leading zeros, so it
 * would not find such a key.
 *
 * Usage: node scripts/generate-rsa-key.mjs [--force] [--dir <folder>]
 *   --force   replace existing key files, which are otherwise left alone
 *   --dir     folder to write the two files to, fixtures/ by default
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

const MAX_ATTEMPTS = 64;

/** Serializes big-endian bytes as TL `bytes`: a length prefix, the data, zero padding to 4. */
function tlBytes(data) {
  const header = data.length <= 253 ? Buffer.from([data.length]) : Buffer.from([254, 0, 0, 0]);
  if (data.length > 253) header.writeUIntLE(data.length, 1, 3);
  const unpadded = header.length + data.length;
  return Buffer.concat([header, data, Buffer.alloc((4 - (unpadded % 4)) % 4)]);
}

/** Computes the unsigned fingerprint hex: SHA1(TL n ‖ TL e)[12..20] as a little-endian long. */
function fingerprintHex(publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  const n = Buffer.from(jwk.n, 'base64url');
  const e = Buffer.from(jwk.e, 'base64url');
  const hash = createHash('sha1')
    .update(Buffer.concat([tlBytes(n), tlBytes(e)]))
    .digest();
  return hash.readBigUInt64LE(12).toString(16).padStart(16, '0');
}

const args = process.argv.slice(2);
const force = args.includes('--force');
const dirIndex = args.indexOf('--dir');
if (dirIndex !== -1 && args[dirIndex + 1] === undefined) {
  console.error('--dir needs a folder path, for example --dir /tmp/keys');
  process.exit(2);
}
const outputDir =
  dirIndex === -1 ? fileURLToPath(new URL('../fixtures/', import.meta.url)) : args[dirIndex + 1];
const privateKeyPath = join(outputDir, 'rsa-key.pem');
const publicKeyPath = join(outputDir, 'rsa-public-key.pem');
const existing = [privateKeyPath, publicKeyPath].filter((path) => existsSync(path));
if (existing.length > 0 && !force) {
  console.error(
    `key file already exists: ${existing.join(', ')}; pass --force to replace the key. ` +
      'Clients with the old public key registered will then fail the key exchange.',
  );
  process.exit(1);
}

for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
  });
  const hex = fingerprintHex(publicKey);
  if (hex.startsWith('0')) continue;

  mkdirSync(outputDir, { recursive: true });
  writeFileSync(privateKeyPath, privateKey.export({ format: 'pem', type: 'pkcs1' }));
  writeFileSync(publicKeyPath, publicKey.export({ format: 'pem', type: 'pkcs1' }));
  const signed = BigInt.asIntN(64, BigInt(`0x${hex}`));
  console.log(`wrote ${privateKeyPath} and ${publicKeyPath}`);
  console.log(`fingerprint: hex ${hex}, signed decimal ${signed}`);
  process.exit(0);
}
console.error(`no key without a leading zero fingerprint digit after ${MAX_ATTEMPTS} attempts`);
process.exit(1);
