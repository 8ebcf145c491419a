// A hand-written SVG of the run: throughput (samples/s, left axis) and p99 latency (ms, right
// axis, bucketed) per second, with the warm-up shaded. No dependency, opens in any browser.

export interface TimelinePoint {
  /** Seconds since the simulator started. */
  t: number;
  samplesPerSecond: number;
  /** Bucketed p99 of what committed in that second; null when nothing did. */
  p99Ms: number | null;
}

const WIDTH = 900;
const HEIGHT = 420;
const PAD = { left: 80, right: 70, top: 40, bottom: 50 };

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round axis maximum: 1, 2 or 5 × 10^k at or above `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function renderChart(
  title: string,
  points: readonly TimelinePoint[],
  warmupS: number,
): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const tMax = Math.max(1, ...points.map((p) => p.t));
  const rateMax = niceCeiling(Math.max(0, ...points.map((p) => p.samplesPerSecond)));
  const latMax = niceCeiling(Math.max(0, ...points.map((p) => p.p99Ms ?? 0)));
  const x = (t: number) => PAD.left + (t / tMax) * plotW;
  const yRate = (v: number) => PAD.top + plotH - (v / rateMax) * plotH;
  const yLat = (v: number) => PAD.top + plotH - (v / latMax) * plotH;
  const fmt = (n: number) => n.toFixed(1);

  const ratePath = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(x(p.t))},${fmt(yRate(p.samplesPerSecond))}`)
    .join(' ');
  const latPoints = points
    .filter((p) => p.p99Ms !== null)
    .map((p) => `${fmt(x(p.t))},${fmt(yLat(p.p99Ms as number))}`)
    .join(' ');

  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks
    .map((f) => {
      const y = PAD.top + plotH - f * plotH;
      return (
        `<line x1="${PAD.left}" y1="${fmt(y)}" x2="${PAD.left + plotW}" y2="${fmt(y)}" stroke="#e5e5e5"/>` +
        `<text x="${PAD.left - 8}" y="${fmt(y + 4)}" text-anchor="end" fill="#1f77b4">${Math.round(f * rateMax).toLocaleString('en-US')}</text>` +
        `<text x="${PAD.left + plotW + 8}" y="${fmt(y + 4)}" fill="#d62728">${+(f * latMax).toFixed(1)}</text>`
      );
    })
    .join('\n  ');
  const timeTicks = Array.from({ length: 6 }, (_, i) => (tMax * i) / 5)
    .map(
      (t) =>
        `<text x="${fmt(x(t))}" y="${PAD.top + plotH + 18}" text-anchor="middle">${Math.round(t)}</text>`,
    )
    .join('\n  ');
  const warmW = Math.max(0, x(Math.min(warmupS, tMax)) - PAD.left);

  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">
  <rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>
  <text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>
  <rect x="${PAD.left}" y="${PAD.top}" width="${fmt(warmW)}" height="${plotH}" fill="#f3f3f3"/>
  <text x="${PAD.left + 4}" y="${PAD.top + 14}" fill="#888">warm-up</text>
  ${grid}
  ${timeTicks}
  <line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="#333"/>
  <path d="${ratePath}" fill="none" stroke="#1f77b4" stroke-width="2"/>
  <polyline points="${latPoints}" fill="none" stroke="#d62728" stroke-width="1.5" stroke-dasharray="4 3"/>
  <text x="${PAD.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">seconds since the sensors started</text>
  <text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#1f77b4">samples/s committed</text>
  <text transform="translate(${WIDTH - 14} ${PAD.top + plotH / 2}) rotate(90)" text-anchor="middle" fill="#d62728">p99 publish→commit, ms (bucketed)</text>
</svg>
`;
}
