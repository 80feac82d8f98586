// The typed channel between the exam console and its lab worker (a child_process.fork with an IPC channel).
// Requests are derived from the worker's half of LabServices, so a method, its arguments and its answer cannot
// drift apart between the two processes; errors cross with their kind and fields and are rebuilt as the same
// class (a CouldNotGrade stays a CouldNotGrade, a UserError keeps its hint and exit code). Stdout is not the
// channel: a stray write from a library in the worker is harmless, and every message is checked before use.
// Imports no cluster client and no YAML parser: the console loads this.
import type { Task } from '../../tasks/schema.ts';
import { CouldNotGrade } from '../../graders/reader.ts';
import { UserError } from '../../sandbox/errors.ts';
import { CommandFailed } from '../../sandbox/exec.ts';
import type { LabServices, OnProgress, PreparedTask, Progress, TaskEntry } from '../exam/services.ts';
import { StoreError } from '../exam/store.ts';

/**
 * What the worker serves: LabServices' cluster side. The console reads the catalog and builds the kubectl line
 * itself; `setupTasks` may also take the definitions of the tasks (the console has read them to draw).
 */
export type WorkerServices = Pick<LabServices, 'sandboxStatus' | 'ensureSandbox' | 'grade' | 'resetTask'> & {
  setupTasks(entries: readonly TaskEntry[], onProgress: OnProgress, definitions?: readonly Task[]): Promise<PreparedTask[]>;
};
export type Method = keyof WorkerServices;

/** A method's arguments as they travel: the progress callback stays behind (its calls come back as messages). */
type OnTheWire<A extends readonly unknown[]> = { [K in keyof A]: A[K] extends OnProgress ? null : A[K] };
export type Args<M extends Method> = OnTheWire<Parameters<WorkerServices[M]>>;
export type Result<M extends Method> = Awaited<ReturnType<WorkerServices[M]>>;

export type RequestOf<M extends Method> = { kind: 'request'; id: number; method: M; args: Args<M> };
export type Request = { [M in Method]: RequestOf<M> }[Method];

/** An error as it travels: its class (by name), message, stack and own fields (hint, exitCode, file, ...). */
export type WireError = { name: string; message: string; stack?: string | undefined; fields: Record<string, unknown>; cause?: WireError | undefined };

export type Reply =
  | { kind: 'progress'; id: number; progress: Progress }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: WireError };

const METHODS: Record<Method, true> = { sandboxStatus: true, ensureSandbox: true, setupTasks: true, grade: true, resetTask: true };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Whether `message` is a request of this channel (anything else that arrives is ignored). */
export function isRequest(message: unknown): message is Request {
  return isRecord(message) && message.kind === 'request' && Number.isInteger(message.id) && typeof message.method === 'string' && Object.hasOwn(METHODS, message.method) && Array.isArray(message.args);
}

/** Whether `message` is a reply of this channel (anything else that arrives is ignored). */
export function isReply(message: unknown): message is Reply {
  if (!isRecord(message) || !Number.isInteger(message.id)) return false;
  if (message.kind === 'result') return 'result' in message;
  if (message.kind === 'progress') return isRecord(message.progress) && typeof message.progress.label === 'string';
  if (message.kind === 'error') return isRecord(message.error) && typeof message.error.name === 'string' && typeof message.error.message === 'string';
  return false;
}

/**
 * The error classes rebuilt as themselves on the console's side. Errors of other classes (an ApiError, a
 * RenderError: their modules would load the cluster client or the YAML parser into the console) arrive as an
 * Error with the same name, message and fields.
 */
const KINDS: Record<string, new (...args: never[]) => Error> = { CouldNotGrade, UserError, StoreError, CommandFailed };

/** Fields a structured clone can carry: functions and symbols stay behind. */
const cloneable = (v: unknown): boolean => typeof v !== 'function' && typeof v !== 'symbol';

export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'name' && key !== 'message' && key !== 'stack' && key !== 'cause' && cloneable(value)) fields[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields, cause: error.cause === undefined ? undefined : toWire(error.cause) };
}

/** The error again, of its own class where the console knows it, with its fields. */
export function fromWire(wire: WireError): Error {
  const kind = Object.hasOwn(KINDS, wire.name) ? KINDS[wire.name] : undefined;
  // Built without its constructor (each class takes different arguments); the fields are what it set.
  const error: Error = kind ? Object.create(kind.prototype) : new Error(wire.message);
  Object.assign(error, wire.fields);
  Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true, enumerable: kind !== undefined });
  Object.defineProperty(error, 'message', { value: wire.message, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: wire.stack ?? `${wire.name}: ${wire.message}`, writable: true, configurable: true });
  if (wire.cause) Object.defineProperty(error, 'cause', { value: fromWire(wire.cause), writable: true, configurable: true });
  return error;
}

export type Handlers = { [M in Method]: (args: Args<M>, onProgress: OnProgress) => Promise<Result<M>> };

/** Runs one request with its handler: the method picks the handler, and its arguments are that method's. */
export function dispatch<M extends Method>(handlers: Handlers, request: RequestOf<M>, onProgress: OnProgress): Promise<Result<M>> {
  const handler: Handlers[M] = handlers[request.method];
  return handler(request.args, onProgress);
}

/** What the worker serves over its IPC channel. `after(method)` runs once a request has been answered. */
export function serve(handlers: Handlers, hooks: { started?: (method: Method) => void; answered?: (method: Method) => void } = {}): void {
  const send = (reply: Reply) => {
    // The console may be gone (closed, killed): then there is nobody to tell.
    if (process.connected) process.send?.(reply);
  };
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    const { id, method } = message;
    hooks.started?.(method);
    dispatch(handlers, message, (progress) => send({ kind: 'progress', id, progress })).then(
      (result) => {
        send({ kind: 'result', id, result: result ?? null });
        hooks.answered?.(method);
      },
      (error: unknown) => send({ kind: 'error', id, error: toWire(error) }),
    );
  });
}
