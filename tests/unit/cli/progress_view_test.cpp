#include "cli/client/progress_view.hpp"

#include <gtest/gtest.h>

namespace levain::cli {
namespace {

ProgressFields fields(int progress, std::string step, int done, int total, std::string product) {
  ProgressFields f;
  f.progress = progress;
  f.step = std::move(step);
  f.products_completed = done;
  f.total_products = total;
  f.product = std::move(product);
  return f;
}

TEST(ProgressView, ZeroPercent) {
  EXPECT_EQ(render_progress(fields(0, "Starting", 0, 0, ""), 80, false),
            "[....................]   0%  Starting");
}

TEST(ProgressView, FortyFivePercent) {
  EXPECT_EQ(render_progress(fields(45, "Model Training", 27, 60, "Baguette"), 80, false),
            "[#########...........]  45%  Model Training  27/60  Baguette");
}

TEST(ProgressView, HundredPercent) {
  EXPECT_EQ(render_progress(fields(100, "Completed", 60, 60, "Croissant"), 80, false),
            "[####################] 100%  Completed  60/60  Croissant");
}

TEST(ProgressView, OutOfRangeIsClamped) {
  EXPECT_EQ(render_progress(fields(-5, "", 0, 0, ""), 80, false), "[....................]   0%");
  EXPECT_EQ(render_progress(fields(140, "", 0, 0, ""), 80, false), "[####################] 100%");
}

TEST(ProgressView, LongProductNameIsTruncatedToWidth) {
  const std::string name(200, 'x');
  const std::string line = render_progress(fields(45, "Model Training", 27, 60, name), 80, false);
  EXPECT_EQ(visible_length(line), 80u);
  EXPECT_EQ(line.rfind("...") + 3, line.size());
  EXPECT_EQ(line.substr(0, 50), "[#########...........]  45%  Model Training  27/60");
}

TEST(ProgressView, NarrowWidthsNeverOverflow) {
  const auto f = fields(45, "Model Training", 27, 60, "Pain au chocolat aux amandes");
  for (std::size_t width = 1; width <= 100; ++width) {
    SCOPED_TRACE(width);
    EXPECT_LE(visible_length(render_progress(f, width, false)), width);
    EXPECT_LE(visible_length(render_progress(f, width, true)), width);
  }
  EXPECT_EQ(render_progress(f, 40, false), "[####......]  45%  Model Training  27/60");
}

TEST(ProgressView, TruncationNeverSplitsUtf8) {
  // "Ensaïmada" repeated: 'ï' is two bytes; every cut must land on a character boundary.
  std::string name;
  for (int i = 0; i < 10; ++i) name += "Ensa\xC3\xAFmada ";
  for (std::size_t width = 30; width <= 120; ++width) {
    const std::string line = render_progress(fields(50, "", 1, 2, name), width, false);
    ASSERT_LE(visible_length(line), width);
    const auto last = static_cast<unsigned char>(line.back());
    EXPECT_FALSE(last == 0xC3) << "cut inside a UTF-8 character at width " << width;
  }
}

TEST(ProgressView, ColourOnlyWhenAsked) {
  const auto f = fields(50, "Model Training", 1, 2, "Baguette");
  EXPECT_EQ(render_progress(f, 80, false).find('\x1b'), std::string::npos);
  const std::string coloured = render_progress(f, 80, true);
  EXPECT_NE(coloured.find("\x1b[32m"), std::string::npos);
  EXPECT_EQ(visible_length(coloured), visible_length(render_progress(f, 80, false)));
}

TEST(ProgressView, FieldsFromLiveState) {
  LiveState state;
  const auto f = progress_fields(state);
  EXPECT_EQ(f.progress, 0);
  EXPECT_EQ(f.total_products, 0);
  EXPECT_EQ(render_progress(f, 80, false), "[....................]   0%");
}

TEST(ProgressView, EtaAccuracyAndWhatIsFittingComeAfterTheCountsAndGiveWayFirst) {
  ProgressFields f;
  f.progress = 45;
  f.step = "Model Training";
  f.products_completed = 27;
  f.total_products = 60;
  f.detail = "ETA 1m05s  MASE 0.83  fitting Rye +1";
  EXPECT_EQ(
      render_progress(f, 120, false),
      "[#########...........]  45%  Model Training  27/60  ETA 1m05s  MASE 0.83  fitting Rye +1");
  const auto narrow = render_progress(f, 60, false);
  EXPECT_LE(visible_length(narrow), 60u);
  EXPECT_EQ(narrow.rfind("[####......]  45%", 0), 0u) << narrow;
  EXPECT_NE(narrow.find("ETA 1m05s"), std::string::npos) << "the ETA goes last: " << narrow;
}

TEST(ProgressView, DurationsReadAsAPersonSaysThem) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(44.6), "45s");
  EXPECT_EQ(format_duration(65), "1m05s");
  EXPECT_EQ(format_duration(3725), "1h02m");
  EXPECT_EQ(format_duration(-3), "0s");
}

}  // namespace
}  // namespace levain::cli
