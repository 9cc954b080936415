// CSV files as spreadsheets save them (README "CSV format"), through the real binary: a Spanish
// Excel file (';', decimal comma, DD/MM/YYYY, BOM, CRLF) is stored as written, ambiguous slash
// dates ask for ?date_format=, and what still fails is named.

#include <string>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class CsvDialectTest : public LevainTest {
 protected:
  static constexpr const char* kSales = "/api/v1/tenants/bakery/sales";
};

TEST_F(CsvDialectTest, SpanishExcelFileIsStoredAsWritten) {
  start_server();
  const std::string tok = token({"bakery"});
  const std::string excel =
      "\xEF\xBB\xBF"
      "date;product;quantity;temperatura\r\n"
      "05/01/2024;Pan de pueblo;12;8,5\r\n"
      "13/01/2024;Cruas\xC3\xA1n;1,5;\r\n"
      "14/01/2024;Cruas\xC3\xA1n;2;-1,25\r\n"
      "14/01/2024;Ensaimada;3,75;7\r\n";
  const auto first = http().post(kSales, tok, excel, "text/csv");
  ASSERT_EQ(first.status, 200) << first.summary();
  EXPECT_EQ(int_at(first.json, "accepted"), 4) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "rejected"), 0) << dump(first.json);
  EXPECT_EQ(int_at(first.json, "inserted"), 4) << dump(first.json);

  // The same days written the ISO way are updates, not new rows: the slash dates were read
  // day first (13/01 proves it), including 05/01, which alone could have been May 1.
  const auto iso = http().post(kSales, tok,
                               "date,product,quantity,temperatura\n"
                               "2024-01-05,Pan de pueblo,12,8.5\n"
                               "2024-01-13,Cruas\xC3\xA1n,1.5,\n"
                               "2024-01-14,Cruas\xC3\xA1n,2,-1.25\n"
                               "2024-01-14,Ensaimada,3.75,7\n",
                               "text/csv");
  ASSERT_EQ(iso.status, 200) << iso.summary();
  EXPECT_EQ(int_at(iso.json, "inserted"), 0) << dump(iso.json);
  EXPECT_EQ(int_at(iso.json, "updated"), 4) << dump(iso.json);
}

TEST_F(CsvDialectTest, AmbiguousDatesAskForTheFormatAndProblemsAreNamed) {
  start_server();
  const std::string tok = token({"bakery"});
  const std::string ambiguous = "date;product;quantity\r\n05/01/2024;Pan;1\r\n06/01/2024;Pan;2\r\n";
  const auto refused = http().post(kSales, tok, ambiguous, "text/csv");
  ASSERT_EQ(refused.status, 400) << refused.summary();
  EXPECT_EQ(str_at(refused.json, "error/code"), "invalid_csv");
  EXPECT_NE(str_at(refused.json, "error/message").find("?date_format=dd/mm/yyyy"),
            std::string::npos)
      << dump(refused.json);

  const auto named =
      http().post(std::string(kSales) + "?date_format=dd/mm/yyyy", tok, ambiguous, "text/csv");
  ASSERT_EQ(named.status, 200) << named.summary();
  EXPECT_EQ(int_at(named.json, "inserted"), 2) << dump(named.json);
  const auto as_iso =
      http().post(kSales, tok, "date,product,quantity\n2024-01-06,Pan,2\n", "text/csv");
  EXPECT_EQ(int_at(as_iso.json, "updated"), 1) << as_iso.summary();  // 06/01 was 6 January

  const auto bogus =
      http().post(std::string(kSales) + "?date_format=yyyy.mm.dd", tok, ambiguous, "text/csv");
  ASSERT_EQ(bogus.status, 400) << bogus.summary();
  EXPECT_EQ(str_at(bogus.json, "error/message"),
            "query parameter 'date_format' must be one of auto, iso, dd/mm/yyyy, mm/dd/yyyy");

  // A header in Spanish: the message says what it read, separator included.
  const auto spanish =
      http().post(kSales, tok, "Fecha;Producto;Cantidad\r\n13/01/2024;Pan;1\r\n", "text/csv");
  ASSERT_EQ(spanish.status, 400) << spanish.summary();
  EXPECT_NE(str_at(spanish.json, "error/message")
                .find("the header uses ';' and its columns are 'Fecha', 'Producto', 'Cantidad'"),
            std::string::npos)
      << dump(spanish.json);

  // Every row bad: 422 lists each row; a row in another separator says so.
  const auto rows =
      http().post(kSales, tok, "date;product;quantity\n2024-01-01,Pan,1\n", "text/csv");
  ASSERT_EQ(rows.status, 422) << rows.summary();
  EXPECT_EQ(str_at(rows.json, "errors/0/reason"),
            "expected 3 fields, found 1: the header uses ';' but this line seems to use ','");

  // Holidays share the reader: ';' and a day-first date.
  const auto holidays =
      http().request("PUT", "/api/v1/tenants/bakery/holidays",
                     "\xEF\xBB\xBF"
                     "date;holiday\r\n24/06/2024;San Juan\r\n",
                     {{"Authorization", "Bearer " + tok}, {"Content-Type", "text/csv"}});
  ASSERT_EQ(holidays.status, 200) << holidays.summary();
  const auto listed = http().get("/api/v1/tenants/bakery/holidays", tok);
  ASSERT_EQ(listed.status, 200) << listed.summary();
  EXPECT_EQ(str_at(listed.json, "holidays/0/date"), "2024-06-24") << dump(listed.json);
  EXPECT_EQ(str_at(listed.json, "holidays/0/holiday"), "San Juan") << dump(listed.json);
}

}  // namespace
}  // namespace levain::integration
