import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

/**
 * The bars of the console's activity chart (events per day, `day` as YYYY-MM-DD). A module of its own so that the
 * chart library (about 400 kB) loads only on the console pages that draw it, not with every page of every app.
 */
export default function ActivityBars({ data, series }: { data: { day: string; events: number }[]; series: string }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} vertical={false} />
        <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={11} stroke="#94a3b8" interval="preserveStartEnd" />
        <YAxis allowDecimals={false} fontSize={11} stroke="#94a3b8" />
        <Tooltip cursor={{ fillOpacity: 0.1 }} contentStyle={{ fontSize: 12 }} />
        <Bar dataKey="events" name={series} fill="currentColor" radius={[3, 3, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  )
}
