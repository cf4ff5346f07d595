/**
 * What a console browser test file shares: a Canon of its own, one Chromium, signed-in sessions
 * that are watched (script errors, CSP refusals, every URL requested), axe-core per screen, and
 * the closing checks over all of them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import {
  ensureConsoleBuilt,
  launchBrowser,
  newSession,
  type PageWatch,
  screenshot,
  seriousViolations,
  signIn,
} from './browser.ts';

export interface ConsoleFixture {
  t: TestApp;
  browser: Browser;
  /** Two stewards: Ana proposes, Ben decides (four eyes). */
  stewardA: string;
  stewardB: string;
  /** A query as a token, answering its data. */
  gqlAs(token: string, query: string, variables?: Record<string, unknown>): Promise<any>;
  /** A new browser context signed in with the token (remembered for the token-leak check). */
  session(token: string): ReturnType<typeof newSession>;
  /** axe-core on the screen as it is now (and its screenshot when SCREENSHOT_DIR is set). */
  audit(page: Page, screen: string): Promise<void>;
  /** Tokens that must never appear in a requested URL. */
  tokens: string[];
  watches: PageWatch[];
  /** Every audited screen free of serious or critical violations, script errors, CSP refusals and token leaks. */
  expectClean(screens: string[]): void;
  close(): Promise<void>;
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  ensureConsoleBuilt();
  const t = await startTestApp();
  const browser = await launchBrowser();
  const watches: PageWatch[] = [];
  const tokens: string[] = [t.adminToken];
  const a11y: Record<string, string[]> = {};
  const stewardA = await t.tokenFor('steward', { actorName: 'Ana Steward' });
  const stewardB = await t.tokenFor('steward', { actorName: 'Ben Steward' });
  tokens.push(stewardA, stewardB);
  return {
    t,
    browser,
    stewardA,
    stewardB,
    gqlAs: async (token, query, variables = {}) => (await t.gql(query, variables, token)).data,
    tokens,
    watches,
    async session(token) {
      const s = await newSession(browser, t.url);
      watches.push(s.watch);
      tokens.push(token);
      await signIn(s.page, token);
      return s;
    },
    async audit(page, screen) {
      await page.waitForLoadState('networkidle').catch(() => {});
      a11y[screen] = await seriousViolations(page);
      await screenshot(page, screen);
    },
    expectClean(screens) {
      expect(Object.keys(a11y).sort()).toEqual([...screens].sort());
      const failing = Object.entries(a11y).filter(([, v]) => v.length > 0);
      if (failing.length > 0) console.error(JSON.stringify(failing, null, 1));
      expect(failing).toEqual([]);
      expect(watches.flatMap((w) => w.problems)).toEqual([]);
      // the token travels in a header only: never in an address the browser requested
      const urls = watches.flatMap((w) => w.requestUrls);
      expect(urls.length).toBeGreaterThan(0);
      for (const token of tokens) expect(urls.filter((u) => u.includes(token))).toEqual([]);
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/**
 * The fixture of a test file: started before its tests, closed after them. The object is filled
 * in when the file's tests start (use it inside tests and hooks, not at the top level).
 */
export function consoleFixture(): ConsoleFixture {
  const fixture = {} as ConsoleFixture;
  beforeAll(async () => {
    Object.assign(fixture, await startConsoleFixture());
  }, 180_000);
  afterAll(async () => {
    await fixture.close?.();
  });
  return fixture;
}
