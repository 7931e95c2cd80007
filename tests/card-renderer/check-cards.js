// Parses bound Adaptive Cards with the official library (the npm package `adaptivecards`) and fails on what
// a host would not show: parse or validation errors, and element or action types the library does not know
// that carry no fallback (a host drops those silently, so their numbers would be lost).
// Usage: node check-cards.js <folder of bound cards, one *.json each>
"use strict";
const fs = require("fs");
const path = require("path");
const AC = require("adaptivecards/dist/adaptivecards.js");

const folder = process.argv[2];
if (!folder) {
  console.error("usage: node check-cards.js <folder>");
  process.exit(2);
}

const problems = [];

// Walks the card's JSON: the library replaces an unknown element by its fallback, so one without a fallback
// is the case to catch (a fallback of "drop" drops it on purpose, which is allowed).
// Only places that hold elements or actions are judged (a Column or a chart's data point is part of its parent).
const holders = new Set(["body", "items", "actions", "fallback", "selectAction"]);

function walk(node, where, file, key) {
  if (Array.isArray(node)) {
    node.forEach((n, i) => walk(n, `${where}[${i}]`, file, key));
    return;
  }
  if (node === null || typeof node !== "object") return;
  if (holders.has(key) && typeof node.type === "string" && node.type !== "AdaptiveCard") {
    const known = node.type.startsWith("Action.")
      ? AC.GlobalRegistry.actions.findByName(node.type)
      : AC.GlobalRegistry.elements.findByName(node.type);
    if (!known && node.fallback === undefined)
      problems.push(`${file}: ${where} is a ${node.type}, which the renderer does not know, and has no fallback`);
  }
  for (const [k, value] of Object.entries(node)) walk(value, `${where}.${k}`, file, k);
}

const files = fs.readdirSync(folder).filter(f => f.endsWith(".json")).sort();
if (files.length === 0) {
  console.error(`no cards in ${folder}`);
  process.exit(2);
}
for (const file of files) {
  let json;
  try {
    json = JSON.parse(fs.readFileSync(path.join(folder, file), "utf8"));
  } catch (e) {
    problems.push(`${file}: not JSON: ${e.message}`);
    continue;
  }
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    // Unknown types are judged by walk() (fallback or not); everything else the parser reports is an error.
    if (e.event !== AC.ValidationEvent.UnknownElementType && e.event !== AC.ValidationEvent.UnknownActionType)
      problems.push(`${file}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents)
    problems.push(`${file}: ${e.message}`);
  walk(json.body, "body", file, "body");
  walk(json.actions, "actions", file, "actions");
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${files.length} cards parsed and validated`);
