// Time-domain statistics of a window: overall acceleration level and impulsiveness.
// Kurtosis and crest factor are the classic early indicators of rolling-bearing damage:
// impacts raise the fourth moment and the peak long before they raise the RMS
// (ISO 13373-2:2016, processing and analysis of vibration data; Randall, "Vibration-based
// Condition Monitoring", Wiley 2011, ch. 5 on rolling-element bearings).

export interface CenteredWindow {
  /** The samples minus their mean, as float64 (non-finite samples replaced by the mean, i.e. 0). */
  readonly centered: Float64Array;
  readonly meanG: number;
  /** Samples that were NaN or ±Infinity (a transport fault: see signal-quality.ts). */
  readonly nonFinite: number;
}

export interface TimeStatistics {
  /** RMS of the mean-removed signal: the DC offset of the sensor is not vibration. */
  readonly rmsG: number;
  /** Largest |x − mean|. */
  readonly peakG: number;
  /** peak / RMS: √2 for a sine, ≈ 3–4.5 for Gaussian noise in 10⁴ samples; 0 for a flat line. */
  readonly crestFactor: number;
  /** Pearson kurtosis m4/m2²: 1.5 for a sine, 3 for Gaussian noise; 0 for a flat line. */
  readonly kurtosis: number;
}

/** Copies the window into float64 with its mean removed (two passes: exact, no cancellation). */
export function centerWindow(samples: ArrayLike<number>): CenteredWindow {
  const n = samples.length;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    if (Number.isFinite(x)) {
      sum += x;
      finite++;
    }
  }
  const meanG = finite > 0 ? sum / finite : 0;
  const centered = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    centered[i] = Number.isFinite(x) ? x - meanG : 0;
  }
  return { centered, meanG, nonFinite: n - finite };
}

export function timeStatistics(centered: Float64Array): TimeStatistics {
  const n = centered.length;
  let m2 = 0;
  let m4 = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const x = centered[i] ?? 0;
    const x2 = x * x;
    m2 += x2;
    m4 += x2 * x2;
    const magnitude = Math.abs(x);
    if (magnitude > peak) peak = magnitude;
  }
  m2 /= n;
  m4 /= n;
  const rms = Math.sqrt(m2);
  // Crest factor and kurtosis are ratios to the RMS: undefined for a constant signal. They
  // read 0 there (a number JSON and SQL can store); the signal-quality check names the cause.
  return {
    rmsG: rms,
    peakG: peak,
    crestFactor: rms > 0 ? peak / rms : 0,
    kurtosis: m2 > 0 ? m4 / (m2 * m2) : 0,
  };
}
