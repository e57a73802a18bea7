import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { chinaTime, gradeName, moneyState, percentText, shareBasisPoints, yuan, yuanPlain } from "../src/format";
import { DisbursementSchema, DisbursementState, Grade } from "../src/gen/evaluation/v1/evaluation_pb";
import { translate } from "../src/i18n";

describe("money is written from integer fen", () => {
  it("as yuan with thousands and two decimals", () => {
    expect(yuan(104000000n)).toBe("¥1,040,000.00");
    expect(yuan(78000000n)).toBe("¥780,000.00");
    expect(yuan(5n)).toBe("¥0.05");
    expect(yuan(0n)).toBe("¥0.00");
    expect(yuan(-123456n)).toBe("-¥1,234.56");
    // Beyond 2^53 fen, still exact.
    expect(yuan(900719925474099312n)).toBe("¥9,007,199,254,740,993.12");
  });
  it("as a plain number for spreadsheets", () => {
    expect(yuanPlain(104000000n)).toBe("1040000.00");
    expect(yuanPlain(-7n)).toBe("-0.07");
  });
});

describe("grades and states in Chinese by default", () => {
  it("names the four grades", () => {
    expect([Grade.EXCELLENT, Grade.GOOD, Grade.QUALIFIED, Grade.UNQUALIFIED].map(gradeName)).toEqual([
      "优秀",
      "良好",
      "合格",
      "不合格",
    ]);
    expect(gradeName(Grade.GRADE_UNSPECIFIED)).toBe("");
  });
  it("falls back to Chinese where English has no word, and fills parameters", () => {
    expect(translate("en", "overview.title", { year: 2025 })).toBe("Service year 2025: district overview");
    expect(translate("zh", "overview.title", { year: 2025 })).toBe("2025 服务年度 · 全区概览");
    expect(translate("en", "grade.GOOD")).toBe("良好");
  });
  it("calls a DUE tranche past its date overdue", () => {
    const d = create(DisbursementSchema, { state: DisbursementState.DUE, overdue: true });
    expect(moneyState(d)).toBe("OVERDUE");
    expect(moneyState(create(DisbursementSchema, { state: DisbursementState.HELD }))).toBe("HELD");
  });
});

describe("the financial checks' shares", () => {
  it("are exact hundredths of a percent, rounded down", () => {
    // 750,000 of 1,000,000 yuan; 2 of 3 fen.
    expect(percentText(shareBasisPoints(75000000n, 100000000n))).toBe("75.00%");
    expect(percentText(shareBasisPoints(2n, 3n))).toBe("66.66%");
    expect(shareBasisPoints(1n, 0n)).toBe(0n);
  });
});

describe("audit times", () => {
  it("show in China Standard Time", () => {
    expect(chinaTime("2026-12-01T16:40:55.565345924+00:00")).toBe("2026-12-02 00:40");
    expect(chinaTime("2025-06-20T02:00:00Z")).toBe("2025-06-20 10:00");
    expect(chinaTime("not a time")).toBe("not a time");
  });
});
