import { k8s } from 'cdk8s-plus-27';

/** How the kubelet tells a stuck Celery process (a worker, beat) from a working one. */
export enum CeleryLiveness {
  /**
   * The process touches a file from its own loop (a worker's consumer bootstep, beat's scheduler tick;
   * see the README); the liveness probe checks the file's age and never calls the broker.
   */
  HEARTBEAT_FILE = 'heartbeat-file',
  /**
   * For apps that cannot add the heartbeat yet: no liveness probe, and a startup probe that waits for
   * the process's pid file. A stuck process is then never restarted; never a broker ping either.
   */
  NONE = 'none',
}

/**
 * An exec probe that passes while the heartbeat file is younger than `maxAgeSeconds`.
 * It reads a file and never calls the broker, so a slow broker cannot restart healthy workers.
 */
export function heartbeatProbe(file: string, maxAgeSeconds: number): k8s.Probe {
  const script = `import os,sys,time; sys.exit(0 if time.time() - os.stat(${JSON.stringify(file)}).st_mtime < ${maxAgeSeconds} else 1)`;
  return { exec: { command: ['python', '-c', script] } };
}

/** An exec probe that passes once a file exists (the image has python, as the heartbeat probe needs). */
export function fileExistsProbe(file: string): k8s.Probe {
  return { exec: { command: ['python', '-c', `import os; os.stat(${JSON.stringify(file)})`] } };
}
