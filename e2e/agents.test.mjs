// Several agents: orders and chats reach the person the shop's routing rule picks, by product
// category or evenly spread over shoppers, and the panel says who that is.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, demoPage, launch, pageCapturingWhatsApp, messageOf, waitFor, widgetReady } from "./harness.mjs";

let assets, shop, browser;

const SARA = "31611111111"; // home
const TOM = "31622222222"; // clothing
const MIA = "31633333333"; // anything else
const BEN = "31644444444"; // anything else

const withAgents = (config) => (html) =>
  html.replace(/<script type="application\/json" id="chatout-config">[\s\S]*?<\/script>/,
    `<script type="application/json" id="chatout-config">${JSON.stringify(config)}</script>`)
    .replace("</main>", `<a data-chatout-chat data-category="Clothing" data-message="Does the shirt run small?" href="#">Ask about fit</a></main>`);

const team = [
  { name: "Sara", phone: "+31 6 1111 1111", categories: ["home"] },
  { name: "Tom", phone: "06 2222 2222", categories: ["clothing"] },
  { name: "Mia", phone: "+31 6 3333 3333" },
  { name: "Ben", phone: "+31 6 4444 4444" },
];

before(async () => {
  assets = await serve();
  shop = await serve({
    "/index.html": await demoPage(assets.url),
    "/category.html": await demoPage(assets.url, withAgents({ payment_labels: { ideal: "iDEAL" }, agents: team })),
    "/turns.html": await demoPage(assets.url,
      withAgents({ payment_labels: { ideal: "iDEAL" }, agents: team, routing: "round_robin" })),
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  shop?.close();
  assets?.close();
});

async function open(path, { draw } = {}) {
  const session = await pageCapturingWhatsApp(browser);
  if (draw !== undefined) {
    await session.page.addInitScript((d) => localStorage.setItem("chatout.draw.v1", d), String(draw));
  }
  await session.page.goto(shop.url + path);
  await widgetReady(session.page);
  return session;
}

const add = (page, product) =>
  page.locator("article", { hasText: product }).getByRole("button", { name: /Add/ }).click();

async function send(page) {
  await page.getByRole("button", { name: "Checkout" }).click();
  await page.getByLabel("Your name").fill("Anna");
  await page.getByLabel("Pickup").check();
  await page.getByLabel("Bank transfer").check();
  await page.getByRole("button", { name: "Send order on WhatsApp" }).click();
}

const recipient = (url) => new URL(url).pathname.slice(1);

test("by category: the agent with most of the order's value gets it, and the panel says so", async () => {
  const { page, opened, context, consoleErrors } = await open("/category.html");
  const agentLine = page.locator(".chatout-agent");
  await add(page, "Soy candle"); // home 19.99
  await assert.doesNotReject(agentLine.filter({ hasText: "Your order goes to Sara" }).waitFor());
  await add(page, "Linen shirt"); // clothing 29.90 outweighs it
  await assert.doesNotReject(agentLine.filter({ hasText: "Your order goes to Tom" }).waitFor());
  await page.getByRole("button", { name: "One more: Soy candle" }).click(); // home 39.98 now
  await assert.doesNotReject(agentLine.filter({ hasText: "Your order goes to Sara" }).waitFor());

  await send(page);
  await waitFor(() => opened.length === 1);
  assert.equal(recipient(opened[0]), SARA);
  const lines = messageOf(opened[0]).split("\n");
  assert.match(lines[0], /^\*Order [2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4} — Zeegras Home\*$/);
  assert.ok(lines.includes("2 × Soy candle (Scent: Fig) — €39.98"), lines.join("\n"));
  assert.deepEqual(consoleErrors, []);
  await context.close();
});

test("by category: uncovered orders and plain chats go to the agents without categories", async () => {
  const { page, opened, context } = await open("/category.html", { draw: 1 });
  // A chat link about clothing goes to Tom; the empty-cart button to a generalist (Ben, draw 1).
  await page.getByRole("link", { name: "Ask about fit" }).click();
  await waitFor(() => opened.length === 1);
  assert.equal(recipient(opened[0]), TOM);
  assert.equal(messageOf(opened[0]), "Does the shirt run small?");
  await page.locator("#chatout-root .chatout-launcher").click();
  await waitFor(() => opened.length === 2);
  assert.equal(recipient(opened[1]), BEN);

  await add(page, "Olive oil"); // pantry: nobody's category
  await assert.doesNotReject(page.locator(".chatout-agent").filter({ hasText: "Your order goes to Ben" }).waitFor());
  await send(page);
  await waitFor(() => opened.length === 3);
  assert.equal(recipient(opened[2]), BEN);
  await context.close();
});

test("round robin: each shopper keeps one agent, and shoppers are spread over all of them", async () => {
  const seen = [];
  for (const draw of [0, 1, 2, 3]) {
    const { page, opened, context } = await open("/turns.html", { draw });
    await add(page, "Linen shirt"); // clothing, but round robin ignores categories
    await send(page);
    await waitFor(() => opened.length === 1);
    seen.push(recipient(opened[0]));
    await context.close();
  }
  assert.deepEqual(seen, [SARA, TOM, MIA, BEN]);

  // A new shopper gets a draw once; their chats and orders all go to the same agent.
  const { page, opened, context } = await open("/turns.html");
  assert.equal(await page.evaluate(() => localStorage.getItem("chatout.draw.v1")), null);
  await page.locator("#chatout-root .chatout-launcher").click();
  const draw = await page.evaluate(() => localStorage.getItem("chatout.draw.v1"));
  assert.match(draw ?? "", /^\d+$/, "the draw is kept");
  await page.reload();
  await widgetReady(page);
  await add(page, "Soy candle");
  await send(page);
  await waitFor(() => opened.length === 2);
  const expected = [SARA, TOM, MIA, BEN][Number(draw) % 4];
  assert.deepEqual(opened.map(recipient), [expected, expected]);
  await context.close();
});

test("without agents every order goes to the shop's number, and the panel names no one", async () => {
  const { page, opened, context } = await open("/index.html");
  await add(page, "Linen shirt");
  await page.getByRole("button", { name: "Checkout" }).waitFor();
  assert.equal(await page.locator(".chatout-agent").count(), 0);
  await send(page);
  await waitFor(() => opened.length === 1);
  assert.equal(recipient(opened[0]), "31612345678");
  await context.close();
});
