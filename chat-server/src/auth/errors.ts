/** Why a token was refused. `expired` is told apart because the client can fix it by refreshing. */
export class TokenError extends Error {
  constructor(
    readonly reason: 'missing' | 'invalid' | 'expired' | 'wrong_audience',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}
