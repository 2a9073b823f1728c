// Prints vitest's JSON report: the slowest test files (CI's time limit is the suite's to keep),
// then the plain closing line "N passed, N failed, N skipped".
import fs from "node:fs";
import path from "node:path";

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.log("0 passed, 1 failed");
  console.error(`summary: no test report at ${file}`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(file, "utf8"));
const files = (report.testResults ?? [])
  .map((r) => ({ name: path.relative(process.cwd(), r.name), seconds: (r.endTime - r.startTime) / 1000 }))
  .sort((a, b) => b.seconds - a.seconds);
const total = files.reduce((sum, f) => sum + f.seconds, 0);
console.log(`Slowest of ${files.length} test files (${Math.round(total)} s in all, across the workers):`);
for (const f of files.slice(0, 15)) console.log(`${f.seconds.toFixed(1).padStart(7)} s  ${f.name}`);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) process.exit(1);
