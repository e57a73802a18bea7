import { defineConfig } from "vitest/config";

// The app is served by evald itself on its HTTP port (same origin as the
// API), from web/dist. `npm run dev` proxies the API to a local evald.
export default defineConfig({
  build: { outDir: "dist", assetsDir: "assets", chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      "/evaluation.v1.EvaluationService": "http://127.0.0.1:8080",
      "/healthz": "http://127.0.0.1:8080",
    },
  },
  test: { include: ["test/**/*.test.ts"], environment: "node" },
});
