// The part of Bun's API the docs use, typed as Bun documents it (we have no Bun runtime or its types here).

interface BunServer {
  requestIP(request: Request): { address: string; family: string; port: number } | null;
}

export const Bun: {
  // biome-ignore lint/suspicious/noExplicitAny: bun-types declares json() as Promise<any>, so does this.
  file(path: string): { json(): Promise<any>; text(): Promise<string> };
  serve(options: {
    port?: number;
    fetch(request: Request, server: BunServer): Response | Promise<Response>;
  }): unknown;
};
