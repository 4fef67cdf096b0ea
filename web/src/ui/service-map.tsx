/**
 * The caller → callee graph of the workloads seen, laid out by dagre (layered, callers left of
 * callees) and drawn as SVG: an edge's colour is its error rate (green none, red 10% and more), its
 * width its request rate.
 */
import { Graph, layout } from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import { type Edge, edgeLabel } from '../data/analysis.js';
import { endName } from '../data/entry-row.js';
import { percent, rate } from './format.js';

export interface MapEdge {
  readonly edge: Edge;
  readonly perSecond: number;
  readonly errorRate: number;
}

const nodeWidth = 150;
const nodeHeight = 40;

/** Green at 0%, through amber, to red at 10% errors and above. */
export function errorColour(errorRate: number): string {
  const hue = 120 * (1 - Math.min(1, errorRate / 0.1));
  return `hsl(${hue.toFixed(0)} 70% 40%)`;
}

export function ServiceMap({ edges }: { edges: readonly MapEdge[] }) {
  const drawn = useMemo(() => {
    const g = new Graph({ multigraph: false });
    g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 90, marginx: 10, marginy: 10 });
    g.setDefaultEdgeLabel(() => ({}));
    const names = new Map<string, { name: string; cluster: string }>();
    for (const { edge } of edges) {
      names.set(edge.sourceKey, { name: endName(edge.source, 'source'), cluster: edge.source.cluster ?? '' });
      names.set(edge.destinationKey, { name: endName(edge.destination), cluster: edge.destination.cluster ?? '' });
    }
    for (const key of names.keys()) g.setNode(key, { width: nodeWidth, height: nodeHeight });
    for (const e of edges) if (e.edge.sourceKey !== e.edge.destinationKey) g.setEdge(e.edge.sourceKey, e.edge.destinationKey);
    layout(g);
    const graph = g.graph();
    return {
      width: graph.width ?? 0,
      height: graph.height ?? 0,
      nodes: [...names].map(([key, n]) => ({ key, ...n, x: g.node(key).x, y: g.node(key).y })),
      edges: edges
        .filter((e) => g.hasEdge(e.edge.sourceKey, e.edge.destinationKey))
        .map((e) => ({ ...e, points: (g.edge(e.edge.sourceKey, e.edge.destinationKey).points ?? []) as Array<{ x: number; y: number }> })),
    };
  }, [edges]);

  if (edges.length === 0) return <p class="muted">No calls in this range.</p>;
  return (
    <svg class="service-map" viewBox={`0 0 ${drawn.width} ${drawn.height}`} width={drawn.width} height={drawn.height} role="img" aria-label="service map">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke" />
        </marker>
      </defs>
      {drawn.edges.map((e) => (
        <path
          key={e.edge.key}
          class="map-edge"
          data-edge={edgeLabel(e.edge)}
          data-error-rate={e.errorRate.toFixed(4)}
          d={e.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ')}
          stroke={errorColour(e.errorRate)}
          stroke-width={Math.min(6, 1 + Math.log2(1 + e.perSecond))}
          fill="none"
          marker-end="url(#arrow)"
        >
          <title>{`${edgeLabel(e.edge)}: ${rate(e.perSecond)}/s, ${percent(e.errorRate)} errors`}</title>
        </path>
      ))}
      {drawn.nodes.map((n) => (
        <g key={n.key} class="map-node" data-node={n.name} transform={`translate(${n.x - nodeWidth / 2} ${n.y - nodeHeight / 2})`}>
          <rect width={nodeWidth} height={nodeHeight} rx="6" />
          <text x={nodeWidth / 2} y="17" text-anchor="middle">
            {n.name}
          </text>
          <text x={nodeWidth / 2} y="32" text-anchor="middle" class="cluster">
            {n.cluster}
          </text>
        </g>
      ))}
    </svg>
  );
}
