import { cpus, freemem, totalmem, loadavg, platform, release } from 'node:os';

/** One row of the benchmark table: a figure, its reference from the same run and the target. */
export interface BenchRow {
  name: string;
  value: string;
  reference: string;
  target: string;
  /** 'met', 'missed' or '—' when the row has no target. */
  verdict: string;
}

/** Returns the rows as a Markdown table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['Figure', 'Measured', 'Reference (same run)', 'Target', 'Verdict'];
  const lines = [header, header.map(() => '---')].concat(
    rows.map((row) => [row.name, row.value, row.reference, row.target, row.verdict]),
  );
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Describes the machine and the Node.js version, for the record. */
export function describeMachine(): string {
  const processors = cpus();
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return [
    `- CPU: ${processors.length} × ${processors[0]?.model ?? 'unknown'}`,
    `- Memory: ${gib(totalmem())} total, ${gib(freemem())} free at the start`,
    `- Load average at the start (1, 5, 15 min): ${loadavg()
      .map((load) => load.toFixed(2))
      .join(', ')}`,
    `- OS: ${platform()} ${release()}`,
    `- Node.js: ${process.version}`,
  ].join('\n');
}
