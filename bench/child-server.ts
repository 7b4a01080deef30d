import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A benchmark server in its own process, so that its CPU and memory are measured apart. */
export class ChildServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly publicKeyPem: string,
  ) {}

  /** Forks server-process.js in `mode` ('mock' or 'echo') and waits until it listens. */
  static async start(mode: 'mock' | 'echo'): Promise<ChildServer> {
    const script = fileURLToPath(new URL('./server-process.js', import.meta.url));
    const child = fork(script, [mode], { execArgv: ['--expose-gc'], stdio: 'inherit' });
    const ready = await new Promise<{ port: number; publicKeyPem: string }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`${mode} server exited with code ${code}`)));
      child.once('message', (message) =>
        resolve(message as { port: number; publicKeyPem: string }),
      );
    });
    return new ChildServer(child, ready.port, ready.publicKeyPem);
  }

  /** Returns the child's memory after a garbage collection. */
  memory(): Promise<NodeJS.MemoryUsage> {
    return this.request<{ memory: NodeJS.MemoryUsage }>('memory').then((reply) => reply.memory);
  }

  /** Returns the child's CPU time so far, in microseconds. */
  cpu(): Promise<NodeJS.CpuUsage> {
    return this.request<{ cpu: NodeJS.CpuUsage }>('cpu').then((reply) => reply.cpu);
  }

  /**
   * Resolves once the child used under 5 ms of CPU in a quarter second, such as after its
   * background warm-up. Gives up, without an error, after 10 s.
   */
  async settle(): Promise<void> {
    let previous = await this.cpu();
    for (let waited = 0; waited < 10_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const current = await this.cpu();
      if (cpuMs(previous, current) < 5) return;
      previous = current;
    }
  }

  /** Ends the child and waits for it to exit. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }

  private request<T>(name: string): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (message) => resolve(message as T));
      this.child.send(name);
    });
  }
}

/** Returns user plus system CPU time between two readings, in milliseconds. */
export function cpuMs(before: NodeJS.CpuUsage, after: NodeJS.CpuUsage): number {
  return (after.user - before.user + after.system - before.system) / 1000;
}
