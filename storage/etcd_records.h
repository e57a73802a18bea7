// What the etcd store's files share: the key families under the prefix,
// etcd's errors as the store's, and parsing a stored value.

#ifndef EVALD_STORAGE_ETCD_RECORDS_H_
#define EVALD_STORAGE_ETCD_RECORDS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace evald::storage::etcd {

// Under the prefix: "s/" + a state key of storage/keys.h, "a/" + an audit
// key.
inline constexpr absl::string_view kState = "s/";
inline constexpr absl::string_view kAudit = "a/";

// etcd's error of a call as the store's: Unavailable (with "retry with the
// same request_id": a timed-out Txn's outcome is unknown, and a retry is
// answered from the request record if it committed) when no majority
// answered in time or etcd is catching up, Aborted when a read's revision
// was compacted away, Internal otherwise. `what`
// names the call ("read", "commit"). etcd's message goes to the payload.
absl::Status Unreachable(const absl::Status& status, absl::string_view what);

// `raw` parsed as a Message; DataLoss naming `key` if it does not parse.
template <typename Message>
absl::StatusOr<Message> Parse(absl::string_view key, absl::string_view raw) {
  Message m;
  if (!m.ParseFromArray(raw.data(), static_cast<int>(raw.size()))) {
    return absl::DataLossError(
        absl::StrCat("storage: the record at ", key, " does not parse"));
  }
  return m;
}

}  // namespace evald::storage::etcd

#endif  // EVALD_STORAGE_ETCD_RECORDS_H_
