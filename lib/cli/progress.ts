/**
 * Progress on stderr for long runs: phase, rows read, rows/s. Only on a terminal, never with
 * --quiet, so pipelines and CI logs stay clean.
 */
export class Progress {
  private phase = '';
  private rows = 0;
  private detail = '';
  private readonly started = performance.now();
  private phaseStarted = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly enabled: boolean) {
    if (enabled) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  start(phase: string): void {
    this.phase = phase;
    this.phaseStarted = performance.now();
    this.detail = '';
    this.draw();
  }

  addRows(n: number): void {
    this.rows += n;
  }

  note(detail: string): void {
    this.detail = detail;
  }

  private draw(): void {
    if (!this.enabled) return;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(this.rows / seconds) : 0;
    const line = `[${this.phase}] ${this.rows.toLocaleString('en-US')} rows read, ${rate.toLocaleString('en-US')} rows/s${this.detail ? `, ${this.detail}` : ''} (${((performance.now() - this.phaseStarted) / 1000).toFixed(1)} s)`;
    process.stderr.write(`\r\x1b[2K${line}`);
  }

  done(message: string): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.enabled) process.stderr.write(`\r\x1b[2K${message}\n`);
  }
}
