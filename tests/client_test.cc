// Unit tests of evalctl's pure pieces: display width and tables, CSV in and
// out, money formatting, flag parsing and the CSV import's parsing. Expected
// values are worked out by hand in the comments.

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/args.h"
#include "client/csv.h"
#include "client/flags.h"
#include "client/format.h"
#include "client/import.h"
#include "client/output.h"
#include "client/plain_words.h"
#include "client/suggest.h"
#include "client/table.h"
#include "client/xlsx.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/xlsx_fixture.h"

namespace evald::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// ------------------------------------------------------------ DisplayWidth

TEST(DidYouMeanTest, ASlipSuggestsTheWordMeant) {
  const std::vector<std::string> verbs = {"get", "list", "finalize", "reopen",
                                          "late"};
  EXPECT_EQ(NearestWord("finalise", verbs), "finalize");  // British spelling
  EXPECT_EQ(NearestWord("lsit", verbs), "list");          // two swapped
  EXPECT_EQ(NearestWord("lates", verbs), "late");
  EXPECT_EQ(DidYouMean("reopne", verbs, "evaluation "),
            " (did you mean \"evaluation reopen\"?)");
}

TEST(DidYouMeanTest, AnotherWordSuggestsNothing) {
  const std::vector<std::string> nouns = {"project", "score", "veto"};
  EXPECT_EQ(NearestWord("frobnicate", nouns), "");
  EXPECT_EQ(NearestWord("x", nouns), "");
  EXPECT_EQ(DidYouMean("delete", nouns), "");
}

TEST(DisplayWidthTest, AsciiIsOneColumnEach) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("a"), 1);
  EXPECT_EQ(DisplayWidth("huangge"), 7);
  EXPECT_EQ(DisplayWidth("2,600,000.00"), 12);
}

TEST(DisplayWidthTest, HanziAndFullwidthAreTwoColumnsEach) {
  EXPECT_EQ(DisplayWidth("汉"), 2);
  EXPECT_EQ(DisplayWidth("汉字"), 4);
  EXPECT_EQ(DisplayWidth("黄阁镇社工站"), 12);  // 6 x 2, though 18 bytes
  EXPECT_EQ(DisplayWidth("，"), 2);             // U+FF0C fullwidth comma
  EXPECT_EQ(DisplayWidth("Ａ"), 2);             // U+FF21 fullwidth A
  EXPECT_EQ(DisplayWidth("〔"), 2);             // U+3014, as in 〔2019〕
  EXPECT_EQ(DisplayWidth("한"), 2);             // Hangul syllable
}

TEST(DisplayWidthTest, MixedTextAddsUp) {
  EXPECT_EQ(DisplayWidth("GOOD 良好"), 4 + 1 + 4);
  EXPECT_EQ(DisplayWidth("P1黄阁"), 2 + 4);
  EXPECT_EQ(DisplayWidth("é"), 1);  // 2-byte UTF-8, narrow
  EXPECT_EQ(DisplayWidth("穗南府办规〔2019〕6号"), 5 * 2 + 2 + 4 + 2 + 1 + 2);
}

TEST(DisplayWidthTest, InvalidUtf8CountsOneAByte) {
  EXPECT_EQ(DisplayWidth("\xff"), 1);
  EXPECT_EQ(DisplayWidth("a\xe6\xb1"), 3);  // a truncated 汉
}

// ---------------------------------------------------------------- Tables

TEST(RenderTextTest, AlignsColumnsByDisplayWidth) {
  Table t;
  t.headers = {"NAME", "N"};
  t.rows = {{"黄阁镇", "1"}, {"Nansha", "22"}};
  // NAME column: max(4, 6, 6) = 6 wide, then two spaces.
  EXPECT_EQ(RenderText(t),
            "NAME    N\n"
            "黄阁镇  1\n"
            "Nansha  22\n");
}

TEST(RenderTextTest, ChineseWiderThanAsciiPadsTheAsciiRows) {
  Table t;
  t.headers = {"PROJECT", "NAME", "TOWNSHIP"};
  t.rows = {{"P1", "黄阁镇社工站", "huangge"}, {"P2", "Station", "nansha"}};
  // PROJECT 7 wide; NAME 12 wide (the Chinese name).
  EXPECT_EQ(RenderText(t),
            "PROJECT  NAME          TOWNSHIP\n"
            "P1       黄阁镇社工站  huangge\n"
            "P2       Station       nansha\n");
}

