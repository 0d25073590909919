/**
 * A small bounded memo for pure text analyses. The sdist and the wheels of one release carry the
 * same long description, so each is parsed once per run instead of once per artifact. Results
 * depend only on the text, so memoizing keeps the functions pure as far as callers can tell.
 */
export interface TextMemo<T> {
  (text: string): T;
  /** Takes what the function returns for `text`, known already (slipway's analysis cache). */
  seed(text: string, value: T): void;
}

export function memoByText<T>(fn: (text: string) => T, capacity = 32): TextMemo<T> {
  const cache = new Map<string, T>();
  const remember = (text: string, value: T) => {
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
    cache.set(text, value);
  };
  const memo = (text: string): T => {
    const hit = cache.get(text);
    if (hit !== undefined || cache.has(text)) return hit as T;
    const value = fn(text);
    remember(text, value);
    return value;
  };
  memo.seed = (text: string, value: T) => {
    if (!cache.has(text)) remember(text, value);
  };
  return memo;
}
