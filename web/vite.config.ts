import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard (issue 9): web/ built into dist/web/, served at / by `stocktally start` and from S3
// behind CloudFront in the cloud. Relative asset URLs, so the same build works under any path.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // ECharts is the bulk of the bundle even trimmed to the charts used; keep it apart from the app.
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ }] },
      },
    },
    chunkSizeWarningLimit: 900,
  },
});