TEST(RenderTextTest, NoTrailingSpaces) {
  Table t;
  t.headers = {"A", "B"};
  t.rows = {{"x", ""}, {"longer", "y"}};
  EXPECT_EQ(RenderText(t),
            "A       B\n"
            "x\n"
            "longer  y\n");
}

TEST(RenderCsvTest, QuotesOnlyFieldsThatNeedIt) {
  Table t;
  t.headers = {"a", "b"};
  t.rows = {{"plain", "has,comma"},
            {"say \"hi\"", "line\nbreak"},
            {"汉字", ""},
            {"cr\r", "2,600,000.00"}};
  // Rows end in CRLF; a line break inside a field stays as it is, quoted.
  EXPECT_EQ(RenderCsv(t),
            "a,b\r\n"
            "plain,\"has,comma\"\r\n"
            "\"say \"\"hi\"\"\",\"line\nbreak\"\r\n"
            "汉字,\r\n"
            "\"cr\r\",\"2,600,000.00\"\r\n");
}

TEST(RenderCsvTest, RoundTripsThroughParseCsv) {
  Table t;
  t.headers = {"名称", "note"};
  t.rows = {{"Pilot \"A\", Nansha", "two\nlines"}, {"黄阁", "x"}};
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(RenderCsv(t));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("名称", "note"));
  EXPECT_THAT((*rows)[1].fields,
              ElementsAre("Pilot \"A\", Nansha", "two\nlines"));
  EXPECT_THAT((*rows)[2].fields, ElementsAre("黄阁", "x"));
  EXPECT_EQ((*rows)[2].line, 4);  // row 2 spans lines 2 and 3
}

// --------------------------------------------------------------- ParseCsv

TEST(ParseCsvTest, DropsTheByteOrderMark) {
  absl::StatusOr<std::vector<CsvRow>> rows =
      ParseCsv("\xEF\xBB\xBF类型,分数\n评分,85\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("类型", "分数"));
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[0].raw, "类型,分数");
  EXPECT_THAT((*rows)[1].fields, ElementsAre("评分", "85"));
  EXPECT_EQ((*rows)[1].line, 2);
}

TEST(ParseCsvTest, CrLfAndLfGiveTheSameRows) {
  absl::StatusOr<std::vector<CsvRow>> crlf = ParseCsv("a,b\r\n1,2\r\n");
  absl::StatusOr<std::vector<CsvRow>> lf = ParseCsv("a,b\n1,2\n");
  ASSERT_TRUE(crlf.ok() && lf.ok());
  ASSERT_EQ(crlf->size(), 2u);
  ASSERT_EQ(lf->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*crlf)[i].fields, (*lf)[i].fields);
    EXPECT_EQ((*crlf)[i].raw, (*lf)[i].raw);
    EXPECT_EQ((*crlf)[i].line, (*lf)[i].line);
  }
  EXPECT_THAT((*crlf)[1].fields, ElementsAre("1", "2"));
  EXPECT_EQ((*crlf)[1].raw, "1,2");
}

TEST(ParseCsvTest, QuotedCommaQuoteAndLineBreak) {
  const std::string text =
      "x,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nnext,row\n";
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[0].fields,
              ElementsAre("x", "a,b", "say \"hi\"", "two\r\nlines"));
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[0].raw, "x,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"");
  EXPECT_THAT((*rows)[1].fields, ElementsAre("next", "row"));
  EXPECT_EQ((*rows)[1].line, 3);  // the quoted line break moved it down
}

TEST(ParseCsvTest, BlankLinesAreSkippedButCounted) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv("a\n\n\r\nb");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[1].line, 4);
  EXPECT_THAT((*rows)[1].fields, ElementsAre("b"));  // no final newline
}

// Found by csv_import_fuzzer (fuzz/corpus/csv_import_fuzzer/
// regression-lone-cr): a lone "\r" used to end a row and count a line, so
// problems were reported on lines past the end of the file.
TEST(ParseCsvTest, ALoneCarriageReturnIsPartOfTheField) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv("a,b\rc\nd\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", "b\rc"));
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_THAT((*rows)[1].fields, ElementsAre("d"));
}

TEST(ParseCsvTest, EmptyFieldsAreKept) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(",a,,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("", "a", "", ""));
}

