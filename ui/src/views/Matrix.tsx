// The matrix: applications × environments, grouped by namespace, virtualized
// (only the rows in view are in the DOM) so 10,000 rows stay smooth. A grid
// with one tab stop: arrow keys, Home/End and PageUp/PageDown move, Enter
// opens the why panel (on a cell) or the application page (on a name).
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { MATRIX_READY_MARK, type DashboardCell, type DashboardRow } from '../lib/contract.js';
import {
  DASHBOARD_CHIP_LABELS,
  STATE_FILTERS,
  matrixItems,
  rowCount,
  type MatrixFilter,
  type MatrixItem,
} from '../lib/filters.js';
import { moveCursor } from '../lib/grid-nav.js';
import { shortTime } from '../lib/time.js';
import { Choice } from './controls.js';
import { routeHash } from '../lib/routes.js';
import { rowKey, type DashboardState } from '../lib/store.js';

const HEADER_HEIGHT = 40;
const TARGET_LINE = 18;

// Rows are immutable (a delta brings a new object): their height is computed once.
const heights = new WeakMap<DashboardRow, number>();
function rowHeight(row: DashboardRow): number {
  let h = heights.get(row);
  if (h !== undefined) return h;
  let targets = 0;
  let chip = false;
  for (const env in row.cells) {
    const c = row.cells[env]!;
    if (c.deployed.length > targets) targets = c.deployed.length;
    if (c.chip) chip = true;
  }
  h = 34 + targets * TARGET_LINE + (chip ? 24 : 0);
  heights.set(row, h);
  return h;
}
const itemHeight = (item: MatrixItem | undefined) =>
  !item ? 0 : item.kind === 'namespace' ? HEADER_HEIGHT : rowHeight(item.row);

let readyMarked = false;

