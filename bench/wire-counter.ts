/**
 * A TCP proxy in front of PostgreSQL that counts, from the frontend/backend protocol, what the client sends:
 * statements (simple Query 'Q' and extended-protocol Execute 'E' messages), Parse messages (statements the server
 * had to plan), and round trips — each time the client sends again after the server has answered (a pipelined
 * batch is one round trip).
 */
import net from 'node:net'

export type WireCounts = { statements: number; parses: number; roundTrips: number }

export async function startWireCounter(target: { host: string; port: number }) {
  const counts: WireCounts = { statements: 0, parses: 0, roundTrips: 0 }
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    let buffered = Buffer.alloc(0)
    let startup = true
    let serverSpoke = true
    client.on('data', (chunk: Buffer) => {
      if (serverSpoke) {
        counts.roundTrips++
        serverSpoke = false
      }
      buffered = Buffer.concat([buffered, chunk])
      for (;;) {
        if (startup) {
          // StartupMessage / SSLRequest: no type byte, an int32 length that includes itself.
          if (buffered.length < 4) break
          const length = buffered.readInt32BE(0)
          if (buffered.length < length) break
          buffered = buffered.subarray(length)
          startup = false
          continue
        }
        if (buffered.length < 5) break
        const type = String.fromCharCode(buffered[0] ?? 0)
        const length = buffered.readInt32BE(1)
        if (buffered.length < 1 + length) break
        if (type === 'Q' || type === 'E') counts.statements++
        if (type === 'P') counts.parses++
        buffered = buffered.subarray(1 + length)
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      serverSpoke = true
      client.write(chunk)
    })
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', close)
    upstream.on('error', close)
    client.on('close', close)
    upstream.on('close', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as net.AddressInfo
  return {
    port: address.port,
    counts,
    reset() {
      counts.statements = 0
      counts.parses = 0
      counts.roundTrips = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
