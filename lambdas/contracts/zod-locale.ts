/**
 * The contracts use the tree-shakable `zod/mini` build (zod's classic build adds ~450 KB to a
 * Lambda bundle). This module gives it English error messages, which quarantine reasons quote.
 * Import it for its side effect, and import zod as `import * as z from "zod/mini"` so that esbuild
 * keeps only what the contracts use.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());
