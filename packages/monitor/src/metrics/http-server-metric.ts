import { Histogram, type MetricType, type Registry } from 'prom-client';
import { type RouteSeries, type SeriesTable, STATUS_CLASSES } from '../http/route-series.js';

const NAME = 'http_server_request_duration_seconds';
const HELP = 'Duration of HTTP server requests by route template, method and status class.';

type Label = 'http_request_method' | 'http_route' | 'http_response_status_class' | 'le';
type Exported = Awaited<ReturnType<Histogram<Label>['get']>>;

// prom-client's typings declare a numeric enum, but the registry prints this
// field as the exposition format's type name.
const TYPE = 'histogram' as unknown as MetricType;

function seriesValues(series: RouteSeries, values: Exported['values']): void {
  series.byStatusClass.forEach((buckets, index) => {
    if (buckets === undefined) return;
    const labels = {
      http_request_method: series.method,
      http_route: series.route,
      http_response_status_class: STATUS_CLASSES[index] as string,
    };
    let cumulative = 0;
    buckets.bounds.forEach((bound, i) => {
      cumulative += buckets.counts[i] as number;
      values.push({ metricName: `${NAME}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
    });
    values.push({ metricName: `${NAME}_bucket`, labels: { ...labels, le: '+Inf' }, value: buckets.count });
    values.push({ metricName: `${NAME}_sum`, labels, value: buckets.sum });
    values.push({ metricName: `${NAME}_count`, labels, value: buckets.count });
  });
}

/**
 * `http_server_request_duration_seconds`, exported from the series table at
 * scrape time rather than observed through prom-client per request: the
 * request path then only bumps a counter (see `CumulativeBuckets`).
 */
export class HttpServerMetric extends Histogram<Label> {
  constructor(
    registry: Registry,
    private readonly table: SeriesTable,
  ) {
    super({
      name: NAME,
      help: HELP,
      labelNames: ['http_request_method', 'http_route', 'http_response_status_class'],
      registers: [registry],
    });
  }

  override async get(): Promise<Exported> {
    return this.export();
  }

  // The registry prefers this (untyped) method of prom-client's Histogram
  // over get() when formatting the text exposition.
  async getForPromString(): Promise<Exported> {
    return this.export();
  }

  private export(): Exported {
    const values: Exported['values'] = [];
    for (const series of this.table.all()) seriesValues(series, values);
    return { name: NAME, help: HELP, type: TYPE, aggregator: 'sum', values, collect: () => undefined };
  }
}
