import { k8s } from 'cdk8s-plus-27';
import { checkSecretKey, invalid, Owner } from '../../platform/errors';
import { sha256OfFields } from '../../platform/sha256';

/**
 * The Elasticsearch cluster that holds usage statistics (not the search cluster), and the
 * existing Secret with the credentials used to reach it. The same value is passed to the
 * shipper (which writes) and to the dashboards (which read); give them different Secrets
 * when the writer and the reader are different Elasticsearch users.
 */
export interface StatsElasticsearchConnection {
  /**
   * Base URL, `http(s)://host[:port][/path]`, e.g. `https://stats-es.internal:9200`.
   * Credentials never go in the URL: they come from the Secret.
   */
  readonly url: string;
  /** The name of an existing Secret holding the username and password. */
  readonly secretName: string;
  /**
   * The key of the username in the Secret.
   * @default 'username'
   */
  readonly usernameKey?: string;
  /**
   * The key of the password in the Secret.
   * @default 'password'
   */
  readonly passwordKey?: string;
}

/** Environment variable names the rendered configs refer to; the values come from the Secret. */
export const ES_USER_ENV = 'STATS_ES_USER';
export const ES_PASSWORD_ENV = 'STATS_ES_PASSWORD';

/** A validated connection. */
export interface ResolvedConnection {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly secretName: string;
  readonly usernameKey: string;
  readonly passwordKey: string;
}

/**
 * Validates the URL and the Secret reference. `$` and quotes are refused because both
 * Logstash and Grafana interpolate `${...}` in their configs, and the URL is written
 * inside a quoted string.
 */
export function resolveConnection(owner: Owner, field: string, connection: StatsElasticsearchConnection): ResolvedConnection {
  if (!connection) invalid(owner, field, 'a statistics Elasticsearch connection (url and secretName)', connection);
  const expected = 'an http(s) URL such as "https://stats-es.internal:9200", without credentials, query or fragment';
  const text = connection.url;
  if (typeof text !== 'string' || !/^https?:\/\/[^\s"'$\\`]+$/.test(text)) invalid(owner, `${field}.url`, expected, text);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return invalid(owner, `${field}.url`, expected, text);
  }
  if (!parsed.hostname || parsed.username || parsed.password || parsed.search || parsed.hash || text.includes('@')) {
    invalid(owner, `${field}.url`, expected, text);
  }
  const usernameKey = connection.usernameKey ?? 'username';
  const passwordKey = connection.passwordKey ?? 'password';
  checkSecretKey(owner, `${field}.secretName`, connection.secretName, `${field}.usernameKey`, usernameKey);
  checkSecretKey(owner, `${field}.secretName`, connection.secretName, `${field}.passwordKey`, passwordKey);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { url: text.replace(/\/+$/, ''), host: parsed.hostname, port, secretName: connection.secretName, usernameKey, passwordKey };
}

/** `STATS_ES_USER` and `STATS_ES_PASSWORD` from the Secret: the values never appear in a manifest. */
export function credentialEnv(connection: ResolvedConnection): k8s.EnvVar[] {
  return [
    { name: ES_USER_ENV, valueFrom: { secretKeyRef: { name: connection.secretName, key: connection.usernameKey } } },
    { name: ES_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: connection.secretName, key: connection.passwordKey } } },
  ];
}

/** SHA-256 of ConfigMap data (keys sorted), for a `checksum/config` pod annotation that rolls pods on change. */
export function configChecksum(...data: Record<string, string>[]): string {
  // Each key and value a field, and an empty field closing each ConfigMap's data.
  return sha256OfFields(data.flatMap((d) => [...Object.keys(d).sort().flatMap((key) => [key, d[key]]), '']));
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
export function yamlString(value: string): string {
  return JSON.stringify(value);
}
