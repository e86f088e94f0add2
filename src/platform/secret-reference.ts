/** One environment variable read from a key of an existing Secret. */
export interface SecretEnvVar {
  /** The environment variable's name. */
  readonly name: string;
  /** The Secret that holds the value. */
  readonly secretName: string;
  /** The key in that Secret. */
  readonly key: string;
}

/** One key of an existing Secret that a component reads (as an environment variable, or through KEDA). */
export interface SecretKeyReference {
  /** The Secret's name. */
  readonly secretName: string;
  /** The key in that Secret. */
  readonly key: string;
}