export function Matrix(props: {
  state: DashboardState;
  filter: MatrixFilter;
  onFilter: (f: MatrixFilter) => void;
}) {
  const { state, filter } = props;
  const items = useMemo(() => matrixItems(state, filter), [state, filter]);
  const columns = useMemo(
    () => Math.max(1, ...items.map((i) => (i.kind === 'namespace' ? i.environments.length : 0))),
    [items],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  const getItemKey = useCallback(
    // A new function per items list: the virtualizer then re-reads every size (rows grow with targets and chips).
    (i: number) => {
      const it = items[i];
      if (!it) return i;
      return it.kind === 'namespace' ? `ns:${it.namespace}` : `row:${it.row.namespace}/${it.row.name}`;
    },
    [items],
  );
  const options = {
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i: number) => itemHeight(items[i]),
    getItemKey,
    overscan: 8,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    initialRect: { width: window.innerWidth, height: window.innerHeight },
    onChange: () => rerender(0),
  };
  const [virtualizer] = useState(() => new Virtualizer<HTMLDivElement, HTMLDivElement>(options));
  virtualizer.setOptions(options);
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());

  const virtualItems = virtualizer.getVirtualItems();
  const gridColumns = `var(--name-col) repeat(${columns}, minmax(var(--cell-min), 1fr))`;
  const innerMinWidth = `calc(var(--name-col) + ${columns} * var(--cell-min))`;
  // The column names of the namespace at the top of the view stay visible while its rows scroll by.
  const offset = virtualizer.scrollOffset ?? 0;
  let sticky: Extract<MatrixItem, { kind: 'namespace' }> | undefined;
  if (offset > 0) {
    const top = virtualItems.find((v) => v.end > offset);
    for (let i = top?.index ?? -1; i >= 0; i--) {
      const it = items[i];
      if (it?.kind === 'namespace') {
        sticky = it;
        break;
      }
    }
  }

  useEffect(() => {
    if (readyMarked || !state.loaded) return;
    if (virtualItems.length > 0 || items.length === 0) {
      readyMarked = true;
      performance.mark(MATRIX_READY_MARK, { detail: { rows: rowCount(items) } });
    }
  });

  // The one focusable cell: its row (by key, so it survives deltas and filters) and column (0 = the name).
  // A ref, not only state, so key presses faster than renders still add up.
  const cursor = useRef<{ key: string; col: number } | null>(null);
  const [, setCursorTick] = useState(0);
  const focusPending = useRef(false);
  const setCursor = (c: { key: string; col: number }) => {
    cursor.current = c;
    setCursorTick((t) => t + 1);
  };
  const keyAt = (i: number) => {
    const it = items[i];
    return it?.kind === 'row' ? rowKey(it.row.namespace, it.row.name) : undefined;
  };
  const activeIndex = () => {
    const c = cursor.current;
    const i = c
      ? items.findIndex((it) => it.kind === 'row' && rowKey(it.row.namespace, it.row.name) === c.key)
      : -1;
    return i >= 0 ? i : items.findIndex((it) => it.kind === 'row');
  };
  const active = { row: activeIndex(), col: cursor.current?.col ?? 0 };

  // After every commit until the cell exists (a far jump renders it only once the scroll has landed).
  useLayoutEffect(() => {
    if (!focusPending.current) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-pos="${active.row}:${active.col}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusPending.current = false;
    }
  });

  const moveTo = (row: number, col: number) => {
    const key = keyAt(row);
    if (key === undefined) return;
    focusPending.current = true;
    setCursor({ key, col });
    virtualizer.scrollToIndex(row, { align: 'auto' });
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).closest('[data-pos]') === null) return;
    const row = activeIndex();
    if (row < 0) return;
    const to = moveCursor(items, { row, col: cursor.current?.col ?? 0 }, e.key, e.ctrlKey || e.metaKey);
    if (!to) return;
    e.preventDefault();
    moveTo(to.row, to.col);
  };

  const shownRows = rowCount(items);
  return (
    <section class="matrix-view" aria-labelledby="matrix-title">
      <h1 id="matrix-title" class="sr-only">
        Applications by environment
      </h1>
      <MatrixToolbar
        filter={filter}
        onFilter={props.onFilter}
        namespaces={[...state.namespaces.keys()].sort()}
        shown={shownRows}
        total={state.rows.size}
      />
      {!state.loaded && <p class="page-message">Waiting for the first snapshot…</p>}
      {state.loaded && items.length === 0 && (
        <p class="page-message">
          {state.namespaces.size === 0 && state.rows.size === 0
            ? 'No Depot applications in the namespaces you may read.'
            : 'No application matches.'}
        </p>
      )}
      <div
        ref={scrollRef}
        class="matrix-scroll"
        role="grid"
        aria-label="Applications by environment"
        aria-rowcount={items.length}
        aria-colcount={columns + 1}
        data-testid="matrix"
        data-rows={shownRows}
        onKeyDown={onKeyDown}
      >
        {sticky && (
          <NamespaceHeader
            item={sticky}
            class="mrow ns-row sticky-ns"
            style={{ gridTemplateColumns: gridColumns, minWidth: innerMinWidth }}
          />
        )}
        <div
          class="matrix-inner"
          style={{
            height: `${virtualizer.getTotalSize()}px`,
            minWidth: innerMinWidth,
          }}
        >
          {virtualItems.map((v) => {
            const item = items[v.index]!;
            const style = {
              transform: `translateY(${v.start}px)`,
              height: `${v.size}px`,
              gridTemplateColumns: gridColumns,
            };
            if (item.kind === 'namespace')
              return (
                <NamespaceHeader
                  key={v.key}
                  item={item}
                  class="mrow ns-row"
                  style={style}
                  rowIndex={v.index + 1}
                  testid={`ns-header-${item.namespace}`}
                />
              );
            const row = item.row;
            const tab = (col: number) => (active.row === v.index && active.col === col ? 0 : -1);
            return (
              <div
                key={v.key}
                role="row"
                aria-rowindex={v.index + 1}
                class="mrow app-row"
                style={style}
                data-testid={`row-${row.namespace}/${row.name}`}
              >
                <div role="rowheader" class="app-name">
                  <a
                    href={routeHash({ page: 'app', namespace: row.namespace, app: row.name })}
                    tabIndex={tab(0)}
                    data-pos={`${v.index}:0`}
                    onFocus={() => setCursor({ key: rowKey(row.namespace, row.name), col: 0 })}
                  >
                    {row.name}
                  </a>
                  {row.ready?.status === 'False' && (
                    <span class="not-ready" title={row.ready.message ?? row.ready.reason}>
                      not ready{row.ready.reason ? `: ${row.ready.reason}` : ''}
                    </span>
                  )}
                </div>
                {item.environments.map((env, i) => (
                  <Cell
                    key={env}
                    row={row}
                    env={env}
                    cell={row.cells[env]}
                    pos={`${v.index}:${i + 1}`}
                    tabIndex={tab(i + 1)}
                    onFocus={() => setCursor({ key: rowKey(row.namespace, row.name), col: i + 1 })}
                  />
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function Cell(props: {
  row: DashboardRow;
  env: string;
  cell: DashboardCell | undefined;
  pos: string;
  tabIndex: number;
  onFocus: () => void;
}) {
  const { row, env, cell } = props;
  const open = () =>
    (location.hash = routeHash({ page: 'why', namespace: row.namespace, app: row.name, environment: env }));
  const drift = cell?.deployed.some((d) => d.drift) ?? false;
  return (
    <div
      role="gridcell"
      class={`cell${drift ? ' drifted' : ''}`}
      tabIndex={props.tabIndex}
      data-pos={props.pos}
      data-testid={`cell-${row.namespace}/${row.name}/${env}`}
      data-desired={cell?.desired}
      data-chip={cell?.chip?.kind}
      data-drift={drift ? 'true' : undefined}
      aria-label={cell ? undefined : `${row.name} has no ${env} environment`}
      onFocus={props.onFocus}
      onClick={open}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      }}
    >
      {cell && (
        <>
          <div class="desired">
            <span class="sr-only">{env}: desired </span>
            <span data-testid="cell-desired">{cell.desired ?? '—'}</span>
            {cell.requested && cell.requested !== cell.desired && (
              <span class="requested" title={`requested ${cell.requested}`}>
                {' '}
                → {cell.requested}
              </span>
            )}
          </div>
          {cell.deployed.map((d) => (
            <div
              key={d.target}
              class={`target${d.drift ? ' drift' : ''}`}
              data-testid={`cell-deployed-${d.target}`}
              data-drift={d.drift ? 'true' : 'false'}
              title={[d.object, d.state, d.message].filter(Boolean).join(' · ')}
            >
              <span class="tname">{d.target}</span> {d.version ?? '—'}
              {d.drift && (
                <span class="drift-mark" aria-label="drift: differs from desired">
                  {' '}
                  ≠
                </span>
              )}
              {d.state && d.state !== 'Delivered' && <span class="tstate"> {d.state}</span>}
            </div>
          ))}
          {cell.chip && (
            // The state and, on the same line as far as it fits, why (all of it in the tooltip and the why panel).
            <div class="chip-line" data-testid="cell-chip" data-kind={cell.chip.kind} title={cell.chip.text}>
              <span class={`chip chip-${cell.chip.kind}`}>
                {DASHBOARD_CHIP_LABELS[cell.chip.kind]}
                {cell.chip.until && <> until {shortTime(cell.chip.until)}</>}
              </span>{' '}
              <span class="chip-text">{cell.chip.text}</span>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function MatrixToolbar(props: {
  filter: MatrixFilter;
  onFilter: (f: MatrixFilter) => void;
  namespaces: string[];
  shown: number;
  total: number;
}) {
  const { filter, onFilter } = props;
  return (
    <div class="toolbar" role="search">
      <label class="inline">
        <span>Search</span>
        <input
          type="search"
          data-testid="matrix-search"
          placeholder="name, version, label=value"
          value={filter.text}
          onInput={(e) => onFilter({ ...filter, text: e.currentTarget.value })}
        />
      </label>
      <Choice
        label="State"
        testid="matrix-state-filter"
        value={filter.state}
        options={STATE_FILTERS}
        onChange={(state) => onFilter({ ...filter, state: state as MatrixFilter['state'] })}
      />
      <Choice
        label="Namespace"
        testid="matrix-namespace-filter"
        value={filter.namespace}
        empty="all"
        options={props.namespaces}
        onChange={(namespace) => onFilter({ ...filter, namespace })}
      />
      <span class="muted" role="status" aria-live="polite">
        {props.shown === props.total
          ? `${props.total} applications`
          : `${props.shown} of ${props.total} applications`}
      </span>
    </div>
  );
}

function NamespaceHeader(props: {
  item: Extract<MatrixItem, { kind: 'namespace' }>;
  class: string;
  style: Record<string, string>;
  /** Absent on the sticky copy, which is hidden from assistive technology (the real header row is in the grid). */
  rowIndex?: number;
  testid?: string;
}) {
  const { item } = props;
  const copy = props.rowIndex === undefined;
  return (
    <div
      role={copy ? undefined : 'row'}
      aria-hidden={copy ? 'true' : undefined}
      aria-rowindex={props.rowIndex}
      class={props.class}
      style={props.style}
      data-testid={props.testid}
    >
      <div role={copy ? undefined : 'columnheader'} class="ns-name">
        <span>{item.namespace}</span>
        <span class="muted">
          {item.shown === item.total ? `${item.total}` : `${item.shown} of ${item.total}`} applications
        </span>
      </div>
      {item.environments.map((env) => (
        <div role={copy ? undefined : 'columnheader'} class="env-name" key={env}>
          {env}
        </div>
      ))}
    </div>
  );
}
