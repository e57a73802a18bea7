// ECharts, with only the chart kinds the dashboard draws (tree-shaken
// through echarts/core), rendered as SVG so that charts print sharply.
import { BarChart, BoxplotChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

echarts.use([BarChart, BoxplotChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

const charts = new Set<echarts.ECharts>();

// A chart in a new element; disposed of when the next view is drawn.
export function chart(option: ChartOption, height = 260): HTMLElement {
  const el = document.createElement("div");
  el.className = "chart";
  el.style.height = `${height}px`;
  requestAnimationFrame(() => {
    const c = echarts.init(el, undefined, { renderer: "svg" });
    c.setOption({ animation: false, ...option });
    charts.add(c);
  });
  return el;
}

export function disposeCharts(): void {
  for (const c of charts) c.dispose();
  charts.clear();
}

window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