TEST(ParseCsvTest, UnterminatedQuoteNamesTheLineItStarts) {
  absl::StatusOr<std::vector<CsvRow>> rows =
      ParseCsv("a,b\n1,2\n3,\"open\n4,5\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rows.status().message(), "line 3: a quoted field is not closed");
}

TEST(ParseCsvTest, TextAfterAClosingQuoteNamesItsLine) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv("a,b\n\"x\ny\"z,1\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message(), "line 3: text after a closing quote");
}

// ------------------------------------------------------------------ Money

TEST(YuanTest, TwoDecimalsAndThousandsSeparators) {
  EXPECT_EQ(Yuan(0), "0.00");
  EXPECT_EQ(Yuan(5), "0.05");
  EXPECT_EQ(Yuan(50), "0.50");
  EXPECT_EQ(Yuan(100), "1.00");
  EXPECT_EQ(Yuan(99999), "999.99");
  EXPECT_EQ(Yuan(100000), "1,000.00");
  EXPECT_EQ(Yuan(78000000), "780,000.00");
  EXPECT_EQ(Yuan(260000000), "2,600,000.00");
  EXPECT_EQ(Yuan(100000000000), "1,000,000,000.00");
  EXPECT_EQ(Yuan(-5), "-0.05");
  EXPECT_EQ(Yuan(-123456789), "-1,234,567.89");
}

TEST(ParseYuanTest, AcceptsThousandsInGroupsOfThreeAndNamesTheFlag) {
  EXPECT_EQ(*ParseYuan("--fund", "2600000"), 260000000);
  EXPECT_EQ(*ParseYuan("--fund", "2,600,000.00"), 260000000);
  EXPECT_EQ(*ParseYuan("--fund", "0.5"), 50);
  EXPECT_EQ(*ParseYuan("--fund", "999,999"), 99999900);
  absl::StatusOr<int64_t> bad = ParseYuan("--fund", "1.005");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "--fund: \"1.005\" has more than two decimals");
  EXPECT_FALSE(ParseYuan("--fund", "-1").ok());
  EXPECT_FALSE(ParseYuan("--fund", "1e6").ok());
  // A ',' that is not a thousands separator is refused, saying what to type
  // (1,000,00 is not 100,000.00).
  for (const char* misplaced :
       {"1,000,00", "10,00", ",100", "1000,000", "1,0000.00"}) {
    SCOPED_TRACE(misplaced);
    absl::StatusOr<int64_t> refused = ParseYuan("--fund", misplaced);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.status().message(),
                HasSubstr("does not separate thousands; type the amount in "
                          "yuan without separators (1000000.00) or with one "
                          "every three digits (1,000,000.00)"));
  }
}

TEST(ParseScoreTest, FullWidthDigitsAreDigits) {
  EXPECT_EQ(*ParseScore("--score", "85"), "85.00");
  EXPECT_EQ(*ParseScore("--score", "８５．５"), "85.50");  // full-width
  EXPECT_EQ(*ParseYuan("--fund", "２，６００，０００"), 260000000);
  EXPECT_EQ(ParseScore("--score", "85,5").status().message(),
            "--score: \"85,5\" is not a plain decimal number (digits and "
            "one '.')");
}

TEST(ParseDateTest, OnlyYyyyMmDdOfARealDay) {
  EXPECT_EQ(*ParseDate("--result-date", "2025-12-15"), "2025-12-15");
  EXPECT_EQ(ParseDate("--result-date", "2025/12/15").status().message(),
            "--result-date: \"2025/12/15\" is not a date; use YYYY-MM-DD");
  EXPECT_EQ(ParseDate("--result-date", "2025-02-30").status().message(),
            "--result-date: \"2025-02-30\" is not a day of the calendar");
}

