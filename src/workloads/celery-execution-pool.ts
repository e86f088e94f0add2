/**
 * How a Celery worker runs its tasks (`--pool`), which decides what `concurrency` counts: processes for
 * prefork, threads, or greenlets for gevent and eventlet, whose tasks wait on I/O by the hundred.
 */
export enum CeleryExecutionPool {
  /** Child processes (Celery's default): CPU-bound tasks; `concurrency` 1-64. */
  PREFORK = 'prefork',
  /** Threads of one process: I/O-bound tasks without monkey-patching; `concurrency` 1-256. */
  THREADS = 'threads',
  /** Greenlets (the image needs gevent): I/O-bound tasks by the hundred; `concurrency` 1-1000. */
  GEVENT = 'gevent',
  /** Greenlets (the image needs eventlet); `concurrency` 1-1000. */
  EVENTLET = 'eventlet',
  /** The task runs in the worker's own loop, one at a time; `concurrency` 1. */
  SOLO = 'solo',
}

/** The `concurrency` each pool accepts: what one pod can run without starving its CPU or memory limits. */
export const CONCURRENCY_RANGE: Record<CeleryExecutionPool, readonly [number, number]> = {
  [CeleryExecutionPool.PREFORK]: [1, 64],
  [CeleryExecutionPool.THREADS]: [1, 256],
  [CeleryExecutionPool.GEVENT]: [1, 1000],
  [CeleryExecutionPool.EVENTLET]: [1, 1000],
  [CeleryExecutionPool.SOLO]: [1, 1],
};
