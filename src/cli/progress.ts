/**
 * Progress of a long command on stderr: a bar with count, rate and ETA on a terminal (cli-progress),
 * a plain line every two seconds otherwise (CI logs, pipes), nothing on stdout (which may carry data).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** `done` so far, of `total` when known; `extra` is appended (e.g. "3 refused"). */
  update(done: number, total?: number, extra?: string): void;
  stop(): void;
}

export function progressReporter(label: string, unit = 'rows'): Progress {
  const started = Date.now();
  const rate = (done: number) => Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} |{bar}| {value} ${unit} · {rate} ${unit}/s{extra} · ETA {eta_formatted}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, { rate: 0, extra: '' });
    return {
      update: (done, total, extra) => {
        bar.setTotal(Math.max(done, total ?? 0));
        bar.update(done, { rate: rate(done), extra: extra ? ` · ${extra}` : '' });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (done, total, extra) => {
      if (Date.now() - last < 2_000) return;
      last = Date.now();
      const of = total ? ` of ${total}` : '';
      console.error(`${label}: ${done}${of} ${unit}, ${rate(done)} ${unit}/s${extra ? `, ${extra}` : ''}`);
    },
    stop: () => undefined,
  };
}