// Enum flags take the words -o json prints, in any case, '-' for '_'.
TEST(EnumFlagTest, TheSameWordsAsTheJsonOutput) {
  EXPECT_EQ(*ParsePhase("--phase", "mid-term"), v1::MID_TERM);
  EXPECT_EQ(*ParsePhase("--phase", "MID_TERM"), v1::MID_TERM);
  EXPECT_EQ(*ParsePhase("--phase", "Final"), v1::FINAL);
  EXPECT_EQ(*ParsePhase("--phase", "中期"), v1::MID_TERM);
  EXPECT_EQ(*ParsePhase("--phase", "末期"), v1::FINAL);
  EXPECT_EQ(ParsePhase("--phase", "春季").status().message(),
            "--phase: \"春季\" is not one of mid-term, final");
  EXPECT_EQ(PhaseName(v1::FINAL), "final");
  EXPECT_EQ(*ParseTrancheKind("--kind", "year-start"), v1::YEAR_START);
  EXPECT_EQ(*ParseTrancheKind("--kind", "mid-term"), v1::MID_TERM_TRANCHE);
  EXPECT_EQ(*ParseTrancheKind("--kind", "MID_TERM_TRANCHE"),
            v1::MID_TERM_TRANCHE);
  EXPECT_EQ(*ParseTrancheKind("--kind", "final"), v1::FINAL_TRANCHE);
  EXPECT_EQ(TrancheName(v1::MID_TERM_TRANCHE), "mid-term");
  EXPECT_EQ(*ParseEvaluationState("--state", "passed-after-rectification"),
            v1::PASSED_AFTER_RECTIFICATION);
  EXPECT_EQ(*ParseEvaluationState("--state", "PASSED_AFTER_RECTIFICATION"),
            v1::PASSED_AFTER_RECTIFICATION);
  EXPECT_FALSE(ParseEvaluationState("--state", "unspecified").ok());
  EXPECT_FALSE(
      ParseEvaluationState("--state", "evaluation-state-unspecified").ok());
  EXPECT_EQ(*ParseDisbursementState("--state", "due"), v1::DUE);
  EXPECT_EQ(*ParseDisbursementState("--state", "held"), v1::HELD);
  EXPECT_EQ(*ParseVetoKind("--kind", "financial"), v1::FINANCIAL);
  EXPECT_EQ(GradeText(v1::QUALIFIED), "QUALIFIED 合格");
  EXPECT_EQ(GradeText(v1::QUALIFIED_AFTER_RECTIFICATION),
            "QUALIFIED_AFTER_RECTIFICATION 合格(整改后)");
}

// Whatever evald sends, evalctl never lets it act on the terminal (#16).
TEST(PrintableTest, ControlAndDirectionCharactersAreWrittenOut) {
  EXPECT_EQ(Printable("BANK\x1b[2J"), "BANK\\u001b[2J");
  EXPECT_EQ(Printable("a\nb\tc"), "a\\u000ab\\u0009c");
  EXPECT_EQ(Printable("\xc2\x9b"), "\\u009b");
  EXPECT_EQ(Printable("\xe2\x80\xae"
                      "exe.fed"),
            "\\u202eexe.fed");
  EXPECT_EQ(Printable("\xff"), "\\xff");
  EXPECT_EQ(Printable("黄阁镇 2,600,000.00"), "黄阁镇 2,600,000.00");
  Table t;
  t.headers = {"REF"};
  t.rows = {{"x\x1b]0;pwned\x07"}};
  EXPECT_EQ(RenderText(t), "REF\nx\\u001b]0;pwned\\u0007\n");
  EXPECT_EQ(RenderCsv(t), "REF\r\nx\\u001b]0;pwned\\u0007\r\n");
}

TEST(PrintableTest, JsonEscapesWhatTheJsonPrinterLeaves) {
  evaluation::v1::Disbursement d;
  d.set_payment_reference(
      "a\x1b"
      "b\xe2\x80\xae"
      "c\xc2\x85");
  const std::string json = Json(d);
  EXPECT_THAT(json,
              HasSubstr("\"payment_reference\":\"a\\u001bb\\u202ec\\u0085\""));
  EXPECT_EQ(json.find('\x1b'), std::string::npos);
}

// ------------------------------------------------------------------- Args

absl::StatusOr<Args> ParseArgs(std::vector<std::string> argv) {
  return Args::Parse(argv, {"help", "rectifiable"});
}

TEST(ArgsTest, FlagFormsAndPositionals) {
  absl::StatusOr<Args> a =
      ParseArgs({"score", "submit", "--project=P1", "--year", "2025", "-o",
                 "json", "--rectifiable", "--", "--not-a-flag"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->positional(), ElementsAre("score", "submit", "--not-a-flag"));
  EXPECT_EQ(*a->Get("project"), "P1");
  EXPECT_EQ(*a->RequiredInt("year"), 2025);
  EXPECT_EQ(*a->Get("output"), "json");
  EXPECT_TRUE(a->Has("rectifiable"));
  EXPECT_FALSE(a->Has("help"));
}

TEST(ArgsTest, BooleanFlagsTakeTrueOrFalse) {
  absl::StatusOr<Args> yes = ParseArgs({"--rectifiable=true"});
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes->Has("rectifiable"));
  // --rectifiable=false must not mark the score rectifiable.
  absl::StatusOr<Args> no = ParseArgs({"--rectifiable=false"});
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(no->Has("rectifiable"));
  absl::StatusOr<Args> bad = ParseArgs({"--rectifiable=maybe"});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("--rectifiable"));
}

