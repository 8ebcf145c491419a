// Counter-based pseudo-random numbers: the value for (seed, stream, index) is a hash of the
// three, not the next state of a generator. A synthetic device can therefore produce sample
// 1,000,000 without producing the 999,999 before it, and successive batches join exactly
// whatever their sizes (the idea of Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC 2011, with a small integer hash in place of their block ciphers).

/**
 * lowbias32 (C. Wellons, "Prospecting for hash functions", 2018): two multiply-xorshift
 * rounds with a measured bias of 0.17, among the best 32-bit integer hashes known.
 */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_TO_32 = 2 ** 32;
/** 2^32 / φ, the usual constant to decorrelate successive keys (Knuth's multiplicative hash). */
const GOLDEN_GAMMA = 0x9e3779b9;

/** Independent streams of one seed: noise, impact timing, impact strength, phases. */
export const STREAM = { noise: 1, jitter: 2, strength: 3, phase: 4 } as const;

/** A key for (seed, stream); compute it once per batch, not per sample. */
export function streamKey(seed: number, stream: number): number {
  return mix32(mix32(seed + GOLDEN_GAMMA) ^ Math.imul(stream, GOLDEN_GAMMA));
}

/** Uniform in (0, 1) for an integer index (negative indices and indices beyond 2^32 too). */
export function uniformAt(key: number, index: number): number {
  const low = index >>> 0;
  const high = Math.floor(index / TWO_TO_32) >>> 0;
  const h = mix32(mix32(key ^ high) + low);
  return (h + 0.5) / TWO_TO_32;
}

/** Standard normal for an integer index (Box–Muller on two uniforms of the same stream). */
export function gaussianAt(key: number, index: number): number {
  const u1 = uniformAt(key, 2 * index);
  const u2 = uniformAt(key, 2 * index + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
