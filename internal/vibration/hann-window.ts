// The Hann window, one of the time-domain windows ISO 18431-2 defines for Fourier analysis and
// the usual choice for machinery spectra: its side lobes fall 18 dB per octave, so a strong 1×
// line does not bury weak lines a few bins away, and its main lobe is only ±2 bins wide.
//
// The periodic (DFT-even) form w[i] = ½ − ½·cos(2πi/n) is used: its coherent gain is exactly
// ½ and its equivalent noise bandwidth exactly 1.5 bins (Harris, "On the use of windows for
// harmonic analysis with the DFT", Proc. IEEE 66(1), 1978), which the amplitude and band-power
// scalings in amplitude-spectrum.ts rely on.

export interface HannWindow {
  readonly values: Float64Array;
  /** Σw: divides a spectrum to make a tone's peak read its true amplitude (coherent gain). */
  readonly sum: number;
  /** Σw²: divides the power of a windowed signal to give the signal's own power. */
  readonly sumOfSquares: number;
}

/**
 * Windows are cached by length. Lengths follow sample rates (a 1 s window is `rateHz`
 * samples), so a process sees a handful; the bound stops a caller that sends windows of ever
 * new lengths from growing the cache without limit (oldest entry evicted first).
 */
const MAX_CACHED_WINDOWS = 32;

const windows = new Map<number, HannWindow>();

export function hannWindow(length: number): HannWindow {
  let window = windows.get(length);
  if (window === undefined) {
    const values = new Float64Array(length);
    let sum = 0;
    let sumOfSquares = 0;
    for (let i = 0; i < length; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
      values[i] = w;
      sum += w;
      sumOfSquares += w * w;
    }
    window = { values, sum, sumOfSquares };
    if (windows.size >= MAX_CACHED_WINDOWS) {
      const oldest = windows.keys().next();
      if (oldest.done !== true) windows.delete(oldest.value);
    }
    windows.set(length, window);
  }
  return window;
}

/**
 * The Hann window's amplitude response to a tone `offsetBins` away from a bin centre
 * (in bins of the unpadded window), normalised to 1 at the centre:
 * W(d) = sinc(d) / (1 − d²). At half a bin it is 0.849 (the 1.42 dB scalloping loss).
 */
export function hannResponse(offsetBins: number): number {
  const d = Math.abs(offsetBins);
  if (d < 1e-9) return 1;
  // The removable singularity at d = 1: the limit of sinc(d)/(1 − d²) is ½.
  if (Math.abs(d - 1) < 1e-9) return 0.5;
  const x = Math.PI * d;
  return Math.abs(Math.sin(x) / x / (1 - d * d));
}
