export async function runPipeline(..._args: unknown[]): Promise<{ text: string; failed: number }> {
  throw new Error('not yet');
}
