/** Time under the test's control: no sleeps, no waiting for the real clock. */

/** A clock that stands still until the test moves it. */
export class TestClock {
  private current: Date;
  /** Called on every reading; lets a test notice that a request reached the service. */
  onRead: (() => void) | undefined;

  constructor(start: Date) {
    this.current = new Date(start);
  }

  now = (): Date => {
    this.onRead?.();
    return new Date(this.current);
  };

  advanceMinutes(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}
