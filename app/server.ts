import handler, { createServerEntry } from '@tanstack/react-start/server-entry'
import { replayOnConflict } from './server/replay.server'

/**
 * The server entry: Start's own handler, with a server-function call that lost a serialization failure or a
 * deadlock run once more from the start (server/replay.server.ts explains why the retry lives here).
 */
export default createServerEntry({
  fetch: (request, options) => replayOnConflict(request, (attempt) => handler.fetch(attempt, options)),
})
