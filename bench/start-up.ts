import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './statistics.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLES = 7;

/** Spawns node with `args` and returns the ms until a stdout line contains `marker`. */
function timeToLine(args: string[], marker: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT });
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no "${marker}" line from node ${args.join(' ')} within 10 s`));
    }, 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes(marker)) return;
      clearTimeout(timer);
      resolve(performance.now() - started);
      child.kill();
    });
  });
}

/** Start-up of `node dist/server/cli.js --port 0` to its ready line, and of a bare node. */
export async function measureStartUp(): Promise<{ mockMs: number; bareMs: number }> {
  const mock: number[] = [];
  const bare: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    mock.push(await timeToLine(['dist/server/cli.js', '--port', '0'], '"msg":"ready"'));
    bare.push(await timeToLine(['-e', 'console.log("ready")'], 'ready'));
  }
  return { mockMs: median(mock), bareMs: median(bare) };
}
