// The Connect protocol's tables as server/connect_protocol.h implements
// them: code names and HTTP statuses (connectrpc.com/docs/protocol, "Error
// Codes"), error bodies, content types and timeouts.

#include "server/connect_protocol.h"

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace evald::server {
namespace {

TEST(ConnectProtocol, EveryCodeHasTheProtocolsNameAndHttpStatus) {
  struct Row {
    grpc::StatusCode code;
    const char* name;
    int http;
  } table[] = {
      {grpc::StatusCode::CANCELLED, "canceled", 499},
      {grpc::StatusCode::UNKNOWN, "unknown", 500},
      {grpc::StatusCode::INVALID_ARGUMENT, "invalid_argument", 400},
      {grpc::StatusCode::DEADLINE_EXCEEDED, "deadline_exceeded", 504},
      {grpc::StatusCode::NOT_FOUND, "not_found", 404},
      {grpc::StatusCode::ALREADY_EXISTS, "already_exists", 409},
      {grpc::StatusCode::PERMISSION_DENIED, "permission_denied", 403},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "resource_exhausted", 429},
      {grpc::StatusCode::FAILED_PRECONDITION, "failed_precondition", 400},
      {grpc::StatusCode::ABORTED, "aborted", 409},
      {grpc::StatusCode::OUT_OF_RANGE, "out_of_range", 400},
      {grpc::StatusCode::UNIMPLEMENTED, "unimplemented", 501},
      {grpc::StatusCode::INTERNAL, "internal", 500},
      {grpc::StatusCode::UNAVAILABLE, "unavailable", 503},
      {grpc::StatusCode::DATA_LOSS, "data_loss", 500},
      {grpc::StatusCode::UNAUTHENTICATED, "unauthenticated", 401},
  };
  for (const Row& row : table) {
    EXPECT_EQ(ConnectCodeName(row.code), row.name);
    EXPECT_EQ(ConnectHttpStatus(row.code), row.http) << row.name;
  }
}

TEST(ConnectProtocol, ErrorBodiesAreJsonThatReadsBackTheMessage) {
  const std::string json = ConnectErrorJson(
      grpc::Status(grpc::StatusCode::NOT_FOUND, "no project \"P9\"\n"));
  google::protobuf::Struct body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &body).ok())
      << json;
  EXPECT_EQ(body.fields().size(), 2u);
  EXPECT_EQ(body.fields().at("code").string_value(), "not_found");
  EXPECT_EQ(body.fields().at("message").string_value(), "no project \"P9\"\n");
}

TEST(ConnectProtocol, OnlyJsonAndProtoBodiesAreAccepted) {
  EXPECT_EQ(CodecOf("application/json"), BodyCodec::kJson);
  EXPECT_EQ(CodecOf("application/json; charset=utf-8"), BodyCodec::kJson);
  EXPECT_EQ(CodecOf("Application/JSON"), BodyCodec::kJson);
  EXPECT_EQ(CodecOf("application/proto"), BodyCodec::kProto);
  EXPECT_EQ(CodecOf("application/json; charset=latin1"), std::nullopt);
  EXPECT_EQ(CodecOf("text/plain"), std::nullopt);
  EXPECT_EQ(CodecOf(""), std::nullopt);
}

TEST(ConnectProtocol, TimeoutsAreDigitsAndCapped) {
  EXPECT_EQ(TimeoutMs("", 30000), 30000);
  EXPECT_EQ(TimeoutMs("1500", 30000), 1500);
  EXPECT_EQ(TimeoutMs("999999", 30000), 30000);
  EXPECT_EQ(TimeoutMs("-5", 30000), std::nullopt);
  EXPECT_EQ(TimeoutMs("12345678901", 30000), std::nullopt);
  EXPECT_EQ(TimeoutMs("1.5", 30000), std::nullopt);
}

}  // namespace
}  // namespace evald::server
