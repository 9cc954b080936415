#include "forecast/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "forecast/csv_reader.hpp"
#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

std::string reason_at(const CsvParseResult& r, std::size_t line) {
  for (const auto& rej : r.rejected) {
    if (rej.line == line) return rej.reason;
  }
  return "<none>";
}

TEST(SalesCsv, AcceptsGoodRowsInOrder) {
  const auto r = parse_sales_csv(
      "date,product,quantity\n2024-01-01,Baguette,12\n"
      "2024-01-02,Croissant,3.5\n");
  ASSERT_EQ(r.fatal_error, "");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(format_iso_date(r.rows[0].date), "2024-01-01");
  EXPECT_EQ(r.rows[0].product, "Baguette");
  EXPECT_DOUBLE_EQ(r.rows[0].quantity, 12);
  EXPECT_DOUBLE_EQ(r.rows[1].quantity, 3.5);
  EXPECT_EQ(r.rejected_total, 0u);
}

TEST(SalesCsv, CrlfBomTrailingNewlineAndBlankLines) {
  const auto r = parse_sales_csv(
      "\xEF\xBB\xBF"
      "Date , PRODUCT,Quantity\r\n2024-01-01,Baguette,1\r\n\r\n2024-01-02,Baguette,2\r\n");
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1].product, "Baguette");
}

TEST(SalesCsv, QuotedFieldsWithEscapes) {
  const auto r = parse_sales_csv(
      "date,product,quantity\n2024-01-01,\"Pan, integral\",4\n2024-01-01,\"Tarta "
      "\"\"casera\"\"\",2\n"
      "2024-01-01,\"Pan\" x,1\n2024-01-01,\"Pan,1\n");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].product, "Pan, integral");
  EXPECT_EQ(r.rows[1].product, "Tarta \"casera\"");
  EXPECT_EQ(reason_at(r, 4), "unexpected character after a closing quote");
  EXPECT_EQ(reason_at(r, 5), "unterminated quoted field");
}

TEST(SalesCsv, EachRowReasonWithLineNumbers) {
  const std::string body =
      "date,product,quantity\n"      // 1
      "2024-02-30,Baguette,1\n"      // 2
      "2024-01-01,Baguette,abc\n"    // 3
      "2024-01-01,Baguette,-3\n"     // 4
      "2024-01-01,Baguette\n"        // 5
      "2024-01-01,,4\n"              // 6
      "2024-01-01,Baguette,nan\n"    // 7
      "2024-01-01,Baguette,inf\n"    // 8
      "2024-01-01,Baguette,1e400\n"  // 9
      "2024-01-01,Baguette,\n"       // 10
      "2024-01-01,Baguette,1,2\n"    // 11
      "2024-01-01,Bag\x01uette,1\n"  // 12
      "2024-01-01,Bag\xC3uette,1\n"  // 13
      "2024-01-01,Baguette,0x10\n"   // 14
      "2024-01-03,Baguette,+7\n";    // 15: good
  const auto r = parse_sales_csv(body);
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(reason_at(r, 2), "invalid date '2024-02-30' (expected YYYY-MM-DD)");
  EXPECT_EQ(reason_at(r, 3), "quantity 'abc' is not a number");
  EXPECT_EQ(reason_at(r, 4), "negative quantity -3");
  EXPECT_EQ(reason_at(r, 5), "expected 3 fields, found 2");
  EXPECT_EQ(reason_at(r, 6), "empty product name");
  EXPECT_EQ(reason_at(r, 7), "quantity 'nan' is not a finite number");
  EXPECT_EQ(reason_at(r, 8), "quantity 'inf' is not a finite number");
  EXPECT_EQ(reason_at(r, 9), "quantity '1e400' is out of range");
  EXPECT_EQ(reason_at(r, 10), "empty quantity");
  EXPECT_EQ(reason_at(r, 11), "expected 3 fields, found 4");
  EXPECT_EQ(reason_at(r, 12), "product name contains control characters");
  EXPECT_EQ(reason_at(r, 13), "product name is not valid UTF-8 (save the file as 'CSV UTF-8')");
  EXPECT_EQ(reason_at(r, 14), "quantity '0x10' is not a number");
  EXPECT_EQ(r.rejected_total, 13u);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_DOUBLE_EQ(r.rows[0].quantity, 7);
}

TEST(SalesCsv, RegressorsKeepNamesAndAllowEmptyCells) {
  const auto r = parse_sales_csv(
      "date,product,quantity,Temperature,promo\n2024-01-01,Baguette,3,21.5,1\n"
      "2024-01-02,Baguette,4,,0\n2024-01-03,Baguette,5,warm,0\n");
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(r.regressor_names, (std::vector<std::string>{"Temperature", "promo"}));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_DOUBLE_EQ(r.rows[0].regressors[0], 21.5);
  EXPECT_TRUE(std::isnan(r.rows[1].regressors[0]));
  EXPECT_EQ(reason_at(r, 4), "regressor 'Temperature' value 'warm' is not a number");
}

