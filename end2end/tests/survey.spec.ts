// The citizen's path: scan → answer → thanks → the unit's count grows. Runs with and without
// JavaScript (see playwright.config.ts).
import { expect, test } from "@playwright/test";
import { answer, counters, ready, responsesShown } from "./helpers";

test("a citizen answers the survey on a phone and the unit's count grows", async ({ page, request, javaScriptEnabled }) => {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  const [counter] = await counters(request);
  const before = await responsesShown(page, counter.agency);

  await page.goto(`/s/${counter.code}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đánh giá mức độ hài lòng");
  await expect(page.getByText(counter.name)).toBeVisible();
  await answer(page, "A1", "Rất hài lòng");
  await answer(page, "C1", "Hài lòng");
  await answer(page, "D1", "Không hài lòng");
  await answer(page, "E1", "Không ý kiến");
  if (javaScriptEnabled) {
    await expect(page.getByText("Đã trả lời 3/16 câu.")).toBeVisible();
  }
  await page.getByLabel("Góp ý thêm (không bắt buộc)").fill("Cán bộ nhiệt tình.");
  await page.getByRole("button", { name: "Gửi đánh giá" }).click();

  await expect(page).toHaveURL(new RegExp(`/s/${counter.code}/cam-on$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cảm ơn ông/bà!");
  expect(await responsesShown(page, counter.agency)).toBe(before + 1);
  expect(problems, "browser console errors").toEqual([]);
});

test("sending nothing is refused with a clear message and stores nothing", async ({ page, request, javaScriptEnabled }) => {
  const [counter] = await counters(request);
  const before = await responsesShown(page, counter.agency);
  await page.goto(`/s/${counter.code}`);
  await ready(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Gửi đánh giá" }).click();
  if (javaScriptEnabled) {
    // Caught in the browser before anything is sent.
    await expect(page.getByRole("alert")).toContainText("Xin chọn ít nhất 1 câu trả lời");
    await expect(page).toHaveURL(new RegExp(`/s/${counter.code}$`));
  } else {
    // Caught by the server, which shows the form again with the problem marked.
    await expect(page.getByRole("alert")).toContainText("Phiếu chưa gửi được");
    await expect(page.getByText("Xin trả lời ít nhất 1 câu.").first()).toBeVisible();
  }
  expect(await responsesShown(page, counter.agency)).toBe(before);
});

test("the survey switches to English and stays in English", async ({ page, request, javaScriptEnabled }) => {
  const [counter] = await counters(request);
  await page.goto(`/s/${counter.code}`);
  await page.getByRole("link", { name: "Switch to English" }).click();
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("How satisfied are you?");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.goto(`/s/${counter.code}`);
  await expect(page.getByRole("button", { name: "Send my rating" })).toBeVisible();
  await page.getByRole("link", { name: "Chuyển sang tiếng Việt" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Đánh giá mức độ hài lòng");
});

test("touch targets are at least 44 px and nothing overflows at 200% zoom", async ({ page, request }) => {
  const [counter] = await counters(request);
  await page.goto(`/s/${counter.code}`);
  const targets = page.locator("label.opt, button[type=submit], select, textarea");
  const count = await targets.count();
  expect(count).toBeGreaterThan(16 * 6);
  const viewport = page.viewportSize()!;
  for (let i = 0; i < count; i++) {
    const box = await targets.nth(i).boundingBox();
    expect(box!.height, `target ${i}`).toBeGreaterThanOrEqual(44);
    expect(box!.width, `target ${i}`).toBeGreaterThanOrEqual(44);
    // On screen, not pushed aside.
    expect(box!.x, `target ${i}`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `target ${i}`).toBeLessThanOrEqual(viewport.width + 1);
  }
  // 200% zoom on this phone is the same layout as a viewport half as wide.
  const { width, height } = page.viewportSize()!;
  await page.setViewportSize({ width: Math.floor(width / 2), height });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("an unknown counter shows a friendly page", async ({ page }) => {
  const res = await page.goto("/s/zzzzzzzzzz");
  expect(res!.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Không tìm thấy quầy");
  await expect(page.getByRole("link", { name: "Về trang chủ" })).toBeVisible();
});
