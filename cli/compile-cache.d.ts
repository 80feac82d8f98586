export function compileCacheDir(env?: NodeJS.ProcessEnv): string;
