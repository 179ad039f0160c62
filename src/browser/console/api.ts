// The console's one way out: GraphQL POSTs to this gateway's /graphql, with the pasted token.
// The token is kept in this browser only (sessionStorage, or localStorage when asked to
// remember it) and sent nowhere else; cookies are never sent.

const TOKEN_KEY = "billing-gateway.console.token";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    /** The gateway refused the token itself (401/403 before any operation ran). */
    readonly tokenRefused = false,
  ) {
    super(message);
  }
}

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string, remember: boolean): void {
  forgetToken();
  (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = savedToken();
  if (!token) throw new ApiError("Paste an API token first.", "UNAUTHENTICATED", true);
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError("The gateway could not be reached.", null);
  }
  const body = (await response.json().catch(() => null)) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  const error = body?.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code ?? null, response.status === 401 || response.status === 403);
  if (!response.ok || !body?.data) throw new ApiError(`The gateway answered ${response.status}.`, null);
  return body.data;
}
