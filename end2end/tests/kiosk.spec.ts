// Kiosk mode: the tablet at the counter. Runs with and without JavaScript; each test uses its
// own counter, because the server ignores presses at one counter closer than 5 seconds apart.
import { expect, Page, test, TestInfo } from "@playwright/test";
import { counters, ready, enrolTablet } from "./helpers";

/** A counter of the demo data that no other kiosk test of this run uses. */
async function counterFor(request: any, info: TestInfo, slot: number) {
  const all = await counters(request);
  const index = (info.project.name === "no-js" ? 4 : 0) + slot;
  expect(all.length).toBeGreaterThan(index);
  return all[index];
}

/** The answer of the server to the next rating the tablet sends. */
function nextRating(page: Page, code: string) {
  return page.waitForResponse((r) => r.url().endsWith(`/api/v1/kiosk/${code}`) && r.request().method() === "POST");
}

test("a satisfied citizen presses a face and is thanked", async ({ page, request, javaScriptEnabled }, info) => {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  const counter = await counterFor(request, info, 0);
  await enrolTablet(page, counter.code);
  await page.goto(`/k/${counter.code}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // The tablet shows the unit and the counter, never who is serving.
  await expect(page.getByText(counter.name)).toBeVisible();
  await expect(page.locator("header.site")).toHaveCount(0);
  const very = page.getByRole("button", { name: "Rất hài lòng" });
  const box = (await very.boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(88);

  if (javaScriptEnabled) {
    const sent = nextRating(page, counter.code);
    await very.click();
    await expect(page.getByRole("status").filter({ hasText: "Cảm ơn ông/bà đã đánh giá!" })).toBeVisible();
    const res = await sent;
    expect(res.status()).toBe(201);
    // Pressing again while the thanks show sends nothing: the face buttons are hidden.
    await expect(very).toBeHidden();
    // Then the question comes back by itself for the next citizen.
    await expect(very).toBeVisible({ timeout: 10_000 });
  } else {
    await very.click();
    await expect(page.getByRole("status")).toHaveText("Cảm ơn ông/bà đã đánh giá!");
  }
  expect(problems).toEqual([]);
});

test("a low rating asks why, and the reason is kept", async ({ page, request, javaScriptEnabled }, info) => {
  const counter = await counterFor(request, info, 1);
  await enrolTablet(page, counter.code);
  await page.goto(`/k/${counter.code}`);
  await ready(page, javaScriptEnabled);
  if (javaScriptEnabled) {
    await page.getByRole("button", { name: "Không hài lòng", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Ông/bà chưa hài lòng về điều gì?" })).toBeVisible();
    const sent = nextRating(page, counter.code);
    await page.getByRole("button", { name: "Phải chờ lâu" }).click();
    const res = await sent;
    expect(res.status()).toBe(201);
    expect(res.request().postDataJSON()).toMatchObject({ rating: 1, reason: "wait" });
    await expect(page.getByText("Cảm ơn ông/bà đã đánh giá!")).toBeVisible();
  } else {
    await page.getByRole("button", { name: "Không hài lòng", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Ông/bà chưa hài lòng về điều gì?" })).toBeVisible();
    await page.getByRole("button", { name: "Phải chờ lâu" }).click();
    await expect(page.getByRole("status")).toHaveText("Cảm ơn ông/bà đã đánh giá!");
  }
});
