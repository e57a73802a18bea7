#include "server/unary_call.h"

#include "absl/synchronization/notification.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"

namespace evald::server {

UnaryCallResult CallUnary(
    grpc::Channel& channel, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& metadata,
    const std::string& request, absl::Duration timeout) {
  grpc::ClientContext context;
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));

  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer reply_buffer;
  // The stub holds no state of its own: one per call costs nothing.
  grpc::GenericStub stub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  UnaryCallResult result;
  absl::Notification done;
  stub.UnaryCall(&context, path, grpc::StubOptions(), &request_buffer,
                 &reply_buffer, [&](grpc::Status status) {
                   result.status = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (result.status.ok()) {
    grpc::Slice whole;
    if (!reply_buffer.TrySingleSlice(&whole).ok() &&
        !reply_buffer.DumpToSingleSlice(&whole).ok()) {
      result.status =
          grpc::Status(grpc::StatusCode::INTERNAL, "unreadable reply buffer");
      return result;
    }
    result.reply.assign(reinterpret_cast<const char*>(whole.begin()),
                        whole.size());
  }
  return result;
}

}  // namespace evald::server
