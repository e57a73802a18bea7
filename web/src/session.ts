// The signed-in user's token: kept in sessionStorage, so it lasts as long
// as the browser tab and is never written to disk by the app.
const TOKEN_KEY = "evald.token";

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value: string): void {
  sessionStorage.setItem(TOKEN_KEY, value.trim());
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
