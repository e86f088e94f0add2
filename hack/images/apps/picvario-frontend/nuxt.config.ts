// Picvario's frontend as its image runs it: `node .output/server/index.mjs` (Nitro's node-server preset),
// which listens on $HOST:$PORT. The render sets NUXT_API_BASE (the backend's in-cluster URL, for the server
// side) and NUXT_PUBLIC_API_BASE (the URL browsers use); Nuxt reads both into runtimeConfig at start, so one
// build serves every environment.
export default defineNuxtConfig({
  compatibilityDate: '2026-01-01',
  ssr: true,
  devtools: { enabled: false },
  telemetry: false,
  runtimeConfig: {
    apiBase: '',
    public: { apiBase: '' },
  },
  app: {
    head: { title: 'Picvario' },
  },
});
