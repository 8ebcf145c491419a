// Types for fft.js 4.0.4 (indutny, radix-4). The package ships a generated lib/fft.d.ts in
// which every parameter is `any`; this ambient declaration takes precedence over it and states
// exactly what internal/vibration relies on. Complex arrays interleave (re, im) pairs.
declare module 'fft.js' {
  class FFT {
    /** Builds the twiddle and bit-reversal tables; `size` must be a power of two above 1. */
    constructor(size: number);
    readonly size: number;
    /**
     * Forward transform of `size` real samples. Fills bins 0..size/2 of `out` (2·size long);
     * the upper half is left as it was (see completeSpectrum).
     */
    realTransform(out: Float64Array, data: Float64Array): void;
    /** Mirrors bins 1..size/2−1 into the upper half as their complex conjugates. */
    completeSpectrum(spectrum: Float64Array): void;
    /** Forward complex transform; `out` and `data` must be different arrays. */
    transform(out: Float64Array, data: Float64Array): void;
    /** Inverse complex transform, already scaled by 1/size. */
    inverseTransform(out: Float64Array, data: Float64Array): void;
  }
  export = FFT;
}
