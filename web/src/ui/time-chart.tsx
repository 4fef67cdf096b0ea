/**
 * A time-series line chart drawn by uPlot (canvas; fast with many points and series). The plot is
 * made once per set of series and fed new data in place; it takes the width of its box.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
}

/** Colours that stay apart on a light background; a series keeps its colour by position. */
export const palette = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#475569'];

export function TimeChart(props: { title: string; x: readonly number[]; series: readonly ChartSeries[]; unit: string; format?: (v: number) => string }) {
  const box = useRef<HTMLElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = props.series.map((s) => s.label).join('\n');
  const data = [props.x as number[], ...props.series.map((s) => s.values as Array<number | null>)] as uPlot.AlignedData;

  useEffect(() => {
    const el = box.current!;
    const format = props.format ?? ((v: number) => String(v));
    const made = new uPlot(
      {
        width: Math.max(el.clientWidth, 200),
        height: 180,
        title: props.title,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((t) => `${format(t)}${props.unit}`) }],
        series: [{}, ...props.series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], width: 1.5, spanGaps: false }))],
      },
      data,
      el,
    );
    plot.current = made;
    const resize = new ResizeObserver(() => made.setSize({ width: Math.max(el.clientWidth, 200), height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, [labels, props.title]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return <figure class="chart" ref={box} aria-label={props.title} />;
}
