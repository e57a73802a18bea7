#include "common/audit_chain.h"

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace evald {

std::string AuditEventHash(const evaluation::v1::AuditEvent& event) {
  evaluation::v1::AuditEvent bare = event;
  bare.clear_prev_hash();
  bare.clear_hash();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    bare.SerializeToCodedStream(&coded);
  }
  return Sha256Hex(absl::StrCat(event.prev_hash(), "\n", bytes));
}

std::optional<ChainBreak> VerifyAuditChain(
    const std::vector<evaluation::v1::AuditEvent>& events) {
  std::string previous;
  for (size_t i = 0; i < events.size(); ++i) {
    const evaluation::v1::AuditEvent& e = events[i];
    const int64_t want = static_cast<int64_t>(i) + 1;
    if (e.sequence() != want) {
      return ChainBreak{want,
                        absl::StrCat("event ", want, " is missing (found ",
                                     e.sequence(), " in its place)")};
    }
    if (e.prev_hash() != previous) {
      return ChainBreak{
          want,
          absl::StrCat("event ", want, " does not link to event ", want - 1)};
    }
    if (e.hash() != AuditEventHash(e)) {
      return ChainBreak{
          want,
          absl::StrCat("event ", want,
                       " was altered: its content does not match its hash")};
    }
    previous = e.hash();
  }
  return std::nullopt;
}

}  // namespace evald
