// Types of pod.js, for the jest test test/hack/images-pod.test.ts.
export function images(dir: string): string[];
export function bundle(manifest: string, workload: string, container: string, imageBundle: string,
  bundleDir: string, netns: string, valuesFile: string): void;
export function expand(value: string, env: Record<string, string>): string;
export function tmpfsSize(limit: string | undefined): string;
