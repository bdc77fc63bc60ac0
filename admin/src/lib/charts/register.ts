/**
 * Registers only the Chart.js parts the analytics page draws (bars and lines), which keeps the
 * library well under its full size; and sets colours that read in light and dark mode.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

let registered = false;

export function registerCharts(): typeof Chart {
  if (!registered) {
    Chart.register(
      BarController,
      BarElement,
      CategoryScale,
      LinearScale,
      LineController,
      LineElement,
      PointElement,
      Tooltip,
      Legend,
      Filler,
    );
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    Chart.defaults.color = dark ? '#9ca3af' : '#6b7280';
    Chart.defaults.borderColor = dark ? '#2a2d34' : '#eef0f3';
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 11;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.animation = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 10;
    registered = true;
  }
  return Chart;
}

/** A palette that tells groups and agents apart. */
export const PALETTE = [
  '#6366f1',
  '#14b8a6',
  '#f59e0b',
  '#ec4899',
  '#0ea5e9',
  '#84cc16',
  '#a855f7',
  '#ef4444',
];
