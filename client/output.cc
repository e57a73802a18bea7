#include "client/output.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "client/names.h"
#include "client/xlsx_writer.h"
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

namespace {

// protobuf's JSON printer escapes C0 controls; C1 controls, DEL and
// bidirectional overrides it leaves as UTF-8, which a terminal would obey.
std::string EscapeForTerminal(const std::string& json) {
  std::string out;
  for (size_t i = 0; i < json.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(json[i]);
    if (c == 0x7f) {
      out += "\\u007f";
    } else if (c == 0xc2 && i + 1 < json.size() &&
               static_cast<unsigned char>(json[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(json[i + 1]) <= 0x9f) {
      absl::StrAppend(
          &out, "\\u00",
          absl::Hex(static_cast<unsigned char>(json[i + 1]), absl::kZeroPad2));
      ++i;
    } else if (c == 0xe2 && i + 2 < json.size() &&
               ((static_cast<unsigned char>(json[i + 1]) == 0x80 &&
                 static_cast<unsigned char>(json[i + 2]) >= 0xaa &&
                 static_cast<unsigned char>(json[i + 2]) <= 0xae) ||
                (static_cast<unsigned char>(json[i + 1]) == 0x81 &&
                 static_cast<unsigned char>(json[i + 2]) >= 0xa6 &&
                 static_cast<unsigned char>(json[i + 2]) <= 0xa9))) {
      // U+202A..U+202E are E2 80 AA..AE; U+2066..U+2069 are E2 81 A6..A9.
      const int cp = (json[i + 1] & 0x3f) << 6 | (json[i + 2] & 0x3f);
      absl::StrAppend(&out, "\\u", absl::Hex(0x2000 + cp, absl::kZeroPad4));
      i += 2;
    } else {
      out.push_back(json[i]);
    }
  }
  return out;
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
  return EscapeForTerminal(out);
}

namespace {

// The Chinese heading of each column evalctl prints (--lang zh); a heading
// not listed stays as it is.
const std::string& ChineseHeader(const std::string& english) {
  static const auto* const names = new std::map<std::string, std::string>{
      {"PROJECT", "项目编号"},
      {"NAME", "名称"},
      {"TOWNSHIP", "镇(街)"},
      {"PROVIDER", "承接机构"},
      {"VILLAGES", "村(居)"},
      {"START", "开始日期"},
      {"ANNUAL FUND (YUAN)", "年度资金(元)"},
      {"AGENCY", "评估机构"},
      {"TERMINATED", "已终止"},
      {"EVALUATION", "评估"},
      {"STATE", "状态"},
      {"SCORE", "总分"},
      {"GRADE", "等级"},
      {"DEADLINE", "整改期限"},
      {"MISSING", "未提交"},
      {"REASONS", "依据"},
      {"OPENED", "开放日期"},
      {"DAYS LATE", "逾期天数"},
      {"TRANCHE", "拨款批次"},
      {"AMOUNT (YUAN)", "金额(元)"},
      {"DUE", "应付日期"},
      {"OVERDUE", "逾期"},
      {"REFERENCE", "支付凭证"},
      {"NOTE", "说明"},
      {"YEAR", "年度"},
      {"SEQ", "序号"},
      {"TIME (CST)", "时间(北京时间)"},
      {"PRINCIPAL", "操作人"},
      {"ROLE", "角色"},
      {"ACTION", "操作"},
      {"TARGET", "对象"},
      {"REQUEST ID", "请求编号"},
      {"DETAIL", "内容"},
      {"FIELD", "项目"},
      {"VALUE", "值"},
      {"WHAT", "事项"},
      {"SUBJECT", "对象"},
      {"DATE", "日期"},
      {"ROWS", "行数"},
      {"NEW", "新提交"},
      {"REPLACED", "已替换"},
      {"ALREADY APPLIED", "已提交过"},
      {"REFUSED", "被拒绝"},
      {"INVALID", "无效"},
      {"NOT SENT", "未发送"},
      {"ORGANISATION", "机构"},
      {"RELEASED", "已拨付"},
      {"CODE", "代码"},
      {"KIND", "类别"},
      {"NAME (EN)", "英文名称"},
      {"STATUS", "状态"},
      {"CURSOR", "游标"},
      {"ENDPOINT", "接收端"},
      {"PENDING", "待发送"},
  };
  auto it = names->find(english);
  return it == names->end() ? english : it->second;
}

}  // namespace

void Print(Session& s, const Message& message, const Table& english) {
  Table table = english;
  if (s.output != OutputFormat::kJson) LabelOrganisations(s, &table);
  if (s.chinese_headers) {
    for (std::string& h : table.headers) h = ChineseHeader(h);
  }
  switch (s.output) {
    case OutputFormat::kJson:
      *s.out << Json(message) << "\n";
      break;
    case OutputFormat::kCsv:
      // A UTF-8 byte-order mark first: without it Excel reads the file in
      // the system code page and Chinese text comes out garbled.
      *s.out << "\xEF\xBB\xBF" << RenderCsv(table);
      break;
    case OutputFormat::kXlsx: {
      // A workbook on stdout: redirect it to a file (`> list.xlsx`).
      absl::StatusOr<std::string> book = RenderXlsx(table, "evalctl");
      if (book.ok()) {
        *s.out << *book;
      } else {
        *s.err << "error: " << book.status().message() << "\n";
      }
      break;
    }
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
