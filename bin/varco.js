#!/usr/bin/env node
// The `varco` command. Varco runs on Node.js 24 (pinned by the `node` package in dependencies);
// `npx varco` puts that Node first on PATH. Run directly with an older Node, say what to do.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`varco needs Node.js 24 (found ${process.versions.node}). Run it as \`npx varco …\` from the project directory after \`npm ci\`.\n`);
  process.exit(1);
}
const { main } = await import('../src/main/cli.ts');
process.exitCode = await main(process.argv.slice(2));