TEST(ArgsTest, ErrorsNameTheFlag) {
  absl::StatusOr<Args> missing = ParseArgs({"--year"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "--year needs a value");
  EXPECT_FALSE(ParseArgs({"-o"}).ok());

  absl::StatusOr<Args> a = ParseArgs({"--year", "twenty", "--empty="});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->RequiredInt("year").status().message(),
            "--year: \"twenty\" is not a whole number");
  EXPECT_EQ(a->Required("empty").status().message(), "--empty is required");
  EXPECT_EQ(a->Required("absent").status().message(), "--absent is required");
  EXPECT_EQ(*a->Int("absent", 7), 7);
}

// ---------------------------------------------------------------- Import

constexpr char kHeader[] = "kind,project,year,phase,score\n";

std::string Id(const ImportRow& row) {
  return row.financial ? row.financial_request.request_id()
                       : row.score.request_id();
}

TEST(ParseImportTest, RequestIdsAreStableForTheSameFileLineAndText) {
  const std::string text = absl::StrCat(kHeader, "score,P1,2025,mid-term,85\n",
                                        "score,P1,2025,final,90\n");
  ParsedImport a = ParseImport("scores.csv", text);
  ParsedImport b = ParseImport("scores.csv", text);
  ASSERT_TRUE(a.problems.empty());
  ASSERT_EQ(a.rows.size(), 2u);
  ASSERT_EQ(b.rows.size(), 2u);
  EXPECT_THAT(Id(a.rows[0]), MatchesRegex("import-[0-9a-f]{32}"));
  EXPECT_EQ(Id(a.rows[0]), Id(b.rows[0]));
  EXPECT_EQ(Id(a.rows[1]), Id(b.rows[1]));
  EXPECT_NE(Id(a.rows[0]), Id(a.rows[1]));
  // CRLF line ends do not change them: the row's text is the same.
  ParsedImport crlf =
      ParseImport("scores.csv",
                  "kind,project,year,phase,score\r\n"
                  "score,P1,2025,mid-term,85\r\nscore,P1,2025,final,90\r\n");
  ASSERT_EQ(crlf.rows.size(), 2u);
  EXPECT_EQ(Id(crlf.rows[0]), Id(a.rows[0]));
}

TEST(ParseImportTest, RequestIdsFollowTheFileAndWhatTheRowSays) {
  const std::string row = "score,P1,2025,mid-term,85\n";
  const std::string base = Id(ParseImport("a.csv", kHeader + row).rows.at(0));
  // Another file name: another batch.
  EXPECT_NE(Id(ParseImport("b.csv", kHeader + row).rows.at(0)), base);
  // The same row one line further down, or spelt another way, is the same
  // submission: sorting or reformatting the sheet re-sends nothing.
  ParsedImport moved = ParseImport("a.csv", absl::StrCat(kHeader, "\n", row));
  ASSERT_EQ(moved.rows.size(), 1u);
  EXPECT_EQ(moved.rows[0].line, 3);
  EXPECT_EQ(Id(moved.rows[0]), base);
  EXPECT_EQ(Id(ParseImport("a.csv",
                           absl::StrCat(kHeader, "评分, P1 ,2025,中期,85.00\n"))
                   .rows.at(0)),
            base);
  // Another score, phase or mark is another submission.
  for (const char* other :
       {"score,P1,2025,mid-term,86\n", "score,P1,2025,final,85\n",
        "score,P2,2025,mid-term,85\n"}) {
    EXPECT_NE(Id(ParseImport("a.csv", absl::StrCat(kHeader, other)).rows.at(0)),
              base)
        << other;
  }
  // The same row twice: one id, so one submission.
  ParsedImport dup = ParseImport("a.csv", kHeader + row + row);
  ASSERT_EQ(dup.rows.size(), 2u);
  EXPECT_EQ(Id(dup.rows[1]), base);
}

TEST(ParseImportTest, SpreadsheetHabits) {
  // A 序号 column, an unread column (a warning), a row of empty cells.
  ParsedImport p = ParseImport("f.csv",
                               "序号,kind,project,year,phase,score,联系人\n"
                               "1,score,P1,2025,mid-term,85,王五\n"
                               ",,,,,,\n"
                               "2,score,P1,2025,final,88,\n");
  EXPECT_TRUE(p.problems.empty());
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1].line, 4);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].line, 1);
  EXPECT_EQ(p.warnings[0].reason,
            "column \"联系人\" is not one evalctl reads; it is ignored");
  // Cost structure against the limits given: 60% personnel, 70% with
  // service quality, 30% management: three warnings, still a row.
  ParsedImport money = ParseImport(
      "f.csv",
      "kind,project,year,phase,score,personnel,service_quality,management,"
      "other\nfinancial,P1,2025,final,80,600,100,300,0\n");
  ASSERT_EQ(money.rows.size(), 1u);
  EXPECT_THAT(
      money.warnings,
      ::testing::ElementsAre(
          ::testing::Field(&ImportProblem::reason,
                           "personnel is 60.00% of spending, below the "
                           "policy's 70%"),
          ::testing::Field(&ImportProblem::reason,
                           "personnel and service quality are 70.00% of "
                           "spending, below the policy's 85%"),
          ::testing::Field(&ImportProblem::reason,
                           "management is 30.00% of spending, above the "
                           "policy's 15%")));
}

