// The wire formats of the AWS fake: query-protocol requests decoded into objects, XML answers rendered from objects, and each protocol's error envelope.

/** A value the XML renderer writes: lists become `<member>` items (the query protocol's non-flattened lists). */
export type XmlValue = string | number | boolean | Date | undefined | null | readonly XmlValue[] | { readonly [key: string]: XmlValue };

/** One HTTP answer of the fake. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text escaped for an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The inside of an element: nested elements for an object, `<member>`s for a list, text otherwise; `undefined` fields are left out. */
export function renderXml(value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${renderXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, XmlValue>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${renderXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/** Namespaces of the query-protocol services the fake serves. */
export const NAMESPACES = {
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
} as const;

/** A query-protocol success: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata/></ActionResponse>`. */
export function queryAnswer(action: string, namespace: string, result: XmlValue, requestId: string): WireAnswer {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${namespace}"><${action}Result>${renderXml(result)}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** A query-protocol error, as the SDK parses it into an exception named `code`. */
export function queryError(
  status: number, code: string, message: string, requestId: string, namespace: string = NAMESPACES.cloudformation,
): WireAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${namespace}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** An S3 (REST-XML) error; a HEAD answer carries no body, as S3's does not. */
export function s3Error(status: number, code: string, message: string, requestId: string, extra: Record<string, string> = {}): WireAnswer {
  const fields = Object.entries(extra).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('');
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${fields}<RequestId>${requestId}</RequestId></Error>`,
  };
}

/** A REST-JSON (Lambda) answer; errors carry their type in `x-amzn-errortype`. */
export function jsonAnswer(status: number, body: unknown, requestId: string, errorType?: string): WireAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
    body: JSON.stringify(body),
  };
}

/**
 * A query-protocol form (`Parameters.member.1.ParameterKey=…`) as nested objects and lists:
 * `{ Parameters: [{ ParameterKey: … }] }`. An empty list arrives as `Key=` and decodes to `''`;
 * read lists with {@link listOf}.
 */
export function decodeQuery(form: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of form) {
    const parts = key.split('.');
    let node = root as Record<string | number, unknown>;
    for (let i = 0; i < parts.length; i++) {
      let part: string | number = parts[i];
      if (part === 'member' && i + 1 < parts.length) part = Number(parts[++i]) - 1;
      if (i === parts.length - 1) {
        node[part] = value;
      } else {
        if (typeof node[part] !== 'object' || node[part] === null) node[part] = parts[i + 1] === 'member' ? [] : {};
        node = node[part] as Record<string | number, unknown>;
      }
    }
  }
  return root;
}

/** A decoded query list (absent or sent empty: `[]`). */
export function listOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value.filter((v) => v !== undefined) as T[]) : [];
}

/**
 * The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n…0\r\n<trailers>\r\n\r\n`)
 * and its trailing headers (e.g. `x-amz-checksum-sha256`).
 */
export function decodeAwsChunked(body: Buffer): { payload: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw new Error('aws-chunked body ends inside a chunk header');
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size)) throw new Error(`aws-chunked chunk header "${body.subarray(at, eol).toString('latin1')}" has no hex size`);
    at = eol + 2;
    if (size === 0) break;
    chunks.push(body.subarray(at, at + size));
    at += size + 2;
  }
  for (const line of body.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}

/** Pages of a list for `NextToken`-style pagination: the token is the index of the page's first item. */
export function page<T>(items: readonly T[], token: unknown, size: number): { items: T[]; nextToken?: string } {
  if (token !== undefined && !(typeof token === 'string' && /^\d+$/.test(token))) throw new AwsFault('ValidationError', `Invalid NextToken ${JSON.stringify(token)}`);
  const start = token === undefined ? 0 : Number(token);
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

/** An error answer AWS would give: its code (the SDK's exception name), message and HTTP status. */
export class AwsFault extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
    this.name = 'AwsFault';
  }
}
