// A loopback HTTP fake of the STS, CloudFormation and S3 calls the deploy engine makes (127.0.0.1 only), so
// faults go through the real SDK stack: its HTTP handler, retries, timeouts and error parsing.
import * as http from 'http';
import type { AddressInfo } from 'net';
import { createDeployClients, CreateDeployClientsOptions, DeployClients } from '../../src/deploy';

/** What the fake does with one request. */
export type Answer =
  | { readonly status?: number; readonly body?: string; readonly headers?: Record<string, string> }
  /** Close the connection without an answer. */
  | 'drop'
  /** Reset the TCP connection (RST). */
  | 'reset'
  /** Never answer. */
  | 'hang';

/** One request as the fake saw it: the query API's `Action` (CloudFormation, STS) or `<METHOD> s3` for S3. */
export interface Seen {
  readonly operation: string;
  readonly params: URLSearchParams;
  readonly path: string;
}

const CFN_NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** A query-protocol answer (CloudFormation, STS). */
export function queryResult(action: string, inner = '', ns = CFN_NS): Answer {
  return { body: `<${action}Response xmlns="${ns}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>` };
}

/** A query-protocol error answer. */
export function queryError(status: number, code: string, message: string): Answer {
  return { status, body: `<ErrorResponse xmlns="${CFN_NS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>` };
}

/** A stack as DescribeStacks lists it. */
export function stackXml(name: string, status: string): string {
  return `<member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:ap-northeast-2:111122223333:stack/${name}/1</StackId>` +
    `<StackStatus>${status}</StackStatus><CreationTime>2026-11-25T00:00:00Z</CreationTime></member>`;
}

export interface Loopback {
  readonly endpoint: string;
  readonly seen: Seen[];
  /** Clients of the deploy engine pointed at the fake, with few attempts and short timeouts. */
  readonly clients: DeployClients;
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1 (a free port); `answer` decides each request. `clientOptions`
 * replace the clients' few attempts and short timeouts (the endpoint and credentials stay).
 */
export async function startLoopback(answer: (req: Seen) => Answer, clientOptions?: Omit<CreateDeployClientsOptions, 'config'>): Promise<Loopback> {
  const seen: Seen[] = [];
  const sockets = new Set<import('net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const params = new URLSearchParams(req.method === 'POST' && !url.pathname.slice(1) ? body : url.search);
      const operation = params.get('Action') ?? `${req.method} s3`;
      const s: Seen = { operation, params, path: url.pathname };
      seen.push(s);
      const a = answer(s);
      if (a === 'hang') return;
      if (a === 'drop') return void req.socket.destroy();
      if (a === 'reset') return void req.socket.resetAndDestroy();
      res.writeHead(a.status ?? 200, { 'content-type': 'text/xml', ...a.headers });
      res.end(req.method === 'HEAD' ? undefined : a.body ?? '');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = createDeployClients('ap-northeast-2', {
    ...(clientOptions ?? { maxAttempts: 2, timeouts: { connectionTimeout: 500, requestTimeout: 300 } }),
    config: { endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback' } },
  });
  return {
    endpoint,
    seen,
    clients,
    close: async () => {
      for (const c of [clients.cloudFormation, clients.s3, clients.lambda]) c.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
