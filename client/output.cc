#include "client/output.h"

#include <memory>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace evald::client {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Sets every unset singular message field (outside oneofs, whose members
// exclude each other) to its default, recursively, so that the JSON shape
// does not depend on the state.
void Complete(Message& m, int depth) {
  if (depth > 8) return;  // the API has no recursive messages this deep
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_map()) continue;
    if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        Complete(*r->MutableRepeatedMessage(&m, f, k), depth + 1);
      }
      continue;
    }
    if (f->containing_oneof() != nullptr && !r->HasField(m, f)) continue;
    Complete(*r->MutableMessage(&m, f), depth + 1);
  }
}

}  // namespace

std::string Json(const Message& message) {
  std::unique_ptr<Message> complete(message.New());
  complete->CopyFrom(message);
  Complete(*complete, 0);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(*complete, &out, options);
  return out;
}

void Print(Session& s, const Message& message, const Table& table) {
  switch (s.output) {
    case OutputFormat::kJson:
      *s.out << Json(message) << "\n";
      break;
    case OutputFormat::kCsv:
      *s.out << RenderCsv(table);
      break;
    case OutputFormat::kTable:
      *s.out << RenderText(table);
      break;
  }
}

int PrintReply(Session& s, bool ok, const Message& reply, const Table& table) {
  if (!ok) return kRefused;
  Print(s, reply, table);
  return kOk;
}

}  // namespace evald::client
