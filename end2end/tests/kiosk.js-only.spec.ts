// The tablet keeps ratings while the network is down and sends them when it is back.
import { expect, test } from "@playwright/test";
import { counters, ready, enrolTablet } from "./helpers";

test("ratings given offline wait on the tablet and are sent when the network returns", async ({ page, request, context }) => {
  const all = await counters(request);
  const counter = all[2];
  await enrolTablet(page, counter.code);
  await page.goto(`/k/${counter.code}`);
  await ready(page, true);

  await context.setOffline(true);
  await page.getByRole("button", { name: "Hài lòng", exact: true }).click();
  await expect(page.getByText("1 đánh giá đang chờ gửi khi có mạng.")).toBeVisible();
  // A reload while offline would lose nothing either: the queue is in the tablet's storage.
  const stored = await page.evaluate((code) => localStorage.getItem(`ydan-kiosk-queue-${code}`), counter.code);
  expect(stored).toContain("\t2\t");

  const sent = page.waitForResponse((r) => r.url().endsWith(`/api/v1/kiosk/${counter.code}`));
  await context.setOffline(false);
  const res = await sent;
  expect(res.status()).toBe(201);
  expect(res.request().headers()["idempotency-key"]).toBeTruthy();
  await expect(page.getByText("đang chờ gửi")).toBeHidden();
  const left = await page.evaluate((code) => localStorage.getItem(`ydan-kiosk-queue-${code}`), counter.code);
  expect(left ?? "").toBe("");
});

test("presses closer together than the minimum interval count once", async ({ page, request }) => {
  const all = await counters(request);
  const counter = all[3];
  await enrolTablet(page, counter.code);
  await page.goto(`/k/${counter.code}`);
  await ready(page, true);
  const posts: string[] = [];
  page.on("request", (r) => r.method() === "POST" && r.url().includes("/api/v1/kiosk/") && posts.push(r.url()));
  const face = page.getByRole("button", { name: "Rất hài lòng" });
  await face.click();
  await expect(page.getByText("Cảm ơn ông/bà đã đánh giá!")).toBeVisible();
  // A second press from a script or a stuck finger, straight on the form, is ignored.
  await page.evaluate(() => (document.querySelector("button.kiosk-option.v3") as HTMLButtonElement).click());
  await page.waitForTimeout(1500);
  expect(posts.length).toBe(1);
});
