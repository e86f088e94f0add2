/** A port a component's pods listen on. */
export interface ComponentPort {
  /** The container port. */
  readonly port: number;
  /**
   * `TCP` or `UDP`.
   * @default 'TCP'
   */
  readonly protocol?: string;
}

/**
 * A component of an app as other components see it: what selects its pods and what they listen on.
 * Compositions wire components through these references (traffic rules, sync waves, upstreams)
 * instead of repeating names and ports as strings.
 */
export interface IComponent {
  /** Object name and `app.kubernetes.io/component` label. */
  readonly name: string;
  /** The labels that select the component's pods (Service and NetworkPolicy selectors). */
  readonly selectorLabels: { [key: string]: string };
  /** The ports the pods listen on, for other components and probes; empty for pure clients such as workers. */
  readonly listenPorts: ComponentPort[];
}

/** A component that serves HTTP behind a Service of its own name. */
export interface IHttpComponent extends IComponent {
  /** The Service port, which is also the container port. */
  readonly port: number;
  /** The in-cluster URL of the Service, e.g. `http://backend:8000`. */
  readonly serviceUrl: string;
}
