/** The one JSON helper for the chat server's REST routes; errors keep the server's code and message. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function requestJson<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    // Network down, DNS, CORS refusal: the browser hides which.
    throw new ApiError(0, 'network', (error as Error).message);
  }
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok) {
    throw new ApiError(res.status, body?.error?.code ?? 'http', body?.error?.message ?? res.statusText);
  }
  return body as T;
}
