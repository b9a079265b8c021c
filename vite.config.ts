import tailwindcss from '@tailwindcss/vite'
import { tanstackStart } from '@tanstack/react-start/plugin/vite'
import viteReact from '@vitejs/plugin-react'
import { nitro } from 'nitro/vite'
import path from 'node:path'
import { defineConfig } from 'vite'

export default defineConfig({
  server: { port: Number(process.env.PORT ?? 3000), allowedHosts: true },
  plugins: [
    tailwindcss(),
    tanstackStart({
      srcDirectory: 'app',
      // Readable, stable ids (`auth.signIn`): logs say which function ran, and the authorization matrix test can
      // call every function over HTTP by name. Start passes the export name with a `_createServerFn_handler` suffix.
      serverFns: {
        generateFunctionId: ({ filename, functionName }) =>
          `${path.basename(filename).replace(/\.functions\.ts$/, '')}.${functionName.replace(/_createServerFn_handler$/, '')}`,
      },
    }),
    nitro({
      traceDeps: ['@electric-sql/pglite*'],
      plugins: ['./app/server/nitro-boot.ts'],
      // A second build (a benchmark, a look at the UI) can go elsewhere while tests use .output.
      output: { dir: process.env.HAVEN_BUILD_DIR ?? '.output' },
    }),
    viteReact(),
  ],
})
