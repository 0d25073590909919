/**
 * A small bounded memo for pure text analyses. The sdist and the wheels of one release carry the
 * same long description, so each is parsed once per run instead of once per artifact. Results
 * depend only on the text, so memoizing keeps the functions pure as far as callers can tell.
 */
export function memoByText<T>(fn: (text: string) => T, capacity = 32): (text: string) => T {
  const cache = new Map<string, T>();
  return (text: string): T => {
    const hit = cache.get(text);
    if (hit !== undefined || cache.has(text)) return hit as T;
    const value = fn(text);
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(text, value);
    return value;
  };
}
