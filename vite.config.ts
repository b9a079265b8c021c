import tailwindcss from '@tailwindcss/vite'
import { tanstackStart } from '@tanstack/react-start/plugin/vite'
import viteReact from '@vitejs/plugin-react'
import { nitro } from 'nitro/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  server: { port: Number(process.env.PORT ?? 3000), allowedHosts: true },
  plugins: [
    tailwindcss(),
    tanstackStart({ srcDirectory: 'app' }),
    nitro({ traceDeps: ['@electric-sql/pglite*'], plugins: ['./app/server/nitro-boot.ts'] }),
    viteReact(),
  ],
})
