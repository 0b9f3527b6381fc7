// The part of Deno's API the docs use, typed as Deno documents it (we have no Deno runtime or its types here).

interface ServeHandlerInfo {
  remoteAddr: { transport: 'tcp' | 'udp'; hostname: string; port: number };
}

export const Deno: {
  readTextFile(path: string): Promise<string>;
  serve(
    options: { port?: number },
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): unknown;
};
