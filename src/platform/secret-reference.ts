/** One key of an existing Secret that a component reads (as an environment variable, or through KEDA). */
export interface SecretKeyReference {
  /** The Secret's name. */
  readonly secretName: string;
  /** The key in that Secret. */
  readonly key: string;
}