TEST(SalesCsv, SoldOutFlagsAndTimesAreLowerBoundsNotRegressors) {
  const auto r = parse_sales_csv(
      "date,product,quantity,sold_out,sold_out_at\n2024-01-01,Baguette,30,1,\n"
      "2024-01-02,Baguette,28,,15:40\n2024-01-03,Baguette,12,false,\n"
      "2024-01-04,Baguette,9,maybe,\n2024-01-05,Baguette,9,,25:00\n"
      "2024-01-06,Baguette,9,no,14:00\n2024-01-07,Baguette,31,YES,09:05\n");
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_TRUE(r.regressor_names.empty()) << "neither column is a regressor";
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_TRUE(r.rows[0].sold_out);
  EXPECT_TRUE(r.rows[1].sold_out) << "a time alone says it sold out";
  EXPECT_FALSE(r.rows[2].sold_out);
  EXPECT_TRUE(r.rows[3].sold_out);
  EXPECT_EQ(reason_at(r, 5), "sold_out 'maybe' is not 0/1, true/false or yes/no");
  EXPECT_EQ(reason_at(r, 6), "sold_out_at '25:00' is not a time HH:MM (00:00 to 23:59)");
  EXPECT_EQ(reason_at(r, 7), "sold_out says no but sold_out_at is 14:00");
  const auto plain = parse_sales_csv("date,product,quantity\n2024-01-01,Baguette,3\n");
  EXPECT_FALSE(plain.rows.at(0).sold_out);
}

TEST(SalesCsv, ColumnsInAnyOrder) {
  const auto r = parse_sales_csv("product,quantity,date\nBaguette,2,2024-01-01\n");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].product, "Baguette");
}

TEST(SalesCsv, DuplicatesAreAllKeptInOrder) {
  const auto r =
      parse_sales_csv("date,product,quantity\n2024-01-01,Baguette,1\n2024-01-01,Baguette,9\n");
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_DOUBLE_EQ(r.rows.back().quantity, 9);  // last wins when the store upserts in order
}

TEST(SalesCsv, FatalErrors) {
  EXPECT_NE(parse_sales_csv("").fatal_error, "");
  EXPECT_NE(parse_sales_csv("\xEF\xBB\xBF\r\n  \n").fatal_error, "");
  EXPECT_NE(parse_sales_csv("date,product\n2024-01-01,Baguette\n").fatal_error.find("quantity"),
            std::string::npos);
  EXPECT_NE(parse_sales_csv("date,product,quantity,date\n").fatal_error.find("twice"),
            std::string::npos);
  EXPECT_NE(parse_sales_csv("date,product,quantity,\n").fatal_error, "");
  EXPECT_NE(parse_sales_csv("date,product,quantity\n").fatal_error, "");  // no data rows
  CsvLimits limits;
  limits.max_regressors = 1;
  EXPECT_NE(parse_sales_csv("date,product,quantity,a,b\n2024-01-01,x,1,2,3\n", limits)
                .fatal_error.find("too many regressor"),
            std::string::npos);
}

TEST(SalesCsv, Limits) {
  CsvLimits limits;
  limits.max_rows = 2;
  const auto too_many = parse_sales_csv(
      "date,product,quantity\n2024-01-01,a,1\n2024-01-02,a,1\n2024-01-03,a,1\n", limits);
  EXPECT_NE(too_many.fatal_error.find("too many rows"), std::string::npos);
  EXPECT_TRUE(too_many.rows.empty());

  limits = CsvLimits{};
  limits.max_line_bytes = 30;
  limits.max_product_name = 5;
  limits.max_rejections_reported = 2;
  const auto r = parse_sales_csv("date,product,quantity\n2024-01-01," + std::string(40, 'x') +
                                     ",1\n2024-01-01,Croissant,1\n2024-01-01,abc,x\n"
                                     "2024-01-01,abc,y\n2024-01-01,abc,2\n",
                                 limits);
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(reason_at(r, 2), "line longer than 30 bytes");
  EXPECT_EQ(reason_at(r, 3), "product name longer than 5 bytes");
  EXPECT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected_total, 4u);
  EXPECT_EQ(r.rows.size(), 1u);
}

