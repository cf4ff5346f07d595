/**
 * A screen's filters and page cursor live in the address (deep links, back button): read them, and
 * change some of them — a changed filter starts again at the first page.
 */
import { useSearchParams } from 'wouter';

export function useFilterParams(): [URLSearchParams, (changes: Record<string, string | null>) => void] {
  const [params, setParams] = useSearchParams();
  const set = (changes: Record<string, string | null>) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      for (const [k, v] of Object.entries(changes)) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      if (!('after' in changes)) next.delete('after');
      return next;
    });
  return [params, set];
}
