/**
 * The 2048-bit safe prime and generator that Telegram uses for the auth key exchange and for SRP
 * 2FA. Clients check for this exact prime: GramJS rejects any other for SRP, @mtproto/core for
 * DH, and mtcute skips its primality test only for this value.
 */
export const DH_PRIME_HEX =
  'c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f' +
  '48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37' +
  '20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64' +
  '2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4' +
  'a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754' +
  'fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4' +
  'e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f' +
  '0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b';

export const DH_PRIME = Buffer.from(DH_PRIME_HEX, 'hex');
export const DH_PRIME_BIGINT = BigInt(`0x${DH_PRIME_HEX}`);
export const DH_G = 3;

/** Size in bytes of numbers modulo the prime: srp_B, g_a, A and the auth key are padded to it. */
export const DH_PRIME_BYTES = 256;
