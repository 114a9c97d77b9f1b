/**
 * A progress bar on stderr: redrawn in place on a terminal, a line per 10% elsewhere (CI logs).
 *
 * @example
 * const bar = progressBar('throughput');
 * bar(500, 10_000); ... bar.done();
 */
export interface ProgressBar {
  (done: number, total: number): void;
  done(): void;
}

const WIDTH = 30;

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = performance.now();
  let lastDraw = 0;
  let lastTenth = -1;
  let drawn = false;
  const line = (done: number, total: number): string => {
    const share = total === 0 ? 1 : done / total;
    const filled = Math.round(share * WIDTH);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `  ${label.padEnd(22)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(done).padStart(6)}/${total} ${rate} jobs/s`;
  };
  const bar = ((done: number, total: number): void => {
    if (stream.isTTY) {
      const now = performance.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      stream.write(`\r${line(done, total)}`);
      drawn = true;
      return;
    }
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      stream.write(`${line(done, total)}\n`);
    }
  }) as ProgressBar;
  bar.done = () => {
    if (drawn) stream.write('\n');
  };
  return bar;
}