// What Excel writes in Spain: ';' between fields, a decimal comma, DD/MM/YYYY, a BOM and CRLF.
TEST(SalesCsv, SpanishExcelFile) {
  const auto r = parse_sales_csv(
      "\xEF\xBB\xBF"
      "date;product;quantity;temperatura\r\n"
      "05/01/2024;Pan de pueblo;12;8,5\r\n"
      "13/01/2024;Cruas\xC3\xA1n;1,5;\r\n"
      "14/01/2024;Cruas\xC3\xA1n;2;-1,25\r\n");
  ASSERT_EQ(r.fatal_error, "");
  ASSERT_EQ(r.rows.size(), 3u) << (r.rejected.empty() ? "" : r.rejected[0].reason);
  EXPECT_EQ(format_iso_date(r.rows[0].date), "2024-01-05");  // line 3 proves day first
  EXPECT_EQ(format_iso_date(r.rows[1].date), "2024-01-13");
  EXPECT_EQ(r.rows[1].product, "Cruas\xC3\xA1n");
  EXPECT_DOUBLE_EQ(r.rows[0].regressors[0], 8.5);
  EXPECT_DOUBLE_EQ(r.rows[1].quantity, 1.5);
  EXPECT_TRUE(std::isnan(r.rows[1].regressors[0]));
  EXPECT_DOUBLE_EQ(r.rows[2].regressors[0], -1.25);
  EXPECT_EQ(r.regressor_names, (std::vector<std::string>{"temperatura"}));
}

TEST(SalesCsv, SeparatorComesFromTheHeader) {
  const auto tabs = parse_sales_csv("date\tproduct\tquantity\n2024-01-01\tPan, integral\t3\n");
  ASSERT_EQ(tabs.fatal_error, "");
  ASSERT_EQ(tabs.rows.size(), 1u);
  EXPECT_EQ(tabs.rows[0].product, "Pan, integral");
  // A quoted ';' in a comma header does not count; a quoted separator stays in its field.
  const auto quoted = parse_sales_csv(
      "date,product,quantity,\"a;b;c\"\n2024-01-01,\"x;y\",1,2\n"
      "2024-01-02;Pan;1;2\n");
  ASSERT_EQ(quoted.fatal_error, "");
  ASSERT_EQ(quoted.rows.size(), 1u);
  EXPECT_EQ(quoted.rows[0].product, "x;y");
  EXPECT_EQ(reason_at(quoted, 3),
            "expected 4 fields, found 1: the header uses ',' but this line seems to use ';'");
  EXPECT_EQ(detect_separator("date;product;quantity"), ';');
  EXPECT_EQ(detect_separator("date,product,quantity;x"), ',');
  EXPECT_EQ(detect_separator("date"), ',');
}

TEST(SalesCsv, DecimalCommaOnlyWithSemicolons) {
  const auto comma_file = parse_sales_csv(
      "date,product,quantity\n2024-01-01,Pan,\"1,5\"\n"
      "2024-01-02,Pan,2\n");
  EXPECT_EQ(reason_at(comma_file, 2),
            "quantity '1,5' is not a number (a decimal comma is read only in files separated by "
            "';')");
  const auto semi = parse_sales_csv(
      "date;product;quantity\n2024-01-01;Pan;1.5\n2024-01-02;Pan;1.234,5\n"
      "2024-01-03;Pan;1,2,3\n2024-01-04;Pan;,5\n");
  ASSERT_EQ(semi.fatal_error, "");
  ASSERT_EQ(semi.rows.size(), 2u);
  EXPECT_DOUBLE_EQ(semi.rows[0].quantity, 1.5);  // a decimal point is read too
  EXPECT_DOUBLE_EQ(semi.rows[1].quantity, 0.5);
  EXPECT_EQ(reason_at(semi, 3),
            "quantity '1.234,5' is not a number (write it without a thousands separator, as "
            "1234,5)");
  EXPECT_EQ(reason_at(semi, 4), reason_at(semi, 3).replace(10, 7, "1,2,3"));
}

TEST(SalesCsv, SlashDatesTakeTheOrderTheFileProves) {
  const auto month_first = parse_sales_csv(
      "date,product,quantity\n01/02/2024,Pan,1\n12/31/2024,Pan,2\n31/12/2024,Pan,3\n");
  ASSERT_EQ(month_first.fatal_error, "");
  ASSERT_EQ(month_first.rows.size(), 2u);
  EXPECT_EQ(format_iso_date(month_first.rows[0].date), "2024-01-02");
  EXPECT_EQ(reason_at(month_first, 4),
            "invalid date '31/12/2024' (no such day as MM/DD/YYYY, the order that line 3 "
            "('12/31/2024') shows)");
  // ISO dates are read whatever the order, and a single-digit day or month is fine.
  const auto mixed =
      parse_sales_csv("date;product;quantity\n2024-03-01;Pan;1\n1/2/2024;Pan;1\n25/2/2024;Pan;1\n");
  ASSERT_EQ(mixed.fatal_error, "");
  ASSERT_EQ(mixed.rows.size(), 3u);
  EXPECT_EQ(format_iso_date(mixed.rows[1].date), "2024-02-01");
  // Nothing to decide on: the rows are rejected one by one, the file is not fatal.
  const auto impossible =
      parse_sales_csv("date,product,quantity\n31/31/2024,Pan,1\n2024-01-01,Pan,1\n5/1/24,Pan,1\n");
  ASSERT_EQ(impossible.fatal_error, "");
  EXPECT_EQ(reason_at(impossible, 2),
            "invalid date '31/31/2024' (no such day as DD/MM/YYYY or MM/DD/YYYY)");
  EXPECT_EQ(reason_at(impossible, 4), "invalid date '5/1/24' (expected YYYY-MM-DD)");
}

