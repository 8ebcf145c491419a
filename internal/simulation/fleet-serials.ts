// The serials of a generated fleet. The simulator names its sensors so, and the bench
// provisions and later forgets the same serials, so both must agree on the one rule.

/** A fleet's serials: P-0001 … P-N (wider when N needs it). */
export function fleetSerials(prefix: string, count: number): string[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}
