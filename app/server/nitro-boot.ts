import { definePlugin } from 'nitro'
import { bootServer, installShutdown } from './boot.server'

export default definePlugin(() => {
  installShutdown()
  bootServer().catch((error) => {
    console.error('[haven] start-up failed:', error instanceof Error ? error.message : error)
    process.exit(1)
  })
})
