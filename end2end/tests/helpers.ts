import { APIRequestContext, Page, expect, test } from "@playwright/test";

export type Counter = { code: string; name: string; agency: string };

/** Counters of the demo data, from the public API (their codes are printed on posters anyway). */
export async function counters(request: APIRequestContext): Promise<Counter[]> {
  const res = await request.get("/api/v1/agencies");
  expect(res.status()).toBe(200);
  const out: Counter[] = [];
  const walk = (units: any[]) => {
    for (const u of units) {
      for (const c of u.counters) out.push({ code: c.code, name: c.name, agency: u.code });
      walk(u.children);
    }
  };
  walk((await res.json()).agencies);
  expect(out.length).toBeGreaterThan(0);
  return out;
}

/** Number of responses behind a unit's index, as its dashboard page shows it. */
export async function responsesShown(page: Page, agency: string): Promise<number> {
  // All ratings, flagged or not: a test run at night gives "outside opening hours" flags.
  await page.goto(`/dashboard/${agency}?basis=all`);
  const text = await page.locator("section.headline").innerText();
  const match = text.match(/(?:Số phiếu|Responses): ([\d.,]+)/);
  expect(match, text).not.toBeNull();
  return Number(match![1].replace(/[.,]/g, ""));
}

/** On pages with islands, waits until the browser bundle has hydrated them. */
export async function ready(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) await page.locator("body[data-hydrated]").waitFor();
}

/** Picks an answer for the criterion whose code (e.g. "A1") starts its question. */
export async function answer(page: Page, criterion: string, label: string) {
  const question = page.getByRole("group", { name: new RegExp(`^${criterion} `) });
  await question.getByText(label, { exact: true }).click();
  await expect(question.getByRole("radio", { name: label, exact: true })).toBeChecked();
}

/** Demo staff accounts created by `ydan seed-demo` (demonstration data only). */
export const DEMO_PASSWORD = "ydan-demo-2026";

/** Signs in through the sign-in page, as staff would. */
export async function signIn(page: Page, login: string, next = "") {
  await page.goto(`/dang-nhap${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.getByLabel("Tên đăng nhập").fill(login);
  await page.getByLabel("Mật khẩu").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
}

/**
 * Enrols the tablet of `page` for a counter, as an agency administrator and the tablet would:
 * the administrator makes a one-time code at /quan-tri/may-tinh-bang (in a browser of their own),
 * and the kiosk page, which counts no press until then, takes the code.
 */
export async function enrolTablet(page: Page, counter: string) {
  const browser = page.context().browser()!;
  const admin = await browser.newPage({ baseURL: test.info().project.use.baseURL, locale: "vi-VN" });
  await signIn(admin, "qn.quantri", "/quan-tri/may-tinh-bang");
  await admin.goto("/quan-tri/may-tinh-bang");
  await admin.getByLabel("Quầy", { exact: true }).selectOption(counter);
  await admin.getByLabel(/Tên máy/).fill("Máy tính bảng thử");
  await admin.getByRole("button", { name: "Tạo mã đăng ký" }).click();
  const code = (await admin.locator("code.secret").innerText()).trim();
  await admin.close();
  await page.goto(`/k/${counter}`);
  await expect(page.getByRole("heading", { name: "Máy tính bảng này chưa được đăng ký cho quầy" })).toBeVisible();
  await page.getByLabel("Mã đăng ký").fill(code);
  await page.getByRole("button", { name: "Đăng ký máy này" }).click();
  await expect(page.getByRole("button", { name: "Rất hài lòng" })).toBeVisible();
}
