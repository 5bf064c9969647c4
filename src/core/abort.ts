/**
 * A call's cancellation without an `AbortController` per call. Every call can be aborted (the page cancels it, the
 * page goes away, its deadline passes), but few handlers ever look at `ctx.signal`: an `AbortController` made and
 * linked to the page's signal for each call was a quarter of the core's CPU per small invoke, and most of its
 * garbage. A `CallAbort` is a flag and a reason; the `AbortSignal` exists only once something asks for it, and is
 * aborted at once if the call already was. The core's own waits (`untilAborted`, deadlines) hook in with `onAbort`.
 */
export class CallAbort {
  #aborted = false;
  #reason: unknown;
  #controller: AbortController | undefined;
  #hooks: Array<(reason: unknown) => void> | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** The call's `AbortSignal` (`ctx.signal`), made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts once; later calls are ignored (the first reason wins, as with `AbortController`). */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const hooks = this.#hooks;
    this.#hooks = undefined;
    this.#controller?.abort(reason);
    if (hooks !== undefined) for (const hook of hooks) hook(reason);
  }

  /** Runs `hook` once when the call aborts (at once if it has); returns the function that unhooks it. */
  onAbort(hook: (reason: unknown) => void): () => void {
    if (this.#aborted) {
      hook(this.#reason);
      return noop;
    }
    const hooks = this.#hooks ?? [];
    hooks.push(hook);
    this.#hooks = hooks;
    return () => {
      const i = hooks.indexOf(hook);
      if (i >= 0) hooks.splice(i, 1);
    };
  }
}

function noop(): void {}
