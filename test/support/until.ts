// Polls `probe` every 50 ms until it returns something truthy (returned), or fails with
// what was awaited after `timeoutMs`: for effects that land asynchronously (workers,
// webhooks, background writes).
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
