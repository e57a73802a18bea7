// Bookmarkable views: the location hash names the view and its arguments,
//   #/overview/2025               #/township/huangge/2025
//   #/phase/P1/2025/mid-term      #/late
//   #/money/2025                  #/publication/2025/final
export interface Route {
  view: string;
  args: string[];
}

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "")
    .map((p) => decodeURIComponent(p));
  return { view: parts[0] ?? "overview", args: parts.slice(1) };
}

export function href(view: string, ...args: (string | number)[]): string {
  return `#/${[view, ...args.map((a) => encodeURIComponent(String(a)))].join("/")}`;
}
