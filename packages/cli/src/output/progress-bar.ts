import type { ProgressListener } from '@nimbus/kernel';
import type CliProgress from 'cli-progress';
import { createRequire } from 'node:module';

// Loaded only when a bar is shown (stderr is a terminal): unattended runs never pay for it.
const load = () => createRequire(import.meta.url)('cli-progress') as typeof CliProgress;

function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${bytes.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/**
 * A progress bar on stderr (only on a TTY): bytes sent against bytes queued so far, with
 * file counts. The total grows as the walk finds work, since the tree is never held whole.
 */
export class ProgressBar {
  private readonly cliProgress = load();
  private readonly bar = new this.cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{bar} {percentage}% | {sent} of {queued} | {done} files done, {failed} failed, {scanned} scanned',
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? human(v) : String(v)),
    },
    this.cliProgress.Presets.shades_classic,
  );
  private queued = 0;
  private sent = 0;
  private done = 0;
  private failed = 0;
  private scanned = 0;
  private started = false;

  readonly listener: ProgressListener = (event) => {
    switch (event.type) {
      case 'queued': this.queued += event.bytes; break;
      case 'bytes': this.sent += event.delta; break;
      case 'done': this.done++; break;
      case 'failed': this.failed++; break;
      case 'scanned': this.scanned = event.files; break;
    }
    this.render();
  };

  private render(): void {
    const payload = { sent: human(this.sent), queued: human(this.queued), done: this.done, failed: this.failed, scanned: this.scanned };
    if (!this.started) {
      this.bar.start(Math.max(1, this.queued), this.sent, payload);
      this.started = true;
    } else {
      this.bar.setTotal(Math.max(1, this.queued));
      this.bar.update(this.sent, payload);
    }
  }

  /** Clear the bar so a log line or the summary prints on a clean line. */
  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}
