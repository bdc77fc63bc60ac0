/**
 * The errors routes throw. respond.ts turns them into GoTrue's error bodies, so supabase-js raises the
 * same `AuthApiError` codes locally as against a hosted project.
 */

/** An error with an HTTP status and one of GoTrue's `error_code`s. */
export class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra top-level body fields, e.g. `weak_password: { reasons }`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AuthApiError';
  }
}

/** An RFC 6749 OAuth error (always 400), used by the token endpoint for a missing refresh token. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
  }
}

export const badRequest = (code: string, message: string) => new AuthApiError(400, code, message);
export const forbidden = (code: string, message: string) => new AuthApiError(403, code, message);
export const notFound = (code: string, message: string) => new AuthApiError(404, code, message);
export const unprocessable = (code: string, message: string) => new AuthApiError(422, code, message);

/** GoTrue's answer to a password shorter than the minimum (422 `weak_password`). */
export function weakPassword(minLength: number): AuthApiError {
  return new AuthApiError(422, 'weak_password', `Password should be at least ${minLength} characters.`, {
    weak_password: { reasons: ['length'] },
  });
}
