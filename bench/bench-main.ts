import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ChildServer } from './child-server.js';
import { measureGramJsRecovery } from './gramjs-recovery.js';
import { measureKeyExchangeCpu } from './key-exchange-cpu.js';
import { describeMachine, formatTable, type BenchRow } from './report.js';
import {
  measureEchoRate,
  measureLatencyUnderBurst,
  measurePreparedRpcRate,
  measureRpcRate,
  openClients,
  openPingConnections,
} from './rpc-rate.js';
import { measureStartUp } from './start-up.js';

const RATE_DURATION_MS = 3000;
const IDLE_CONNECTIONS = 500;
const BURST_EXCHANGES = 200;
/** Length of an intermediate frame that carries one encrypted ping: 4 + 8 + 16 + 64 bytes. */
const PING_FRAME_BYTES = 92;

const verdict = (met: boolean) => (met ? 'met' : 'missed');
const fixed = (value: number, digits = 1) => value.toFixed(digits);

/** Runs every benchmark once, prints the table and writes BENCHMARKS.md. */
async function main(): Promise<void> {
  const machine = describeMachine();
  const rows: BenchRow[] = [];

  console.log('start-up…');
  const startUp = await measureStartUp();
  rows.push({
    name: 'Start-up to the ready line (median of 7)',
    value: `${fixed(startUp.mockMs, 0)} ms`,
    reference: `bare \`node -e\`: ${fixed(startUp.bareMs, 0)} ms`,
    target: '≤ bare + 300 ms',
    verdict: verdict(startUp.mockMs <= startUp.bareMs + 300),
  });

  console.log('key exchange CPU…');
  const exchange = await measureKeyExchangeCpu();
  const exchangeRatio = exchange.serverMs / exchange.primitivesMs;
  rows.push({
    name: 'Server time per key exchange (100 in-process)',
    value: `${fixed(exchange.serverMs, 2)} ms (${fixed(exchangeRatio, 2)}×)`,
    reference: `1 RSA decryption + 2 modexps: ${fixed(exchange.primitivesMs, 2)} ms`,
    target: '≤ 1.3×',
    verdict: verdict(exchangeRatio <= 1.3),
  });

  console.log('round trip rates…');
  const echo = await ChildServer.start('echo');
  const echoOne = await measureEchoRate(echo.port, 1, PING_FRAME_BYTES, RATE_DURATION_MS);
  const echoHundred = await measureEchoRate(echo.port, 100, PING_FRAME_BYTES, RATE_DURATION_MS);
  await echo.stop();
  const mock = await ChildServer.start('mock');
  const connections = await openPingConnections(mock, 100);
  const rateOne = await measurePreparedRpcRate(mock, connections.slice(0, 1), RATE_DURATION_MS);
  const rateHundred = await measurePreparedRpcRate(mock, connections, RATE_DURATION_MS);
  const rateLive = await measureRpcRate(mock, connections, RATE_DURATION_MS);
  const rateApi = await measurePreparedRpcRate(
    mock,
    connections,
    RATE_DURATION_MS,
    'help.getNearestDc',
  );
  for (const connection of connections) connection.close();
  rows.push({
    name: 'Ping round trips/s, 1 connection',
    value: `${fixed(rateOne.perSecond, 0)} (server CPU ${fixed(rateOne.serverMicros, 0)} µs each)`,
    reference: `TCP echo of ${PING_FRAME_BYTES}-byte frames: ${fixed(echoOne, 0)}`,
    target: '—',
    verdict: '—',
  });
  rows.push({
    name: 'Ping round trips/s, 100 connections',
    value: `${fixed(rateHundred.perSecond, 0)} (server CPU ${fixed(rateHundred.serverMicros, 0)} µs each)`,
    reference: `TCP echo: ${fixed(echoHundred, 0)}`,
    target: '≥ 20,000/s',
    verdict: verdict(rateHundred.perSecond >= 20_000),
  });
  rows.push({
    name: 'help.getNearestDc round trips/s, 100 connections',
    value: `${fixed(rateApi.perSecond, 0)} (server CPU ${fixed(rateApi.serverMicros, 0)} µs each)`,
    reference: `TCP echo: ${fixed(echoHundred, 0)}`,
    target: '— (reported)',
    verdict: '—',
  });
  rows.push({
    name: 'Ping round trips/s, 100 connections, client encrypting live',
    value: `${fixed(rateLive.perSecond, 0)} (server ${fixed(rateLive.serverMicros, 0)} µs, client ${fixed(rateLive.clientMicros, 0)} µs CPU each)`,
    reference: `TCP echo: ${fixed(echoHundred, 0)}`,
    target: '— (reported)',
    verdict: '—',
  });

  console.log('latency during a key-exchange burst…');
  const burst = await measureLatencyUnderBurst(mock, BURST_EXCHANGES);
  rows.push({
    name: `Ping p99 during ${BURST_EXCHANGES} concurrent key exchanges`,
    value: `p99 ${fixed(burst.burst.p99)} ms, p50 ${fixed(burst.burst.p50)} ms (${burst.burst.samples} pings, burst took ${fixed(burst.burstMs / 1000)} s)`,
    reference: `quiet: p99 ${fixed(burst.quiet.p99)} ms, p50 ${fixed(burst.quiet.p50)} ms`,
    target: '— (reported)',
    verdict: '—',
  });

  await mock.stop();

  console.log('idle memory…');
  // A fresh server: RSS left over from the rates above can shrink during the measurement. Its
  // first clients load schemas and compile code, so 20 of them come and go before the baseline.
  const idleServer = await ChildServer.start('mock');
  const warmUpClients = await openClients(idleServer, 20);
  await Promise.all(warmUpClients.map((client) => client.close()));
  await idleServer.settle();
  const memoryBefore = await idleServer.memory();
  const idle = await openClients(idleServer, IDLE_CONNECTIONS);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const memoryAfter = await idleServer.memory();
  await Promise.all(idle.map((client) => client.close()));
  await idleServer.stop();
  const perConnection = (field: 'rss' | 'heapUsed') =>
    (memoryAfter[field] - memoryBefore[field]) / IDLE_CONNECTIONS / 1024;
  rows.push({
    name: `Server memory per idle connection (${IDLE_CONNECTIONS}, keyed)`,
    value: `heap ${fixed(perConnection('heapUsed'))} KiB, RSS ${fixed(perConnection('rss'))} KiB`,
    reference: `server before: heap ${fixed(memoryBefore.heapUsed / 1024 ** 2)} MiB, RSS ${fixed(memoryBefore.rss / 1024 ** 2)} MiB`,
    target: '— (reported)',
    verdict: '—',
  });

  console.log('GramJS recovery flow…');
  // Fresh servers, so that no garbage or closing sockets from the figures above add to it.
  const recovery = await measureGramJsRecovery();
  rows.push({
    name: 'GramJS 2FA recovery, connect to auth.recoverPassword (median of 27)',
    value: `share ${fixed(recovery.share * 100)}%, server CPU ${fixed(recovery.serverMs)} ms`,
    reference: `full flow: ${fixed(recovery.totalMs)} ms`,
    target: '< 10%',
    verdict: verdict(recovery.share < 0.1),
  });

  const table = formatTable(rows);
  console.log(`\n${table}\n`);
  writeFileSync(
    fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url)),
    renderPage(machine, table),
  );
  console.log('wrote BENCHMARKS.md');
}

