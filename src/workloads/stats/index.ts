// Usage statistics: Logstash ships events from the backend to the statistics Elasticsearch,
// Grafana shows them. Only classes, interfaces and enums are exported (jsii).
export { StatsElasticsearchConnection } from './connection';
export { IndexTemplateManagement, StatsShipper, StatsShipperOptions, StatsShipperProps } from './logstash';
export { StatsDashboards, StatsDashboardsOptions, StatsDashboardsProps } from './grafana';
