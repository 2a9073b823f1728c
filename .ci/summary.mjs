// Prints vitest's JSON report as the plain closing line "N passed, N failed, N skipped".
import fs from "node:fs";

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.log("0 passed, 1 failed");
  console.error(`summary: no test report at ${file}`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(file, "utf8"));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) process.exit(1);
