// The one HTTPS client to the API server: kept-alive connections, a timeout per request, and every way a request
// can end mapped to a typed error (ApiError for the API's "no", TransportError for no answer at all).
import { Agent, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { CouldNotGrade } from '../graders/reader.ts';
import { UserError } from './errors.ts';

/** A request's answer as it came: its status, content type and body, before it is read as the API's JSON. */
export type RawAnswer = { statusCode: number; contentType: string; text: string };

export class ApiTransport {
  private readonly kc: KubeConfig;
  /** One pool of kept-alive connections per cluster: grading makes dozens of requests at once. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  /** How long a request may go without an answer (the socket idle) before it counts as failed. */
  private readonly timeoutMs: number;
  /** Set by stopWaitingAfterNoAnswer(): the first request that got no answer in time, if one has. */
  private noAnswer: TransportError | undefined;
  private failFast = false;

  constructor(kc: KubeConfig, timeoutMs = 10_000) {
    this.kc = kc;
    this.timeoutMs = timeoutMs;
  }

  /**
   * For a one-shot command (grade): once a request has had no answer within the timeout (etcd down behind the
   * API server, a hung proxy), later requests fail at once with the same reason instead of each waiting it out
   * again, so the command answers "could not grade" in one timeout rather than one per round of reads.
   */
  stopWaitingAfterNoAnswer(): void {
    this.failFast = true;
  }

  /** An API request: its JSON, or an ApiError (an error status) or a TransportError (no answer, or not JSON). */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<unknown> {
    const what = `${method} ${path}`;
    const { statusCode, contentType: answered, text } = await this.send(method, path, body, contentType, accept);
    const answer = readAnswer(what, statusCode, answered, text);
    if (answer instanceof Error) throw answer;
    return answer.json;
  }

  /** A request whose answer is taken as it comes, whatever its status or body; only no answer is an error. */
  async send(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<RawAnswer> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new UserError(`Context "${this.kc.getCurrentContext()}" has no server.`);
    // Always with its length: Node sends a DELETE's body neither chunked nor sized, so the API server would read
    // it as the start of the next request on the kept-alive connection (400), and ignore the DeleteOptions.
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const options: Record<string, unknown> = { method, headers: { Accept: accept, ...(payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {}) }, timeout: this.timeoutMs };
    await this.kc.applyToHTTPSOptions(options as never);
    // After: client-node puts a new Agent of its own into the options on every call, and a new agent means a
    // new TLS handshake for every request. The credentials it set in the options still apply per connection.
    options.agent = this.agent;
    const what = `${method} ${path}`;
    if (this.failFast && this.noAnswer) throw new TransportError(this.noAnswer.code, `${what}: ${this.noAnswer.reason} (to an earlier request; not asked again)`);
    return new Promise((resolve, reject) => {
      // Every way a request can end without the API's answer (no connection, no answer in time, the socket
      // closed mid-answer) is a TransportError; nothing here throws inside a listener.
      const fail = (error: Error) => reject(error instanceof TransportError || error instanceof ApiError ? error : TransportError.from(error, what));
      const req = request(`${server}${path}`, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', fail);
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', fail);
      req.on('timeout', () => {
        const error = new TransportError('ETIMEDOUT', `${what}: no answer within ${this.timeoutMs / 1000} s`);
        this.noAnswer ??= error;
        req.destroy(error);
      });
      req.end(payload);
    });
  }
}

/**
 * The API server's answer "no" (conflict, invalid object, ...): the cluster's word, not a bug in ckad-lab, so
 * a UserError whose message says what was refused and why.
 */
export class ApiError extends UserError {
  override name = 'ApiError';
  readonly code: number;
  readonly status: ApiStatus | undefined;
  constructor(code: number, message: string, status?: ApiStatus) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** The API server's Status body: `details.causes[].reason` says why in a word (`NamespaceTerminating`). */
export type ApiStatus = { message?: string; reason?: string; details?: { causes?: { reason?: string; message?: string; field?: string }[] } };

/**
 * No answer from the API server: no connection, none in time, the socket closed, or a body that is not its JSON.
 * A kind of CouldNotGrade, so wherever it ends up it reads as infrastructure trouble, never as a bug.
 */
export class TransportError extends CouldNotGrade {
  override name = 'TransportError';
  readonly code: string;
  /** For people: what happened, e.g. `no answer within 10 s`. */
  readonly reason: string;
  constructor(code: string, message: string, reason = message.replace(/^[A-Z]+ \S+: /, '')) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  static from(error: Error, what: string): TransportError {
    const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? 'EIO';
    const reason = REASONS[code] ?? `the connection failed (${code}: ${error.message})`;
    return new TransportError(code, `${what}: ${reason}`, reason);
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'cannot reach the API server (ECONNREFUSED)',
  ECONNRESET: 'the API server closed the connection (ECONNRESET)',
  ETIMEDOUT: 'the API server did not answer in time (ETIMEDOUT)',
  ENOTFOUND: 'cannot find the API server (ENOTFOUND)',
  EHOSTUNREACH: 'cannot reach the API server (EHOSTUNREACH)',
  ECONNABORTED: 'the connection to the API server was aborted (ECONNABORTED)',
  EPIPE: 'the API server closed the connection (EPIPE)',
};

/**
 * The API's answer to a request: its JSON on success, an ApiError for an error status, a TransportError when
 * the body is not JSON at all (a proxy's HTML error page, a cut-off body).
 */
export function readAnswer(what: string, statusCode: number, contentType: string, text: string): { json: unknown } | ApiError | TransportError {
  let json: unknown;
  let parsed = text === '';
  if (text !== '') {
    try {
      json = JSON.parse(text);
      parsed = true;
    } catch {
      // Not the API's JSON: said below.
    }
  }
  const snippet = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  if (statusCode >= 400 || statusCode === 0) {
    const status = parsed && json && typeof json === 'object' ? (json as ApiStatus) : undefined;
    return new ApiError(statusCode, `${what}: ${status?.message ?? (snippet || `HTTP ${statusCode}`)}`, status ?? { message: snippet || `HTTP ${statusCode}` });
  }
  if (!parsed) {
    const reason = `the API server answered ${statusCode} with ${contentType || 'a body'} that is not JSON${snippet ? ` ("${snippet}")` : ''}`;
    return new TransportError('EBADANSWER', `${what}: ${reason}`, reason);
  }
  return { json };
}
