import { EventEmitter } from 'node:events';
import { manualClock } from '@perfkit/primitives/testing';
import { describe, expect, it } from 'vitest';
import { createMonitor, type ElevenLabsEvents } from '../../src/index.js';

const AGENT = { operation: 'getAgent', route: '/v1/convai/agents/:agent_id', method: 'GET' } as const;

function emit<E extends keyof ElevenLabsEvents>(
  client: EventEmitter,
  event: E,
  payload: ElevenLabsEvents[E],
): void {
  client.emit(event, payload);
}

describe('ElevenLabs watcher', () => {
  it('reports latency, retries and failures per endpoint, breaker state and concurrency', async () => {
    const clock = manualClock();
    const monitor = createMonitor({ processMetrics: false, accessLog: false, clock });
    const client = new EventEmitter();
    const stop = monitor.watchElevenLabs(client);
    emit(client, 'attempt', {
      ...AGENT,
      durationMs: 900,
      status: 429,
      errorCode: 'rate_limit_exceeded',
      outcome: 'retry',
    });
    emit(client, 'attempt', { ...AGENT, durationMs: 100, status: 200, outcome: 'success' });
    emit(client, 'attempt', { ...AGENT, durationMs: 5000, errorCode: 'timeout', outcome: 'failure' });
    emit(client, 'failure', { operation: AGENT.operation, route: AGENT.route, code: 'timeout' });
    emit(client, 'breaker', { state: 'open' });
    emit(client, 'concurrency', { limit: 4 });

    const exposition = await monitor.registry.metrics();
    for (const line of [
      'http_client_request_duration_seconds_count{server_address="elevenlabs",http_request_method="GET",url_template="/v1/convai/agents/:agent_id",http_response_status_code="429",error_type="rate_limit_exceeded",outcome="retry"} 1',
      'http_client_request_duration_seconds_count{server_address="elevenlabs",http_request_method="GET",url_template="/v1/convai/agents/:agent_id",http_response_status_code="200",error_type="",outcome="success"} 1',
      'http_client_operation_failures_total{server_address="elevenlabs",operation="getAgent",error_type="timeout"} 1',
      'http_client_circuit_breaker_state{server_address="elevenlabs",state="open"} 1',
      'http_client_circuit_breaker_state{server_address="elevenlabs",state="closed"} 0',
      'http_client_concurrency_limit{server_address="elevenlabs"} 4',
    ]) {
      expect(exposition).toContain(line);
    }
    const [endpoint] = monitor.snapshot().external;
    expect(endpoint).toMatchObject({ ...AGENT, server: 'elevenlabs', attempts: 3, retries: 1, failures: 1 });
    expect(endpoint?.window).toMatchObject({ count: 3, failedAttempts: 2 });
    expect(endpoint?.window.max).toBeCloseTo(5000, -2);
    stop();
    expect(client.eventNames()).toEqual([]);
  });

  it("sets the breaker and concurrency gauges from a source's current values when it is watched", async () => {
    const monitor = createMonitor({ processMetrics: false, accessLog: false });
    const client = Object.assign(new EventEmitter(), { breakerState: 'half_open' as const, concurrency: 8 });
    monitor.watchElevenLabs(client);
    const exposition = await monitor.registry.metrics();
    expect(exposition).toContain(
      'http_client_circuit_breaker_state{server_address="elevenlabs",state="half_open"} 1',
    );
    expect(exposition).toContain(
      'http_client_circuit_breaker_state{server_address="elevenlabs",state="closed"} 0',
    );
    expect(exposition).toContain('http_client_concurrency_limit{server_address="elevenlabs"} 8');
    await monitor.close();
  });
});
