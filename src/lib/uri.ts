/** Decoded, or as it is where it is no valid URI encoding (a `%` alone) and was not encoded. */
export function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
