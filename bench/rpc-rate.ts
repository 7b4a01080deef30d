import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { MtprotoClient } from '../test-support/mtproto-client.js';
import { cpuMs, type ChildServer } from './child-server.js';
import { PingConnection, type PingRequest } from './ping-connection.js';
import { quantile } from './statistics.js';

/** Opens `count` clients with finished key exchanges, at most 50 exchanges at a time. */
export async function openClients(server: ChildServer, count: number): Promise<MtprotoClient[]> {
  const clients: MtprotoClient[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, () =>
      MtprotoClient.connect({
        host: '127.0.0.1',
        port: server.port,
        publicKeyPem: server.publicKeyPem,
        timeoutMs: 60_000,
      }),
    );
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

/**
 * Opens `count` ping connections, each with its own auth key. The keys come from full key
 * exchanges by the test client, whose connections then close: the server keeps the keys.
 */
export async function openPingConnections(
  server: ChildServer,
  count: number,
): Promise<PingConnection[]> {
  const clients = await openClients(server, count);
  const keys = clients.map((client) => client.authKey);
  await Promise.all(clients.map((client) => client.close()));
  return Promise.all(keys.map((key) => PingConnection.open(server.port, key)));
}

/**
 * Round trips per second of encrypted ping/pong over `connections` for `durationMs`, and the
 * server process's CPU time per round trip in microseconds.
 */
export async function measureRpcRate(
  server: ChildServer,
  connections: PingConnection[],
  durationMs: number,
): Promise<{ perSecond: number; serverMicros: number; clientMicros: number }> {
  const cpuBefore = await server.cpu();
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const counts = await Promise.all(connections.map((connection) => connection.pingUntil(deadline)));
  // Measured, not the nominal duration: the last round trips end after the deadline.
  const elapsedMs = performance.now() - started;
  const clientMs = cpuMs(clientCpuBefore, process.cpuUsage());
  const serverMs = cpuMs(cpuBefore, await server.cpu());
  const total = counts.reduce((sum, roundTrips) => sum + roundTrips.length, 0);
  return {
    perSecond: total / (elapsedMs / 1000),
    serverMicros: (serverMs * 1000) / total,
    clientMicros: (clientMs * 1000) / total,
  };
}

/** Pings sealed ahead per second of the window: above any rate this machine reaches. */
const PREPARED_PINGS_PER_SECOND = 40_000;

/**
 * Like measureRpcRate, but with requests sealed before the window and replies verified after it
 * (PingConnection's prepared mode), so that the client's encryption does not compete with the
 * server for the same cores. Throws when any reply is not the response to its request.
 */
export async function measurePreparedRpcRate(
  server: ChildServer,
  connections: PingConnection[],
  durationMs: number,
  request: PingRequest = 'ping',
): Promise<{ perSecond: number; serverMicros: number; clientMicros: number }> {
  const perConnection = Math.ceil(
    (PREPARED_PINGS_PER_SECOND * durationMs) / 1000 / connections.length,
  );
  for (const connection of connections) connection.prepare(perConnection, request);
  const cpuBefore = await server.cpu();
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const counts = await Promise.all(
    connections.map((connection) => connection.runPrepared(deadline)),
  );
  const elapsedMs = performance.now() - started;
  const clientMs = cpuMs(clientCpuBefore, process.cpuUsage());
  const serverMs = cpuMs(cpuBefore, await server.cpu());
  for (const connection of connections) connection.verifyPrepared();
  const total = counts.reduce((sum, count) => sum + count, 0);
  return {
    perSecond: total / (elapsedMs / 1000),
    serverMicros: (serverMs * 1000) / total,
    clientMicros: (clientMs * 1000) / total,
  };
}

/** Round trips per second of `frameSize`-byte frames through a TCP echo, over `connections`. */
export async function measureEchoRate(
  port: number,
  connections: number,
  frameSize: number,
  durationMs: number,
): Promise<number> {
  const sockets = await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
          socket.setNoDelay(true);
          socket.once('error', reject);
        }),
    ),
  );
  const frame = Buffer.alloc(frameSize, 0x5a);
  const started = performance.now();
  const deadline = started + durationMs;
  const counts = await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<number>((resolve) => {
          let count = 0;
          let pending = frameSize;
          socket.on('data', (chunk: Buffer) => {
            pending -= chunk.length;
            if (pending > 0) return;
            count += 1;
            if (performance.now() >= deadline) {
              resolve(count);
              return;
            }
            pending = frameSize;
            socket.write(frame);
          });
          socket.write(frame);
        }),
    ),
  );
  const elapsedMs = performance.now() - started;
  for (const socket of sockets) socket.destroy();
  return counts.reduce((sum, count) => sum + count, 0) / (elapsedMs / 1000);
}

/** p50 and p99 of ping round trips, in ms. */
export interface LatencySummary {
  p50: number;
  p99: number;
  samples: number;
}

function summarize(roundTrips: number[]): LatencySummary {
  return {
    p50: quantile(roundTrips, 0.5),
    p99: quantile(roundTrips, 0.99),
    samples: roundTrips.length,
  };
}

/**
 * Ping latency on an established connection while quiet, and while a separate process runs
 * `exchanges` concurrent key exchanges against the same server.
 */
export async function measureLatencyUnderBurst(
  server: ChildServer,
  exchanges: number,
): Promise<{ quiet: LatencySummary; burst: LatencySummary; burstMs: number }> {
  const [connection] = await openPingConnections(server, 1);
  const quiet = await connection.pingUntil(performance.now() + 2000);

  const script = fileURLToPath(new URL('./burst-process.js', import.meta.url));
  const started = performance.now();
  const burstProcess = spawn(process.execPath, [script, String(server.port), String(exchanges)], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  burstProcess.stdin.end(server.publicKeyPem);
  let burstDone = false;
  const exited = new Promise<number | null>((resolve) =>
    burstProcess.once('exit', (code) => {
      burstDone = true;
      resolve(code);
    }),
  );
  const during: number[] = [];
  while (!burstDone) {
    during.push(...(await connection.pingUntil(performance.now() + 100)));
  }
  const code = await exited;
  const burstMs = performance.now() - started;
  connection.close();
  if (code !== 0) throw new Error(`the key-exchange burst process exited with code ${code}`);
  return { quiet: summarize(quiet), burst: summarize(during), burstMs };
}
