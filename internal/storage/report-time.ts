// A device's report time (Registration.reported_at_ms, CommandAck.at_ms) as the value of
// sensor.reported_at: 0 means undated (older firmware), stored as NULL, which orders nothing.
export function reportTime(ms: number): Date | null {
  return ms > 0 ? new Date(ms) : null;
}
