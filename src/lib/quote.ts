/** A value as a warning can quote it; never throws, whatever a caller passed (BigInt, cycles, symbols). */
export function quote(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}
