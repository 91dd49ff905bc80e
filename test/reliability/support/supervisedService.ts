/**
 * The real service process under a supervisor that kills it with SIGKILL and starts it again on the
 * same data directory, the way a crash and a process manager's restart would. Callers whose request
 * died with the process wait for the next one (its ready line), never a timer.
 */
import { startServiceProcess, type ServiceProcess } from './serviceProcess.js';

export class SupervisedService {
  /** Every process started, so a test's clean-up can make sure none outlives it. */
  readonly started: ServiceProcess[] = [];
  private generationNo = 0;
  private current: ServiceProcess;
  private readonly killed = new Set<number>();
  private nextReady!: { promise: Promise<void>; resolve: () => void };
  private restarting: Promise<void> | undefined;

  /**
   * @param env the service's whole environment (besides PATH, PORT=0 and the log settings)
   * @param afterExit runs after a killed process has exited and before the next one starts, while
   *   nothing touches the data directory (a look at what the crash left behind)
   */
  constructor(
    private readonly env: Record<string, string>,
    private readonly afterExit: (generation: number) => void | Promise<void> = () => {},
  ) {
    this.current = this.spawn();
    this.armNextReady();
  }

  /** How many processes were killed so far. */
  get kills(): number {
    return this.killed.size;
  }

  /** Whether a kill and restart is under way. */
  get isRestarting(): boolean {
    return this.restarting !== undefined;
  }

  /** The process of the moment, for output on failures. */
  get process(): ServiceProcess {
    return this.current;
  }

  /** The generation (0 for the first process) and base URL to send to now. */
  async target(): Promise<{ generation: number; url: string }> {
    const generation = this.generationNo;
    return { generation, url: await this.current.ready };
  }

  /**
   * Called after a request to `generation` failed. Waits for the next process when that one was
   * killed on purpose; a process that died by itself is a failure of the service and says so.
   */
  async recover(generation: number, error: unknown): Promise<void> {
    if (!this.killed.has(generation)) throw new Error(`request failed while nobody killed the service: ${String(error)}\n${this.current.output()}`);
    if (this.generationNo > generation) return void (await this.current.ready);
    await this.nextReady.promise;
  }

  /** Kills the process of the moment with SIGKILL and starts the next one; resolves once it is ready. */
  killAndRestart(): Promise<void> {
    if (this.restarting) return this.restarting;
    this.restarting = this.restart().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  /** Stops the current process with SIGTERM (a clean shutdown) and returns its exit code. */
  async stop(): Promise<number | null> {
    await this.restarting;
    this.current.child.kill('SIGTERM');
    await this.current.exited;
    return this.current.child.exitCode;
  }

  /** Kills whatever is still running (test clean-up). */
  killAll(): void {
    for (const service of this.started) if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  }

  private async restart(): Promise<void> {
    const generation = this.generationNo;
    this.killed.add(generation);
    const dying = this.current;
    dying.child.kill('SIGKILL');
    await dying.exited;
    await this.afterExit(generation);
    this.current = this.spawn();
    this.generationNo += 1;
    await this.current.ready;
    const waiting = this.nextReady;
    this.armNextReady();
    waiting.resolve();
  }

  private spawn(): ServiceProcess {
    const service = startServiceProcess(this.env);
    this.started.push(service);
    return service;
  }

  private armNextReady(): void {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.nextReady = { promise, resolve };
  }
}
