import { fakeAgentConfig } from './agent-config.js';
import type { ValidationIssue } from './error-bodies.js';

/** An agent the list endpoint returns: an id, or an id with a name, tags or the archived flag. */
export type FakeAgentListing =
  | string
  | { agent_id: string; name?: string; tags?: string[]; archived?: boolean };

/** One item of `GET /v1/convai/agents`. */
export interface FakeAgentSummary {
  agent_id: string;
  name: string;
  tags: string[];
  created_at_unix_secs: number;
  archived: boolean;
}

/** The body of `GET /v1/convai/agents`. */
export interface FakeAgentListPage {
  agents: FakeAgentSummary[];
  next_cursor: string | null;
  has_more: boolean;
}

interface ListQuery {
  pageSize: number;
  offset: number;
  search: string | undefined;
}

/** ElevenLabs' default page size when `page_size` is absent. */
const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 100;

/** The summary the list serves for one listing, with the same name and tags as the agent's config. */
export function summarize(listing: FakeAgentListing): FakeAgentSummary {
  const entry = typeof listing === 'string' ? { agent_id: listing } : listing;
  const config = fakeAgentConfig(entry.agent_id, entry.name);
  return {
    agent_id: entry.agent_id,
    name: config.name,
    tags: entry.tags ?? config.tags,
    created_at_unix_secs: config.metadata.created_at_unix_secs,
    archived: entry.archived ?? false,
  };
}

/** Parses the list's query parameters, or returns the 422 issues. */
export function parseListQuery(params: URLSearchParams): ListQuery | ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const rawSize = params.get('page_size');
  const pageSize = rawSize === null ? DEFAULT_PAGE_SIZE : Number(rawSize);
  if (!Number.isInteger(pageSize)) {
    issues.push({
      loc: ['query', 'page_size'],
      msg: 'Input should be a valid integer',
      type: 'int_parsing',
      input: rawSize,
    });
  } else if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    const tooSmall = pageSize < 1;
    issues.push({
      loc: ['query', 'page_size'],
      msg: tooSmall
        ? 'Input should be greater than or equal to 1'
        : `Input should be less than or equal to ${MAX_PAGE_SIZE}`,
      type: tooSmall ? 'greater_than_equal' : 'less_than_equal',
      input: rawSize,
    });
  }
  const rawCursor = params.get('cursor');
  const offset = rawCursor ? decodeCursor(rawCursor) : 0;
  if (offset === undefined) {
    issues.push({ loc: ['query', 'cursor'], msg: 'Invalid cursor', type: 'value_error', input: rawCursor });
  }
  if (issues.length > 0 || offset === undefined) return issues;
  return { pageSize, offset, search: params.get('search') || undefined };
}

/** One page of `summaries` filtered by the query's search (case-insensitive, on the name). */
export function listPage(summaries: readonly FakeAgentSummary[], query: ListQuery): FakeAgentListPage {
  const needle = query.search?.toLowerCase();
  const matching = needle ? summaries.filter((s) => s.name.toLowerCase().includes(needle)) : summaries;
  const end = query.offset + query.pageSize;
  const hasMore = end < matching.length;
  return {
    agents: matching.slice(query.offset, end),
    next_cursor: hasMore ? encodeCursor(end) : null,
    has_more: hasMore,
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}
