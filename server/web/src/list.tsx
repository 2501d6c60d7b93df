// The console's paged lists: a first page that reloads with its filters (and may poll), further
// pages appended by a "Load more" button, and the search form above them. One piece of code so
// every list pages, resets and reports errors the same way.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useAction, useData } from './ui.js';

/** One page as a list endpoint answers it, reduced to its rows and the cursor of the next page. */
export interface PageOf<T, C> {
  items: T[];
  next: C | null;
}

export interface PagedListOptions<T> {
  /** Reload the first page on this interval (see `useData`). */
  pollMs?: number | ((data: T[] | undefined) => number | undefined);
  /**
   * Keep pages already loaded with "Load more" when the first page reloads (the pipeline polls
   * its first page; the caller resets explicitly when its filters change). Without it a reload
   * of the first page drops the further pages and takes the new cursor.
   */
  keepLoaded?: boolean;
}

/**
 * `fetchPage(null)` is the first page, `fetchPage(cursor)` a further one; `deps` are the
 * filters that make the first page load again.
 */
export function usePagedList<T, C>(fetchPage: (cursor: C | null) => Promise<PageOf<T, C>>, deps: unknown[], options: PagedListOptions<T> = {}) {
  const [extra, setExtra] = useState<T[]>([]);
  const [cursor, setCursor] = useState<C | null>(null);
  // The first-page loader runs from a ref inside useData, so it reads the rows loaded since through one too.
  const extraRef = useRef(extra);
  extraRef.current = extra;
  const page = useData(
    async () => {
      const res = await fetchPage(null);
      if (!options.keepLoaded) {
        setExtra([]);
        setCursor(res.next);
      } else if (extraRef.current.length === 0) {
        setCursor(res.next);
      }
      return res.items;
    },
    deps,
    options.pollMs,
  );
  const more = useAction();
  const loadMore = (): void => {
    void more.run(async () => {
      if (cursor === null) return;
      const res = await fetchPage(cursor);
      setExtra((prev) => [...prev, ...res.items]);
      setCursor(res.next);
    });
  };
  /** Forget the further pages (the caller is about to change what the first page shows). */
  const reset = (): void => {
    setExtra([]);
    setCursor(null);
  };
  return { items: [...(page.data ?? []), ...extra], page, more, cursor, hasMore: cursor !== null, loadMore, reset };
}

/** The "Load more" button under a paged list; absent once the last page is loaded. */
export function LoadMore({ list, label }: { list: { hasMore: boolean; more: { busy: boolean }; loadMore: () => void }; label: string }) {
  if (!list.hasMore) return null;
  return (
    <button type="button" class="secondary" disabled={list.more.busy} onClick={() => list.loadMore()}>
      {label}
    </button>
  );
}

/** A list's search form: its fields, then the submit button; submitting does not reload the page. */
export function FilterBar({ onSearch, submitLabel, children }: { onSearch: () => void; submitLabel: string; children: ComponentChildren }) {
  return (
    <form
      class="filters"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch();
      }}
    >
      {children}
      <button type="submit" class="secondary">
        {submitLabel}
      </button>
    </form>
  );
}
