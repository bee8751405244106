// The from-source entry (`pnpm --filter @perfkit/cli run perf-cli -- …`). pnpm
// runs a package's scripts in the package's directory, but a user's relative
// paths (--targets, --queries, --save, --html) mean the directory they ran
// pnpm in, which pnpm passes as INIT_CWD. The installed bin does not follow
// INIT_CWD: there it belongs to whatever npm script ran perf-cli, whose paths
// are relative to its own package.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
// Imported only now: bin.js starts the CLI as it loads.
await import('./bin.js');
