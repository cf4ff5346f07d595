import { expect, it } from 'vitest';

it('runs on the pinned Node 24 from node_modules', () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  expect(process.execPath).toContain('node_modules');
});
