import { runDrill } from './drill/run.ts';
import { formatReport } from './drill/verdict.ts';

// `npm run drill [-- --keep]`: the disaster-recovery drill of docs/operations/dr.md, one plain line per
// step, then the report. Exit code 0 when every check passed.

const keep = process.argv.includes('--keep');
const report = await runDrill({ log: (line) => process.stdout.write(`${line}\n`), keep });
process.stdout.write(`\n${formatReport(report)}\n`);
process.exitCode = report.ok ? 0 : 1;
