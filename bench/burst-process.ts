import { MtprotoClient } from '../test-support/mtproto-client.js';

/**
 * Runs `count` concurrent key exchanges against 127.0.0.1:`port` and exits 0 when all finish.
 * Usage: node burst-process.js PORT COUNT, with the server's public key PEM on stdin.
 */
async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const count = Number(process.argv[3]);
  let publicKeyPem = '';
  for await (const chunk of process.stdin) publicKeyPem += String(chunk);
  const clients = await Promise.all(
    Array.from({ length: count }, () =>
      MtprotoClient.connect({ host: '127.0.0.1', port, publicKeyPem, timeoutMs: 120_000 }),
    ),
  );
  await Promise.all(clients.map((client) => client.close()));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`key-exchange burst failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
