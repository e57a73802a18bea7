#include "storage/etcd_records.h"

#include "absl/strings/cord.h"
#include "storage/store.h"

namespace evald::storage::etcd {

absl::Status Unreachable(const absl::Status& s, absl::string_view what) {
  // etcd answers "too many requests" (ResourceExhausted) while it catches
  // up; that too passes.
  if (s.code() == absl::StatusCode::kDeadlineExceeded ||
      s.code() == absl::StatusCode::kUnavailable ||
      s.code() == absl::StatusCode::kResourceExhausted) {
    absl::Status out = absl::UnavailableError(absl::StrCat(
        "storage: the etcd cluster did not answer the ", what,
        " in time (no majority reachable); retry with the same request_id"));
    out.SetPayload(kStorageDetailUrl, absl::Cord(s.message()));
    return out;
  }
  if (s.code() == absl::StatusCode::kOutOfRange) {
    // A read at a revision that etcd has since compacted away (or one this
    // member has not reached): the state it was of is gone; read again.
    absl::Status out = absl::AbortedError(absl::StrCat(
        "storage: the state the ", what,
        " was of is no longer kept by etcd; retry with the same request_id"));
    out.SetPayload(kStorageDetailUrl, absl::Cord(s.message()));
    return out;
  }
  absl::Status out =
      absl::InternalError(absl::StrCat("storage: etcd refused the ", what));
  out.SetPayload(kStorageDetailUrl, absl::Cord(s.message()));
  return out;
}

}  // namespace evald::storage::etcd
