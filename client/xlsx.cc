#include "client/xlsx.h"

#include <expat.h>
#include <zip.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace evald::client {
namespace {

// Bounds on what a workbook may make evalctl hold: a part's inflated size,
// Excel's own last column (XFD), and the import's row limit.
constexpr zip_uint64_t kMaxPartBytes = 64 << 20;
constexpr int kMaxColumns = 16384;
constexpr size_t kMaxRows = 100001;
// Cells held in all, counting the empty ones a row is padded with.
constexpr size_t kMaxCells = 4'000'000;

// One zip archive held in memory.
class Archive {
 public:
  static absl::StatusOr<std::unique_ptr<Archive>> Open(
      absl::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source =
        zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (source == nullptr) {
      zip_error_fini(&error);
      return absl::InvalidArgumentError("the file is not an .xlsx workbook");
    }
    zip_t* zip = zip_open_from_source(source, ZIP_RDONLY, &error);
    zip_error_fini(&error);
    if (zip == nullptr) {
      zip_source_free(source);
      return absl::InvalidArgumentError(
          "the file is not an .xlsx workbook (not a zip archive)");
    }
    return std::unique_ptr<Archive>(new Archive(zip));
  }
  ~Archive() { zip_discard(zip_); }

  // The part's bytes, or nullopt when the archive has no such part or it
  // would inflate past kMaxPartBytes (a zip may claim any size).
  std::optional<std::string> Read(const std::string& name) {
    zip_stat_t st;
    if (zip_stat(zip_, name.c_str(), 0, &st) != 0) return std::nullopt;
    if (!(st.valid & ZIP_STAT_SIZE) || st.size > kMaxPartBytes) {
      return std::nullopt;
    }
    zip_file_t* f = zip_fopen(zip_, name.c_str(), 0);
    if (f == nullptr) return std::nullopt;
    std::string out(st.size, '\0');
    const zip_int64_t n = zip_fread(f, out.data(), st.size);
    zip_fclose(f);
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) return std::nullopt;
    return out;
  }

 private:
  explicit Archive(zip_t* zip) : zip_(zip) {}
  zip_t* zip_;
};

// A SAX parse of one XML part: `start(name, attributes)`, `end(name)` and
// `text(chars)` see every element; names are local (no namespace prefix).
struct XmlHandlers {
  std::function<void(const std::string&,
                     const std::map<std::string, std::string>&)>
      start;
  std::function<void(const std::string&)> end;
  std::function<void(absl::string_view)> text;
};

std::string LocalName(const char* name) {
  absl::string_view n(name);
  const size_t colon = n.rfind(':');
  return std::string(colon == absl::string_view::npos ? n
                                                      : n.substr(colon + 1));
}

absl::Status ParseXml(const std::string& part, const std::string& xml,
                      XmlHandlers& h) {
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(
      XML_ParserCreate("UTF-8"), XML_ParserFree);
  XML_SetUserData(parser.get(), &h);
  XML_SetElementHandler(
      parser.get(),
      [](void* data, const char* name, const char** attrs) {
        auto* h = static_cast<XmlHandlers*>(data);
        if (!h->start) return;
        std::map<std::string, std::string> a;
        for (int i = 0; attrs[i] != nullptr; i += 2) {
          a[LocalName(attrs[i])] = attrs[i + 1];
        }
        h->start(LocalName(name), a);
      },
      [](void* data, const char* name) {
        auto* h = static_cast<XmlHandlers*>(data);
        if (h->end) h->end(LocalName(name));
      });
  XML_SetCharacterDataHandler(parser.get(),
                              [](void* data, const char* s, int len) {
                                auto* h = static_cast<XmlHandlers*>(data);
                                if (h->text) h->text(absl::string_view(s, len));
                              });
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), 1) ==
      XML_STATUS_ERROR) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the workbook's ", part,
        " does not parse: ", XML_ErrorString(XML_GetErrorCode(parser.get())),
        " at line ", XML_GetCurrentLineNumber(parser.get())));
  }
  return absl::OkStatus();
}

// "C7" -> column 2 (0-based); -1 when there are no letters.
int ColumnOf(absl::string_view ref) {
  int column = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    column = column * 26 + (ref[i] - 'A' + 1);
    if (column > kMaxColumns) return kMaxColumns;  // past XFD: refused
  }
  return i == 0 ? -1 : column - 1;
}

// The path of the first worksheet, from the workbook and its relationships.
std::string FirstSheet(Archive& archive) {
  std::string first_id;
  if (std::optional<std::string> wb = archive.Read("xl/workbook.xml")) {
    XmlHandlers h;
    h.start = [&](const std::string& name,
                  const std::map<std::string, std::string>& a) {
      if (name == "sheet" && first_id.empty() && a.count("id")) {
        first_id = a.at("id");
      }
    };
    if (!ParseXml("xl/workbook.xml", *wb, h).ok()) first_id.clear();
  }
  std::string target;
  if (std::optional<std::string> rels =
          archive.Read("xl/_rels/workbook.xml.rels");
      rels && !first_id.empty()) {
    XmlHandlers h;
    h.start = [&](const std::string& name,
                  const std::map<std::string, std::string>& a) {
      if (name == "Relationship" && a.count("Id") && a.at("Id") == first_id &&
          a.count("Target")) {
        target = a.at("Target");
      }
    };
    if (!ParseXml("xl/_rels/workbook.xml.rels", *rels, h).ok()) target.clear();
  }
  if (target.empty()) return "xl/worksheets/sheet1.xml";
  if (absl::StartsWith(target, "/")) return target.substr(1);
  return absl::StrCat("xl/", target);
}

}  // namespace