TEST(ParseImportTest, ChineseAndEnglishHeadersMeanTheSame) {
  const std::string english =
      "kind,project,year,phase,score,rectifiable,personnel,service_quality,"
      "management,other,note\n"
      "score,P1,2025,mid-term,85.5,no,,,,,\n"
      "financial,P1,2025,final,80,yes,\"750,000.00\",120000,100000,30000,"
      "\"备注, with a comma\"\n";
  const std::string chinese =
      "\xEF\xBB\xBF类型,项目编号,年度,阶段,分数,可整改,人员经费,服务质量经费,"
      "管理费用,其他费用,备注\r\n"
      "评分,P1,2025,中期,85.5,否,,,,,中期\r\n"
      "财务,P1,2025,末期,80,是,750000,120000.00,100000,30000,末期\r\n";
  ParsedImport e = ParseImport("f.csv", english);
  ParsedImport c = ParseImport("f.csv", chinese);
  ASSERT_TRUE(e.problems.empty()) << e.problems[0].reason;
  ASSERT_TRUE(c.problems.empty()) << c.problems[0].reason;
  ASSERT_EQ(e.rows.size(), 2u);
  ASSERT_EQ(c.rows.size(), 2u);
  for (ParsedImport* p : {&e, &c}) {
    const ImportRow& s = p->rows[0];
    EXPECT_FALSE(s.financial);
    EXPECT_EQ(s.line, 2);
    EXPECT_EQ(s.score.evaluation().project_id(), "P1");
    EXPECT_EQ(s.score.evaluation().year(), 2025);
    EXPECT_EQ(s.score.evaluation().phase(), v1::MID_TERM);
    EXPECT_EQ(s.score.score(), "85.50");
    EXPECT_FALSE(s.score.rectifiable());
    const ImportRow& f = p->rows[1];
    EXPECT_TRUE(f.financial);
    EXPECT_EQ(f.financial_request.evaluation().phase(), v1::FINAL);
    EXPECT_EQ(f.financial_request.score(), "80.00");
    EXPECT_TRUE(f.financial_request.rectifiable());
    EXPECT_EQ(f.financial_request.expenditure().personnel_fen(), 75000000);
    EXPECT_EQ(f.financial_request.expenditure().service_quality_fen(),
              12000000);
    EXPECT_EQ(f.financial_request.expenditure().management_fen(), 10000000);
    EXPECT_EQ(f.financial_request.expenditure().other_fen(), 3000000);
  }
}

TEST(ParseImportTest, HeaderNamesIgnoreCaseSpacesAndOrder) {
  ParsedImport p = ParseImport(
      "f.csv", " Score , PHASE ,Year,project,KIND\n90,final,2026,P2,Score\n");
  ASSERT_TRUE(p.problems.empty()) << p.problems[0].reason;
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].score.evaluation().project_id(), "P2");
  EXPECT_EQ(p.rows[0].score.evaluation().year(), 2026);
  EXPECT_EQ(p.rows[0].score.evaluation().phase(), v1::FINAL);
  EXPECT_EQ(p.rows[0].score.score(), "90.00");
}

TEST(ParseImportTest, RectifiableSpellings) {
  const std::string text =
      "kind,project,year,phase,score,rectifiable\n"
      "score,P1,2025,mid-term,50,是\n"
      "score,P1,2025,mid-term,50,YES\n"
      "score,P1,2025,mid-term,50,1\n"
      "score,P1,2025,mid-term,50,true\n"
      "score,P1,2025,mid-term,50,否\n"
      "score,P1,2025,mid-term,50,\n"
      "score,P1,2025,mid-term,50,No\n"
      "score,P1,2025,mid-term,50,0\n";
  ParsedImport p = ParseImport("f.csv", text);
  ASSERT_TRUE(p.problems.empty());
  ASSERT_EQ(p.rows.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(p.rows[i].score.rectifiable(), i < 4) << "line " << i + 2;
  }
}

