// A namespace's Promotions: the environment graph (from → to, with the next
// run), summary counts, and the items waiting for approval with their button.
import type { DashboardPromotion } from '../lib/contract.js';
import type { DashboardState } from '../lib/store.js';
import { useState } from 'preact/hooks';
import { ActionGroup, approveAction, OutcomeLine, type Outcome } from './Actions.js';
import { ArrowMarker, TableHead } from './controls.js';
import { shortTime } from '../lib/time.js';

const NODE_W = 120;
const NODE_H = 36;
const GAP = 90;

export function Promotions(props: { namespace: string; state: DashboardState }) {
  // Above the list: an approval that promotes removes its own item.
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const ns = props.state.namespaces.get(props.namespace);
  if (!ns)
    return (
      <section class="page" data-testid="promotions-page">
        <h1>Promotions in {props.namespace}</h1>
        <p>{props.state.loaded ? 'No such namespace on the stream (or you cannot read it).' : 'Loading…'}</p>
      </section>
    );
  const promotions = ns.promotions;
  const envs = [...ns.environments];
  for (const p of promotions) for (const e of [p.from, p.to]) if (!envs.includes(e)) envs.push(e);
  const waiting = promotions.flatMap((p) => p.approvals.map((a) => ({ promotion: p, ...a })));
  return (
    <section class="page" data-testid="promotions-page" aria-labelledby="promo-title">
      <h1 id="promo-title">Promotions in {props.namespace}</h1>
      <PromotionGraph envs={envs} promotions={promotions} />
      <table class="table">
        <TableHead columns={['Promotion', 'From → to', 'Next run', 'Waiting', 'Promoted', 'Blocked']} />
        <tbody>
          {promotions.map((p) => (
            <tr key={p.name} data-testid={`promotion-${p.name}`} data-from={p.from} data-to={p.to}>
              <th scope="row">{p.name}</th>
              <td>
                {p.from} → {p.to}
              </td>
              <td>{p.nextRun ? <time dateTime={p.nextRun}>{shortTime(p.nextRun)}</time> : 'on change'}</td>
              <td>{p.waiting}</td>
              <td>{p.promoted}</td>
              <td>{p.blocked}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Waiting for approval</h2>
      <OutcomeLine outcome={outcome} />
      {waiting.length === 0 ? (
        <p class="muted">Nothing waits for an approval.</p>
      ) : (
        <ul class="approvals">
          {waiting.map((w) => (
            <li
              key={`${w.promotion.name}/${w.application}`}
              data-testid={`approval-${w.promotion.name}/${w.application}`}
            >
              <span>
                <strong>{w.application}</strong> {w.version} into {w.promotion.to} ({w.promotion.name})
              </span>
              <ActionGroup
                namespace={props.namespace}
                app={w.application}
                promotion={w.promotion.name}
                label={`Approve ${w.application} ${w.version}`}
                specs={[approveAction(props.namespace, w.promotion.name, w.application, w.version)]}
                onOutcome={setOutcome}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function PromotionGraph(props: { envs: string[]; promotions: DashboardPromotion[] }) {
  const x = (env: string) => 16 + props.envs.indexOf(env) * (NODE_W + GAP);
  const width = 32 + props.envs.length * (NODE_W + GAP) - GAP;
  const y = 70;
  const height = y + NODE_H + 60;
  return (
    <svg
      class="graph"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Environments ${props.envs.join(', ')} with ${props.promotions.length} Promotions`}
      data-testid="promotion-graph"
    >
      <ArrowMarker id="arrow" />
      {props.promotions.map((p) => {
        const x1 = x(p.from) + NODE_W;
        const x2 = x(p.to);
        const forward = x2 > x1;
        const adjacent = forward && x2 - x1 === GAP;
        const label = `${p.name}${p.nextRun ? ` · next ${shortTime(p.nextRun)}` : ''}`;
        if (adjacent)
          return (
            <g key={p.name}>
              <line
                x1={x1}
                y1={y + NODE_H / 2}
                x2={x2}
                y2={y + NODE_H / 2}
                class="edge"
                marker-end="url(#arrow)"
              />
              <text x={(x1 + x2) / 2} y={y + NODE_H / 2 - 8} class="edge-label" text-anchor="middle">
                {p.waiting > 0 ? `${p.waiting} waiting` : ''}
              </text>
              <title>{label}</title>
            </g>
          );
        // Not neighbours: an arc above the row (below for backward edges).
        const sx = x(p.from) + NODE_W / 2;
        const ex = x(p.to) + NODE_W / 2;
        const up = forward;
        const sy = up ? y : y + NODE_H;
        const cy = up ? y - 55 : y + NODE_H + 55;
        return (
          <g key={p.name}>
            <path
              d={`M ${sx} ${sy} Q ${(sx + ex) / 2} ${cy} ${ex} ${sy}`}
              class="edge"
              fill="none"
              marker-end="url(#arrow)"
            />
            <title>{label}</title>
          </g>
        );
      })}
      {props.envs.map((e) => (
        <g key={e}>
          <rect x={x(e)} y={y} width={NODE_W} height={NODE_H} rx="6" class="node" />
          <text x={x(e) + NODE_W / 2} y={y + NODE_H / 2 + 5} text-anchor="middle" class="node-label">
            {e}
          </text>
        </g>
      ))}
    </svg>
  );
}
