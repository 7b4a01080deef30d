import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bigintToBytes, bytesToBigint } from './mod-pow.js';
import {
  RsaDecryptError,
  computeRsaFingerprint,
  defaultRsaKeyPath,
  loadRsaKey,
  loadRsaKeyFile,
  rsaDecryptRaw,
} from './rsa.js';

const require = createRequire(import.meta.url);
// GramJS 2.26.22 lists Telegram's public RSA keys together with their fingerprints.
const { _serverKeys: gramJsServerKeys } = require('telegram/crypto/RSA') as {
  _serverKeys: Map<string, { n: { toString(): string }; e: number }>;
};

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let power = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * power) % modulus;
    power = (power * power) % modulus;
  }
  return result;
}

const fixtureKey = loadRsaKeyFile();

describe('computeRsaFingerprint', () => {
  it('gives b25898df208d2603 for Telegram’s key', () => {
    const telegramKey = gramJsServerKeys.get('-5595554452916591101');
    expect(telegramKey).toBeDefined();

    const fingerprint = computeRsaFingerprint(
      BigInt(telegramKey!.n.toString()),
      BigInt(telegramKey!.e),
    );

    expect(BigInt.asUintN(64, fingerprint).toString(16)).toBe('b25898df208d2603');
  });

  it('matches every fingerprint GramJS lists', () => {
    expect(gramJsServerKeys.size).toBeGreaterThan(0);
    for (const [decimal, key] of gramJsServerKeys) {
      expect(computeRsaFingerprint(BigInt(key.n.toString()), BigInt(key.e)).toString()).toBe(
        decimal,
      );
    }
  });
});

describe('fixture key', () => {
  it('is a 2048-bit key with e = 65537', () => {
    expect(fixtureKey.n.toString(2).length).toBe(2048);
    expect(fixtureKey.e).toBe(65537n);
    expect(readFileSync(defaultRsaKeyPath(), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  });

  it('has a fingerprint whose hex form has no leading zero', () => {
    expect(fixtureKey.fingerprintHex).toMatch(/^[1-9a-f][0-9a-f]{15}$/);
  });

  it('lists the fingerprint in three consistent forms', () => {
    expect(BigInt(fixtureKey.fingerprintDecimal)).toBe(fixtureKey.fingerprint);
    expect(BigInt.asIntN(64, BigInt(`0x${fixtureKey.fingerprintHex}`))).toBe(
      fixtureKey.fingerprint,
    );
  });

  it('matches the public key file', () => {
    const publicPath = defaultRsaKeyPath().replace(/rsa-key\.pem$/, 'rsa-public-key.pem');
    const publicPem = readFileSync(publicPath, 'utf8');
    const jwk = createPublicKey(publicPem).export({ format: 'jwk' });

    expect(publicPem).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
    expect(bytesToBigint(Buffer.from(jwk.n!, 'base64url'))).toBe(fixtureKey.n);
    expect(fixtureKey.publicKeyPem).toBe(publicPem);
  });
});

describe('loadRsaKey', () => {
  it('rejects a key that is not 2048 bits', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs1' });

    expect(() => loadRsaKey(pem)).toThrow(/1024-bit modulus/);
  });

  it('rejects a key that is not RSA', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });

    expect(() => loadRsaKey(pem)).toThrow(/key type is ec, not rsa/);
  });

  it('names the path of a missing file', () => {
    expect(() => loadRsaKeyFile('/nonexistent/key.pem')).toThrow(
      /cannot read RSA key file \/nonexistent\/key\.pem/,
    );
  });
});

describe('rsaDecryptRaw', () => {
  it('inverts raw encryption and keeps leading zeros', () => {
    // Three leading zero bytes, so the value is well below n.
    const message = Buffer.concat([Buffer.alloc(3), randomBytes(253)]);
    const encrypted = bigintToBytes(modPow(bytesToBigint(message), fixtureKey.e, fixtureKey.n));

    const decrypted = rsaDecryptRaw(fixtureKey, encrypted);

    expect(decrypted.length).toBe(256);
    expect(decrypted.toString('hex')).toBe(message.toString('hex'));
  });

  it('inverts OpenSSL public encryption without padding', () => {
    const message = Buffer.concat([Buffer.alloc(1), randomBytes(255)]);
    const encrypted = publicEncrypt(
      { key: fixtureKey.publicKeyPem, padding: constants.RSA_NO_PADDING },
      message,
    );

    expect(rsaDecryptRaw(fixtureKey, encrypted).toString('hex')).toBe(message.toString('hex'));
  });

  it('rejects a value not below the modulus', () => {
    for (const value of [fixtureKey.n, fixtureKey.n + 1n, (1n << 2048n) - 1n]) {
      expect(() => rsaDecryptRaw(fixtureKey, bigintToBytes(value))).toThrow(
        /not below the modulus/,
      );
    }
  });

  it('rejects data that is not 256 bytes', () => {
    expect(() => rsaDecryptRaw(fixtureKey, Buffer.alloc(255))).toThrow(RsaDecryptError);
    expect(() => rsaDecryptRaw(fixtureKey, Buffer.alloc(257))).toThrow(
      /257 bytes; expected exactly 256/,
    );
  });
});

describe('generate-rsa-key script', () => {
  const script = fileURLToPath(new URL('../../scripts/generate-rsa-key.mjs', import.meta.url));

  it('writes a key whose fingerprint it prints correctly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtmock-rsa-'));
    try {
      const output = execFileSync(process.execPath, [script, '--dir', dir], { encoding: 'utf8' });
      const key = loadRsaKeyFile(join(dir, 'rsa-key.pem'));
      const publicPem = readFileSync(join(dir, 'rsa-public-key.pem'), 'utf8');

      expect(output).toContain(`hex ${key.fingerprintHex}, signed decimal ${key.fingerprint}`);
      expect(key.fingerprintHex).toMatch(/^[1-9a-f]/);
      expect(key.e).toBe(65537n);
      expect(publicPem).toBe(key.publicKeyPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps an existing key unless --force is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtmock-rsa-'));
    try {
      execFileSync(process.execPath, [script, '--dir', dir]);
      const first = readFileSync(join(dir, 'rsa-key.pem'), 'utf8');

      const rejected = spawnSync(process.execPath, [script, '--dir', dir], { encoding: 'utf8' });
      expect(rejected.status).toBe(1);
      expect(rejected.stderr).toMatch(/key file already exists: .*pass --force/);
      expect(readFileSync(join(dir, 'rsa-key.pem'), 'utf8')).toBe(first);

      execFileSync(process.execPath, [script, '--dir', dir, '--force']);
      expect(readFileSync(join(dir, 'rsa-key.pem'), 'utf8')).not.toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