TEST(SalesCsv, AmbiguousSlashDatesNeedTheFormatNamed) {
  const std::string body = "date;product;quantity\n05/01/2024;Pan;1\n06/01/2024;Pan;2\n";
  const auto guessed = parse_sales_csv(body);
  EXPECT_TRUE(guessed.rows.empty());
  EXPECT_EQ(guessed.fatal_error,
            "the dates use '/' and every one reads both as DD/MM/YYYY and as MM/DD/YYYY (line 2 "
            "has '05/01/2024'): name the order with ?date_format=dd/mm/yyyy or "
            "?date_format=mm/dd/yyyy, or write dates as YYYY-MM-DD");
  const auto day_first = parse_sales_csv(body, {}, DateFormat::day_first);
  ASSERT_EQ(day_first.rows.size(), 2u);
  EXPECT_EQ(format_iso_date(day_first.rows[1].date), "2024-01-06");
  const auto month_first = parse_sales_csv(body, {}, DateFormat::month_first);
  ASSERT_EQ(month_first.rows.size(), 2u);
  EXPECT_EQ(format_iso_date(month_first.rows[1].date), "2024-06-01");
  // A named order wins over what the file would prove, and `iso` refuses slash dates.
  const auto named = parse_sales_csv("date,product,quantity\n13/01/2024,Pan,1\n01/02/2024,Pan,1\n",
                                     {}, DateFormat::month_first);
  EXPECT_EQ(reason_at(named, 2),
            "invalid date '13/01/2024' (no such day as MM/DD/YYYY, the order that "
            "?date_format=mm/dd/yyyy names)");
  const auto iso = parse_sales_csv("date,product,quantity\n13/01/2024,Pan,1\n2024-01-02,Pan,1\n",
                                   {}, DateFormat::iso);
  EXPECT_EQ(reason_at(iso, 2),
            "invalid date '13/01/2024' (expected YYYY-MM-DD, as ?date_format=iso asks)");
  EXPECT_EQ(iso.rows.size(), 1u);
}

TEST(SalesCsv, DateFormatNames) {
  EXPECT_EQ(parse_date_format(""), DateFormat::automatic);
  EXPECT_EQ(parse_date_format("auto"), DateFormat::automatic);
  EXPECT_EQ(parse_date_format("ISO"), DateFormat::iso);
  EXPECT_EQ(parse_date_format("DD/MM/YYYY"), DateFormat::day_first);
  EXPECT_EQ(parse_date_format("mm/dd/yyyy"), DateFormat::month_first);
  EXPECT_EQ(parse_date_format("dd-mm-yyyy"), std::nullopt);
}

// A header that is not ours says what the parser saw, separator included.
TEST(SalesCsv, HeaderErrorsNameWhatWasRead) {
  EXPECT_EQ(parse_sales_csv("Fecha;Producto;Cantidad\n05/01/2024;Pan;1\n").fatal_error,
            "bad header row: expected the columns date, product and quantity (in any order; more "
            "columns are regressors); missing date, product, quantity: the header uses ';' and its "
            "columns are 'Fecha', 'Producto', 'Cantidad'");
  EXPECT_EQ(parse_sales_csv("date|product|quantity\n2024-01-01|Pan|1\n").fatal_error,
            "bad header row: expected the columns date, product and quantity (in any order; more "
            "columns are regressors); missing date, product, quantity: the header uses ',' and its "
            "only column is 'date|product|quantity' (separate the columns with ',' or ';')");
  // What Excel's "Unicode text" writes: UTF-16 with a BOM.
  const std::string utf16(
      "\xFF\xFE"
      "d\0a\0t\0e\0",
      10);
  EXPECT_EQ(parse_sales_csv(utf16).fatal_error,
            "the body is UTF-16 text (or holds NUL bytes), not UTF-8: save the file as 'CSV UTF-8' "
            "and upload it again");
}

}  // namespace
}  // namespace levain::forecast