TEST(ParseImportTest, EveryBadRowIsReportedWithItsLineAndReason) {
  const std::string text = absl::StrCat(
      "kind,project,year,phase,score,rectifiable,personnel,service_quality,"
      "management,other\n",
      "score,P1,2025,mid-term,85,,,,,\n",                           // 2: good
      "grade,P1,2025,mid-term,85,,,,,\n",                           // 3
      "score,,2025,mid-term,85,,,,,\n",                             // 4
      "score,P1,25,mid-term,85,,,,,\n",                             // 5
      "score,P1,2025,春季,85,,,,,\n",                               // 6
      "score,P1,2025,final,100.01,,,,,\n",                          // 7
      "score,P1,2025,final,85.555,,,,,\n",                          // 8
      "score,P1,2025,final,85,maybe,,,,\n",                         // 9
      "financial,P1,2025,final,70,,750000,,100000,1\n",             // 10
      "financial,P1,2025,final,70,,7.5e5,1,1,1\n",                  // 11
      "score,P1,2025,final,85,,1,,,\n",                             // 12
      "score,P1,2025,final,85,,,,,,extra\n",                        // 13
      "financial,P1,2025,final,70,,750000,120000,100000,30000\n");  // 14: good
  ParsedImport p = ParseImport("f.csv", text);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].line, 2);
  EXPECT_EQ(p.rows[1].line, 14);
  std::vector<std::pair<int, std::string>> problems;
  for (const ImportProblem& q : p.problems)
    problems.push_back({q.line, q.reason});
  EXPECT_THAT(
      problems,
      ElementsAre(
          std::pair{3, std::string("kind \"grade\" is not score or financial")},
          std::pair{4, std::string("project is empty")},
          std::pair{5, std::string("year \"25\" is not a year")},
          std::pair{6, std::string("phase: \"春季\" is not one of mid-term, "
                                   "final")},
          std::pair{7, std::string("score: \"100.01\" is above the maximum "
                                   "100.00")},
          std::pair{8, std::string("score: \"85.555\" has more than two "
                                   "decimals")},
          std::pair{9, std::string("rectifiable \"maybe\" is not yes or no")},
          std::pair{10, std::string("service_quality is required on a "
                                    "financial row")},
          std::pair{11, std::string("personnel: \"7.5e5\" is not a plain "
                                    "decimal number (digits and one '.')")},
          std::pair{12, std::string("expenditure columns belong to financial "
                                    "rows only")},
          std::pair{13, std::string("11 fields, but the header has 10")}));
}

TEST(ParseImportTest, HeaderProblemsRejectTheWholeFile) {
  // An unread column is only a warning, but then score is missing.
  ParsedImport unknown =
      ParseImport("f.csv", "kind,project,year,phase,grade\n");
  ASSERT_EQ(unknown.problems.size(), 1u);
  EXPECT_EQ(unknown.problems[0].line, 1);
  EXPECT_EQ(unknown.problems[0].reason,
            "the header needs the columns kind, project, year, phase, score");
  ASSERT_EQ(unknown.warnings.size(), 1u);

  ParsedImport repeated =
      ParseImport("f.csv", "kind,类型,project,year,phase,score\n");
  ASSERT_EQ(repeated.problems.size(), 1u);
  EXPECT_EQ(repeated.problems[0].reason, "column \"类型\" is repeated");

  ParsedImport missing =
      ParseImport("f.csv", "kind,project,year,phase\nscore,P1,2025,final\n");
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems[0].reason,
            "the header needs the columns kind, project, year, phase, score");
  EXPECT_TRUE(missing.rows.empty());

  // A note column may repeat: it is never sent.
  EXPECT_TRUE(ParseImport("f.csv", "kind,project,year,phase,score,note,备注\n")
                  .problems.empty());
}

TEST(ParseImportTest, FileProblemsHaveNoLine) {
  ParsedImport empty = ParseImport("f.csv", "");
  ASSERT_EQ(empty.problems.size(), 1u);
  EXPECT_EQ(empty.problems[0].line, 0);
  EXPECT_EQ(empty.problems[0].reason,
            "the file is empty: a header row is required");

  ParsedImport quote =
      ParseImport("f.csv", absl::StrCat(kHeader, "score,P1,2025,\"final,85\n"));
  ASSERT_EQ(quote.problems.size(), 1u);
  EXPECT_EQ(quote.problems[0].line, 0);
  EXPECT_EQ(quote.problems[0].reason, "line 2: a quoted field is not closed");
}

