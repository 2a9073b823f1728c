import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { dateFormatter } from "../../apps/web/src/i18n/format";

/** A date as <input type="datetime-local"> takes it (local time, to the minute): the SPA's own. */
export { localInputValue as localInput } from "../../apps/web/src/lib/time-presets";

/** Dates as the app shows them to the agents: in Japanese, in their zone (the users' default). */
export const agentDates = dateFormatter("ja", "Asia/Tokyo");

export const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's Chromium, headless, driven by playwright-core (no downloaded browser). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: apt-get install chromium (see .ci/run)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    timeout: 30_000,
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false, timeout: 10_000 });
}

export async function login(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`, { timeout: 20_000 });
  await page.locator('input[name="email"]').fill(email, { timeout: 10_000 });
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await page.getByTestId("inbox-card").first().waitFor({ timeout: 15_000 });
}

/** Widest thing on the page: must not exceed the viewport (no horizontal scroll). */
export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate("document.scrollingElement.scrollWidth") as Promise<number>;
}
