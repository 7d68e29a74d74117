/**
 * Timers as a port, beside the clock and the rng: the reconcile host schedules delayed requeues,
 * resyncs and reconcile timeouts through it, so its tests drive time by hand instead of sleeping.
 */

/** Schedules one callback; the returned function cancels it (a no-op once it has fired). */
export interface Timers {
  schedule(delayMs: number, callback: () => void): () => void;
}

/**
 * Node's timers. Unref'd: a pending requeue or resync must never keep a stopping process alive
 * (the servers and the lifecycle do that).
 */
export const systemTimers: Timers = {
  schedule(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
