import type { PlanNode } from './types.js';

/** A plan node with its ancestors (nearest first). */
export interface VisitedNode {
  node: PlanNode;
  ancestors: PlanNode[];
}

/**
 * Every node of a plan, depth first, each with its ancestors.
 *
 * @example
 * walkPlan(explain.Plan).filter(({ node }) => node['Node Type'] === 'Seq Scan')
 */
export function walkPlan(root: PlanNode): VisitedNode[] {
  const out: VisitedNode[] = [];
  const visit = (node: PlanNode, ancestors: PlanNode[]) => {
    out.push({ node, ancestors });
    for (const child of node.Plans ?? []) visit(child, [node, ...ancestors]);
  };
  visit(root, []);
  return out;
}

/** Rows a node produced over all its loops (EXPLAIN reports per-loop averages). */
export const totalRows = (node: PlanNode) => (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1);

/**
 * Whether EXPLAIN ANALYZE shows the node "(never executed)": the branch above
 * it produced no rows. A plan that was only estimated has no loops to tell.
 */
export const neverExecuted = (node: PlanNode) => node['Actual Loops'] === 0;
