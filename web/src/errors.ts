// A failed call as a sentence a clerk can act on, never a stack trace.
import { Code, ConnectError } from "@connectrpc/connect";
import { t } from "./i18n";

export function explain(err: unknown): string {
  const e = ConnectError.from(err);
  const detail = e.rawMessage;
  switch (e.code) {
    case Code.Unauthenticated:
      return t("error.unauthenticated");
    case Code.PermissionDenied:
      return t("error.permission", { detail });
    case Code.NotFound:
      return t("error.notfound", { detail });
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
      return t("error.invalid", { detail });
    case Code.Unavailable:
    case Code.ResourceExhausted:
      return t("error.unavailable");
    default:
      return t("error.other", { detail });
  }
}

export const isUnauthenticated = (err: unknown): boolean =>
  ConnectError.from(err).code === Code.Unauthenticated;
