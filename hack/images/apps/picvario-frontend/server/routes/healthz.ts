// The readiness probe (httpGet /healthz, no Host header): answers as soon as the server listens, and
// touches nothing outside the process, so an API outage never takes the frontend out of its Service.
export default defineEventHandler(() => ({ status: 'ok' }));
