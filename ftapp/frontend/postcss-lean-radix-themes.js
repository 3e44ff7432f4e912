// A PostCSS plugin (written into .web by ftapp/frontend/lean_css.py): drops the Radix Themes
// rules the app can never use, so the browser parses and matches only the rest (Radix's
// stylesheet holds every component, each responsive class at five breakpoints: 700 KB).
//
// - Components: which ones are used is read from the compiled app (its imports from
//   "@radix-ui/themes"); which classes each one can put on the page, from Radix's own
//   modules (every "rt-Name" class they and the modules they import mention).
// - Breakpoints: Radix writes a breakpoint's classes ("md:rt-r-gap-4") only for a responsive
//   prop that names it ({initial: ..., md: ...}); which ones the app names is read from the
//   compiled app too.
// A rule is dropped only when one of its selectors names a component class (rt- and a
// capital) that no used component can produce, or a breakpoint no prop names; anything it
// cannot work out leaves the stylesheet whole.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
const APP_SOURCES = ["app", "app_components", "components", "utils"];
const RADIX_ESM = join(WEB_DIR, "node_modules", "@radix-ui", "themes", "dist", "esm");
const COMPONENT_CLASS = /rt-[A-Z][A-Za-z]*/g;
const IMPORT_FROM_RADIX = /import\s*\{([^}]*)\}\s*from\s*["']@radix-ui\/themes["']/g;
const BREAKPOINT_KEY = /\[\s*"(xs|sm|md|lg|xl)"\s*\]\s*:/g; // compiled {["md"]: ...}
const BREAKPOINT_CLASS = /\.(xs|sm|md|lg|xl)\\:/g; // the selector .md\:rt-r-gap-4

function* sourceFiles(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(jsx?|tsx?)$/.test(entry.name)) yield path;
  }
}

/** What the compiled app uses of Radix Themes: its components (e.g. "Flex", "Select") and
 * the breakpoints its responsive props name (e.g. "sm", "md"). */
function usedByApp() {
  const components = new Set();
  const breakpoints = new Set();
  for (const dir of APP_SOURCES) {
    for (const file of sourceFiles(join(WEB_DIR, dir))) {
      const code = readFileSync(file, "utf8");
      for (const [, list] of code.matchAll(IMPORT_FROM_RADIX)) {
        for (const item of list.split(",")) {
          const name = item.trim().split(/\s+as\s+/)[0];
          if (name) components.add(name);
        }
      }
      for (const [, breakpoint] of code.matchAll(BREAKPOINT_KEY)) breakpoints.add(breakpoint);
    }
  }
  return { components, breakpoints };
}

/** Radix's public component names -> the module that defines each (from its index). */
function componentModules() {
  const index = readFileSync(join(RADIX_ESM, "components", "index.js"), "utf8");
  const localToFile = new Map();
  for (const [, names, file] of index.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(\.\/[^"]+)"/g)) {
    for (const item of names.split(",")) {
      const [, local] = item.trim().split(/\s+as\s+/);
      if (local) localToFile.set(local, file);
    }
  }
  for (const [, local, file] of index.matchAll(/import\s*\*\s*as\s+(\w+)\s+from\s*"(\.\/[^"]+)"/g)) {
    localToFile.set(local, file);
  }
  const modules = new Map();
  const exported = index.match(/export\s*\{([^}]*)\}/);
  for (const item of exported ? exported[1].split(",") : []) {
    const [local, name] = item.trim().split(/\s+as\s+/);
    const file = localToFile.get(local);
    if (name && file) modules.set(name, join(RADIX_ESM, "components", file));
  }
  return modules;
}

/** Every component class that ``entry`` and the Radix modules it imports can render. */
function classesOf(entry, seen, classes) {
  if (seen.has(entry) || !existsSync(entry)) return;
  seen.add(entry);
  const code = readFileSync(entry, "utf8");
  for (const [name] of code.matchAll(COMPONENT_CLASS)) classes.add(name);
  for (const [, relative] of code.matchAll(/from\s*"(\.{1,2}\/[^"]+\.js)"/g)) {
    classesOf(resolve(dirname(entry), relative), seen, classes);
  }
}

/** The component classes the app can render and the breakpoints it names, or null when that
 * cannot be worked out. */
function whatTheAppUses() {
  if (!existsSync(RADIX_ESM)) return null;
  const { components, breakpoints } = usedByApp();
  if (components.size === 0) return null;
  const modules = componentModules();
  const classes = new Set();
  const seen = new Set();
  for (const name of components) {
    const module = modules.get(name);
    if (!module) return null; // a component this plugin does not know: trim nothing
    classesOf(module, seen, classes);
  }
  return { classes, breakpoints };
}

function isUsable(selector, { classes, breakpoints }) {
  for (const [name] of selector.matchAll(COMPONENT_CLASS)) {
    if (!classes.has(name)) return false;
  }
  for (const [, breakpoint] of selector.matchAll(BREAKPOINT_CLASS)) {
    if (!breakpoints.has(breakpoint)) return false;
  }
  return true;
}

const plugin = () => ({
  postcssPlugin: "ftapp-lean-radix-themes",
  Once(root) {
    const used = whatTheAppUses();
    if (used === null) return;
    root.walkRules((rule) => {
      if (!rule.selector.includes("rt-")) return;
      const kept = rule.selectors.filter((selector) => isUsable(selector, used));
      if (kept.length === 0) rule.remove();
      else if (kept.length < rule.selectors.length) rule.selectors = kept;
    });
    root.walkAtRules((atRule) => {
      if (atRule.nodes && atRule.nodes.length === 0) atRule.remove();
    });
  },
});
plugin.postcss = true;

export default plugin;
