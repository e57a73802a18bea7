// Test support: calls a gRPC method by name with raw request bytes, for the
// services evald gets from gRPC itself (health checking, reflection) and for
// requests no generated stub would send (malformed bytes).

#ifndef EVALD_TESTS_RAW_GRPC_H_
#define EVALD_TESTS_RAW_GRPC_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace evald::testing {

struct RawReply {
  grpc::Status status;
  std::string bytes;  // every response message, concatenated
};

inline std::string RawBytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

inline grpc::ByteBuffer RawBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

inline void RawContext(grpc::ClientContext& ctx, const std::string& token) {
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

// One unary call of `method` ("/package.Service/Method") with `request`
// as the serialized request message.
inline RawReply RawUnary(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method, const std::string& request,
                         const std::string& token = "") {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  RawContext(ctx, token);
  RawReply out;
  grpc::ByteBuffer response;
  auto call = stub.PrepareUnaryCall(&ctx, method, RawBuffer(request), &cq);
  call->StartCall();
  call->Finish(&response, &out.status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (out.status.ok()) out.bytes = RawBytes(response);
  return out;
}

// A bidirectional-streaming call of `method`: sends each of `requests`,
// half-closes, and reads every response until the server ends the call.
inline RawReply RawBidi(const std::shared_ptr<grpc::Channel>& channel,
                        const std::string& method,
                        const std::vector<std::string>& requests,
                        const std::string& token = "") {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  RawContext(ctx, token);
  RawReply out;
  void* tag = nullptr;
  bool ok = false;
  auto step = [&] { return cq.Next(&tag, &ok) && ok; };
  auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  bool alive = step();
  for (const std::string& r : requests) {
    if (!alive) break;
    call->Write(RawBuffer(r), reinterpret_cast<void*>(2));
    alive = step();
  }
  if (alive) {
    call->WritesDone(reinterpret_cast<void*>(3));
    alive = step();
  }
  while (alive) {
    grpc::ByteBuffer response;
    call->Read(&response, reinterpret_cast<void*>(4));
    alive = step();
    if (alive) out.bytes += RawBytes(response);
  }
  call->Finish(&out.status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return out;
}

}  // namespace evald::testing

#endif  // EVALD_TESTS_RAW_GRPC_H_