std::string XlsxNumberText(absl::string_view number) {
  double value = 0;
  const size_t dot = number.find('.');
  if (dot == absl::string_view::npos || number.size() - dot - 1 <= 2 ||
      number.find_first_of("eE") != absl::string_view::npos ||
      !absl::SimpleAtod(number, &value)) {
    return std::string(number);
  }
  const double hundredths = value * 100;
  const double rounded = std::round(hundredths);
  if (std::fabs(hundredths - rounded) > 1e-6) return std::string(number);
  const long long h = static_cast<long long>(rounded);
  const long long whole = std::llabs(h) / 100, cents = std::llabs(h) % 100;
  return absl::StrCat(h < 0 ? "-" : "", whole, ".", cents < 10 ? "0" : "",
                      cents);
}

absl::StatusOr<std::vector<CsvRow>> ReadXlsx(absl::string_view bytes) {
  absl::StatusOr<std::unique_ptr<Archive>> archive = Archive::Open(bytes);
  if (!archive.ok()) return archive.status();

  std::vector<std::string> shared;
  if (std::optional<std::string> xml =
          (*archive)->Read("xl/sharedStrings.xml")) {
    bool in_si = false, in_t = false, phonetic = false;
    std::string current;
    XmlHandlers h;
    h.start = [&](const std::string& name,
                  const std::map<std::string, std::string>&) {
      if (name == "si") {
        in_si = true;
        current.clear();
      } else if (name == "rPh") {
        phonetic = true;  // a reading guide, not the text
      } else if (name == "t") {
        in_t = true;
      }
    };
    h.end = [&](const std::string& name) {
      if (name == "si") {
        shared.push_back(current);
        in_si = false;
      } else if (name == "rPh") {
        phonetic = false;
      } else if (name == "t") {
        in_t = false;
      }
    };
    h.text = [&](absl::string_view s) {
      if (in_si && in_t && !phonetic) current.append(s.data(), s.size());
    };
    if (absl::Status s = ParseXml("xl/sharedStrings.xml", *xml, h); !s.ok()) {
      return s;
    }
  }

  const std::string sheet_part = FirstSheet(**archive);
  std::optional<std::string> sheet = (*archive)->Read(sheet_part);
  if (!sheet) {
    return absl::InvalidArgumentError(
        absl::StrCat("the workbook has no worksheet ", sheet_part,
                     " (or it is over ", kMaxPartBytes >> 20, " MiB)"));
  }
  std::vector<CsvRow> rows;
  std::map<int, std::string> cells;  // column -> text, of the current row
  int row_number = 0, column = -1, next_column = 0;
  std::string type, value;
  bool in_value = false;
  size_t total_cells = 0;
  std::string bad;
  XmlHandlers h;
  h.start = [&](const std::string& name,
                const std::map<std::string, std::string>& a) {
    if (name == "row") {
      cells.clear();
      next_column = 0;
      int r = 0;
      row_number =
          a.count("r") && absl::SimpleAtoi(a.at("r"), &r) ? r : row_number + 1;
      // Excel numbers rows 1 to 1,048,576; anything else is a damaged
      // sheet, and the row number is what messages quote.
      if (row_number < 1 || row_number > 1048576) {
        bad = absl::StrCat("a row is numbered ", row_number,
                           ", not 1 to 1048576");
        row_number = 1;
      }
    } else if (name == "c") {
      column = a.count("r") ? ColumnOf(a.at("r")) : next_column;
      if (column < 0) column = next_column;
      if (column >= kMaxColumns) {
        bad = absl::StrCat("row ", row_number, " has a cell past column XFD");
        column = 0;
      }
      next_column = column + 1;
      type = a.count("t") ? a.at("t") : "n";
      value.clear();
    } else if (name == "v" || name == "t") {
      in_value = true;
    }
  };
  h.end = [&](const std::string& name) {
    if (name == "v" || name == "t") {
      in_value = false;
    } else if (name == "c") {
      std::string text = value;
      if (type == "s") {
        int index = -1;
        if (!absl::SimpleAtoi(value, &index) || index < 0 ||
            index >= static_cast<int>(shared.size())) {
          bad = absl::StrCat("cell ", value, " of row ", row_number,
                             " names no shared string");
          return;
        }
        text = shared[index];
      } else if (type == "b") {
        text = value == "1" ? "true" : "false";
      } else if (type == "n") {
        text = XlsxNumberText(value);
      }
      cells[column] = text;
    } else if (name == "row") {
      if (cells.empty()) return;
      total_cells += cells.rbegin()->first + 1;
      if (rows.size() >= kMaxRows || total_cells > kMaxCells) {
        bad = "the sheet has more rows or cells than an import may hold";
        return;
      }
      CsvRow row;
      row.line = row_number;
      row.fields.resize(cells.rbegin()->first + 1);
      for (auto& [c, text] : cells) row.fields[c] = std::move(text);
      row.raw = absl::StrJoin(row.fields, ",");
      rows.push_back(std::move(row));
    }
  };
  h.text = [&](absl::string_view s) {
    if (in_value) value.append(s.data(), s.size());
  };
  if (absl::Status s = ParseXml(sheet_part, *sheet, h); !s.ok()) return s;
  if (!bad.empty()) return absl::InvalidArgumentError(bad);
  return rows;
}

}  // namespace evald::client
