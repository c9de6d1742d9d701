// The compatibility graph of a namespace: an arrow from an application to each
// application it requires, labelled with the rules, laid out in layers.
import type { ApplicationView, CompatibilityRule } from '../lib/contract.js';
import { compatLayout, NODE_HEIGHT, NODE_WIDTH } from '../lib/compat-layout.js';
import { routeHash } from '../lib/routes.js';
import { nsPath } from '../net/api.js';
import { ArrowMarker } from './controls.js';
import { useApi } from './hooks.js';

type WithRules = ApplicationView & { compatibility?: CompatibilityRule[] };

export function CompatGraph(props: { namespace: string }) {
  const list = useApi<{ items: WithRules[] }>(nsPath(props.namespace, '/applications'));
  return (
    <section class="page" aria-labelledby="compat-title">
      <h1 id="compat-title">Compatibility in {props.namespace}</h1>
      {list.status === 'loading' && <p>Loading…</p>}
      {list.status === 'error' && (
        <p class="error" role="alert">
          {list.message}
        </p>
      )}
      {list.status === 'ok' && <Graph namespace={props.namespace} apps={list.value.items} />}
    </section>
  );
}

function Graph(props: { namespace: string; apps: WithRules[] }) {
  const withRules = props.apps.filter((a) => (a.compatibility ?? []).length > 0);
  const layout = compatLayout(withRules.map((a) => ({ name: a.name, rules: a.compatibility ?? [] })));
  if (layout.nodes.length === 0)
    return <p class="muted">No application in {props.namespace} has compatibility rules.</p>;
  const pos = new Map(layout.nodes.map((n) => [n.id, n]));
  return (
    <>
      <p class="muted">
        An arrow points from an application to one it requires; hover an arrow for its rules.
      </p>
      <div class="graph-scroll">
        <svg
          class="graph"
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="group"
          aria-label={`Compatibility rules between ${layout.nodes.length} applications`}
          data-testid="compat-graph"
        >
          <ArrowMarker id="carrow" />
          {layout.edges.map((e) => {
            const a = pos.get(e.from)!;
            const b = pos.get(e.to)!;
            const x1 = a.x;
            const y1 = a.y + NODE_HEIGHT / 2;
            const x2 = b.x + NODE_WIDTH;
            const y2 = b.y + NODE_HEIGHT / 2;
            const mx = (x1 + x2) / 2;
            return (
              <g key={`${e.from}/${e.to}`} data-testid={`compat-edge-${e.from}/${e.to}`}>
                <path
                  d={`M ${x1} ${y1} C ${mx} ${y1} ${mx} ${y2} ${x2} ${y2}`}
                  class="edge"
                  fill="none"
                  marker-end="url(#carrow)"
                />
                <title>{e.labels.join('\n')}</title>
              </g>
            );
          })}
          {layout.nodes.map((n) => (
            <a
              key={n.id}
              href={routeHash({ page: 'app', namespace: props.namespace, app: n.id })}
              data-testid={`compat-node-${n.id}`}
            >
              <rect x={n.x} y={n.y} width={NODE_WIDTH} height={NODE_HEIGHT} rx="6" class="node" />
              <text
                x={n.x + NODE_WIDTH / 2}
                y={n.y + NODE_HEIGHT / 2 + 5}
                text-anchor="middle"
                class="node-label"
              >
                {n.id}
              </text>
            </a>
          ))}
        </svg>
      </div>
      <h2>Rules</h2>
      <ul>
        {layout.edges.flatMap((e) =>
          e.labels.map((l) => (
            <li key={l}>
              <code>{l}</code>
            </li>
          )),
        )}
      </ul>
    </>
  );
}
