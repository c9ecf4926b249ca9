// Browser tests run in Debian's Chromium (never a downloaded browser), at a phone's size,
// twice: with JavaScript (islands hydrated) and without it (plain HTML forms).
import { defineConfig, devices } from "@playwright/test";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const phone = devices["Pixel 5"];

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    ...phone,
    baseURL: process.env.BASE_URL || "http://127.0.0.1:3000",
    actionTimeout: 10_000,
    trace: "off",
    browserName: "chromium",
    locale: "vi-VN",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "with-js", use: { javaScriptEnabled: true } },
    { name: "no-js", use: { javaScriptEnabled: false }, testIgnore: /.*\.js-only\.spec\.ts/ },
  ],
});