function renderPage(machine: string, table: string): string {
  return `# Benchmarks

Generated by \`node bench/run.mjs\` on ${new Date().toISOString().slice(0, 10)}. Each figure is
compared with a reference measured in the same run on the same machine, so the ratios carry more
meaning than the absolute numbers. CI does not run or assert these numbers.

## Machine and run conditions

${machine}

The benchmarks run one after another. The mock server and the TCP echo server run in child
processes, and the clients run in the benchmark process on the same cores. Except for the
start-up figure, the mock runs with logging off (level \`silent\`). Other processes may have run
on the machine at the same time, and the load average above shows how busy it was.

## Results

${table}

## How each figure is measured

- **Start-up**: wall time from spawning \`node dist/server/cli.js --port 0\` (default fixtures,
  log level info) to its \`"msg":"ready"\` line on stdout, against spawning \`node -e\` to its
  first line. Median of 7 alternating runs.
- **Key exchange**: 100 exchanges run in one process against a KeyExchange, with the test
  client of \`test-support/\`, after the start-up warm-up that the server also runs (the
  OpenSSL DH engine and the pool of pq primes). Only the server's synchronous work is timed:
  decoding, the three steps and encoding. The reference times one 2048-bit RSA decryption without padding and two
  2048-bit modular exponentiations through the same OpenSSL calls, 100 times.
- **Ping round trips**: the server runs in its own process. Each connection sends an encrypted
  \`ping\` and waits for the \`pong\` before the next one, for ${RATE_DURATION_MS / 1000} s, under an
  auth key from a full key exchange. For the first two rows the client seals all its pings
  before the window and decrypts and checks every reply after it (a reply that is not the
  pong of its ping fails the run), as HTTP load generators send prebuilt requests. The client
  then uses the second core for little more than socket I/O, like the TCP echo reference, which
  sends frames of the same size through a plain echo server in its own process. The 20,000/s
  target applies to these MTProto round trips. \`ping\` is a service message, which the session
  layer answers without the RPC dispatcher.
- **API call round trips**: the same prepared method with \`help.getNearestDc\`, an API method
  without parameters. Each call goes through the RPC dispatcher, the request journal, the stub
  and fault checks and a handler, and each reply must be its \`rpc_result\` with \`nearestDc\`.
- **Live client**: the last rate row sends pings that the client encrypts and decrypts as it
  goes, so client and server share the 2 cores, and the CPU time of each per round trip is given.
- **Latency during a burst**: one established connection pings in a loop while another process
  runs ${BURST_EXCHANGES} concurrent key exchanges against the server. Quiet figures come from
  2 s of pings before the burst. The modular exponentiation runs on the main thread.
- **Idle memory**: on a fresh server, after 20 clients have connected and left, the
  difference in the server process's heap and RSS, after a garbage collection, between no
  clients and ${IDLE_CONNECTIONS} connected clients with finished key
  exchanges, divided by ${IDLE_CONNECTIONS}. It includes each connection's auth key.
- **Recovery flow**: on each of 3 freshly started servers, once its background warm-up is
  done, GramJS 2.26.22 connects, gets SESSION_PASSWORD_NEEDED, requests the recovery email,
  reads the code from the admin mailbox, checks it, computes a new password hash and calls
  auth.recoverPassword, 9 times. Three warm-up flows run first on each server and are not
  counted, because V8 compiles and optimizes the handlers' code paths in them. The server's
  share is its process's CPU time (user and system, all threads) during one flow divided by
  that flow's wall time. The table gives the median share and the median of each time over the
  27 flows. Most of the flow is the client's own work: its key exchange in JavaScript, whose
  factoring time depends on each server's pq primes, and its PBKDF2 with 100,000 iterations.
  The client comes from mtmock's GramJS adapter, which turns Nagle's algorithm off. Plain
  GramJS leaves it on and acknowledges an RPC error in a frame of its own. In one trace of this
  flow against this server, its request after auth.signIn's error then waited 42–46 ms for a
  delayed ACK in each of 21 flows. Other timings can pack the acknowledgement with the request.
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
