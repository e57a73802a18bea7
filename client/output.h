// What evalctl prints on stdout: a table for people, or the reply for
// scripts (docs/cli.md, "Scripting").
//
// -o json is always exactly one JSON document on one line: the reply in
// protobuf's JSON mapping with the proto field names, every field present
// whatever the state -- scalars at their defaults, repeated fields as [],
// and a message field that is not set as that message with its defaults
// (so "result" is there, with "outcome":"OUTCOME_UNSPECIFIED", before a
// phase has one); enum values by name; 64-bit integers (fen, counts) as
// strings, as the mapping says, always.
// -o csv is the table as CSV.

#ifndef EVALD_CLIENT_OUTPUT_H_
#define EVALD_CLIENT_OUTPUT_H_

#include <string>

#include "client/session.h"
#include "client/table.h"
#include "google/protobuf/message.h"

namespace evald::client {

// The message as the one-line JSON document described above.
std::string Json(const google::protobuf::Message& message);

// Prints `message` as JSON, or `table` as text or CSV, per the session.
void Print(Session& s, const google::protobuf::Message& message,
           const Table& table);

// Prints the reply of a call that succeeded (`ok`) and returns kOk, or
// returns kRefused (the error is already on stderr).
int PrintReply(Session& s, bool ok, const google::protobuf::Message& reply,
               const Table& table);

}  // namespace evald::client

#endif  // EVALD_CLIENT_OUTPUT_H_