TEST(ParseImportTest, Limits) {
  EXPECT_EQ(kMaxImportBytes, size_t{16} << 20);
  EXPECT_EQ(kMaxImportRows, 100000u);

  std::string big(kMaxImportBytes + 1, ' ');
  big.replace(0, sizeof(kHeader) - 1, kHeader);
  ParsedImport too_big = ParseImport("f.csv", big);
  ASSERT_EQ(too_big.problems.size(), 1u);
  EXPECT_EQ(too_big.problems[0].reason, "the file is larger than 16 MiB");

  std::string rows = kHeader;
  for (size_t i = 0; i < kMaxImportRows; ++i) {
    rows += "score,P1,2025,final,85\n";
  }
  ParsedImport at_limit = ParseImport("f.csv", rows);
  EXPECT_TRUE(at_limit.problems.empty());
  EXPECT_EQ(at_limit.rows.size(), kMaxImportRows);
  rows += "score,P1,2025,final,85\n";
  ParsedImport over = ParseImport("f.csv", rows);
  ASSERT_EQ(over.problems.size(), 1u);
  EXPECT_EQ(over.problems[0].reason, "more than 100000 rows");
  EXPECT_TRUE(over.rows.empty());
}

TEST(PlainWordsTest, RefusalsNameTheFlagAndWhatTheRoleCannotDo) {
  const auto finalize = FieldFlags({"project", "year", "phase", "result-date"});
  EXPECT_EQ(PlainWords("result_date: date \"2025/12/15\" is not YYYY-MM-DD",
                       finalize),
            "--result-date: date \"2025/12/15\" is not YYYY-MM-DD");
  // A field the command has no flag for stays as the server named it.
  EXPECT_EQ(PlainWords("released_on: 2099-01-01 is after today", finalize),
            "released_on: 2099-01-01 is after today");
  EXPECT_EQ(PlainWords("project_id: \"p/1\" has a '/'", FieldFlags({"id"})),
            "--id: \"p/1\" has a '/'");
  EXPECT_EQ(PlainWords("principal village-v01 (role village) may not call "
                       "ListLateParties",
                       {}),
            "a village committee cannot list late parties (principal "
            "village-v01)");
  EXPECT_EQ(PlainWords("no such project P9", finalize), "no such project P9");
}

TEST(XlsxTest, TheFirstSheetReadsAsTheCsvWould) {
  const std::string path = ::testing::TempDir() + "scores.xlsx";
  ASSERT_TRUE(testing::WriteWorkbook(
      path, {{std::string("类型"), std::string("项目编号"), std::string("年度"),
              std::string("阶段"), std::string("分数"), std::string("备注")},
             {std::string("评分"), std::string("P1"), 2025.0,
              std::string("中期"), 85.5, std::string("说明, 含逗号")},
             {},  // an empty row
             {std::string("评分"), std::string("P1"), 2025.0,
              std::string("末期"), 0.1 + 0.2 + 88.0}}));
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  absl::StatusOr<std::vector<CsvRow>> rows = ReadXlsx(bytes);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields[4], "分数");
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_EQ((*rows)[1].fields[2], "2025");
  EXPECT_EQ((*rows)[1].fields[4], "85.5");
  EXPECT_EQ((*rows)[1].fields[5], "说明, 含逗号");
  EXPECT_EQ((*rows)[2].line, 4);  // the spreadsheet's row number
  // 0.1 + 0.2 + 88.0 is 88.30000000000001 as a double; libxlsxwriter
  // writes it with 16 digits, "88.3" (Excel's 17-digit text is the
  // XlsxNumberText case below).
  EXPECT_EQ((*rows)[2].fields[4], "88.3");
  ParsedImport parsed = ParseImportRows("scores.xlsx", *std::move(rows));
  EXPECT_TRUE(parsed.problems.empty());
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].score.score(), "85.50");
  EXPECT_EQ(parsed.rows[1].score.score(), "88.30");
  EXPECT_EQ(parsed.rows[1].score.evaluation().phase(), v1::FINAL);
}

TEST(XlsxTest, NotAWorkbookIsSaidSo) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadXlsx("kind,project\n");
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(rows.status().message(), HasSubstr("not an .xlsx workbook"));
  EXPECT_EQ(XlsxNumberText("85.499999999999986"), "85.50");
  EXPECT_EQ(XlsxNumberText("85.123"), "85.123");  // not hundredths: as is
  EXPECT_EQ(XlsxNumberText("750000"), "750000");
}

}  // namespace
}  // namespace evald::client
