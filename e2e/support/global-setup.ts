import { pgliteTemplateFile } from "@madoguchi/db/template";
import { ensureWebBuilt } from "./web-build";

/**
 * Once per `npm test`, before any test file starts: what many files would otherwise each make
 * at the same moment. The web app's build (two browser test files rebuilding apps/web/dist at
 * once emptied it under each other), and the migrated PGlite template every embedded test
 * database starts from.
 */
export default async function setup(): Promise<void> {
  ensureWebBuilt();
  await pgliteTemplateFile();
}
