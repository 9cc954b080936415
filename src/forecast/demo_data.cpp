#include "forecast/demo_data.hpp"

#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "forecast/csv_reader.hpp"
#include "forecast/dates.hpp"
#include "forecast/holidays.hpp"

namespace levain::forecast {
namespace {

enum class Kind { kBread, kPastry, kRoscon, kChristmasSweet, kTorrijas };

struct Catalogue {
  const char* name;
  Kind kind;
};

constexpr Catalogue kCatalogue[] = {
    {"Baguette", Kind::kBread},
    {"Croissant", Kind::kPastry},
    {"Pan de pueblo", Kind::kBread},
    {"Barra integral", Kind::kBread},
    {"Magdalenas", Kind::kPastry},
    {"Ensaimada", Kind::kPastry},
    {"Napolitana de chocolate", Kind::kPastry},
    {"Barra de pan", Kind::kBread},
    {"Roscón de Reyes", Kind::kRoscon},
    {"Pan de molde", Kind::kBread},
    {"Chapata", Kind::kBread},
    {"Palmera de chocolate", Kind::kPastry},
    {"Hogaza de centeno", Kind::kBread},
    {"Caña de crema", Kind::kPastry},
    {"Polvorones", Kind::kChristmasSweet},
    {"Pan de leche", Kind::kPastry},
    {"Torrijas", Kind::kTorrijas},
    {"Tarta de Santiago", Kind::kPastry},
    {"Empanada gallega", Kind::kBread},
    {"Bollo suizo", Kind::kPastry},
    {"Mollete", Kind::kBread},
    {"Rosquillas", Kind::kPastry},
    {"Pan sin gluten", Kind::kBread},
    {"Mantecados", Kind::kChristmasSweet},
    {"Trenza de hojaldre", Kind::kPastry},
};
constexpr int kCatalogueSize = static_cast<int>(std::size(kCatalogue));

// Own distributions on top of mt19937_64 (whose output the standard fixes), so the bytes do not
// depend on the standard library's distribution algorithms.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
  // Marsaglia and Tsang's method; shape >= 1 here.
  double gamma(double shape, double scale) {
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      double x = normal();
      double v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const double u = 1.0 - uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale;
    }
  }
  // Knuth's product method for small means, a rounded normal for large ones.
  long poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 40) return std::max(0L, std::lround(mean + std::sqrt(mean) * normal()));
    const double limit = std::exp(-mean);
    long k = 0;
    double p = uniform();
    while (p > limit) {
      ++k;
      p *= uniform();
    }
    return k;
  }

 private:
  std::mt19937_64 engine_;
};

struct Product {
  std::string name;
  Kind kind;
  double level;           // mean daily units before effects
  double weekday[7];      // Monday..Sunday multipliers
  double growth;          // per year, multiplicative
  double shape;           // negative-binomial shape: smaller = noisier
  double holiday_factor;  // 0 when the shop closes on holidays
};

Product make_product(int index, Random& rng) {
  const Catalogue& c = kCatalogue[index % kCatalogueSize];
  Product p;
  p.name = c.name;
  if (index >= kCatalogueSize) {
    // Separate appends: g++ 12 warns falsely (-Wrestrict) on `name += " " + std::to_string()`.
    p.name.push_back(' ');
    p.name.append(std::to_string(index / kCatalogueSize + 1));
  }
  p.kind = c.kind;
  const bool pastry = c.kind != Kind::kBread;
  p.level = std::exp(rng.uniform(std::log(pastry ? 8.0 : 25.0), std::log(pastry ? 80.0 : 250.0)));
  // Intermittent sellers: a few products sell a handful a day, with many zero days.
  if (index % 7 == 5) p.level = rng.uniform(0.4, 2.5);
  const double bread[7] = {0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 0.95};
  const double sweet[7] = {0.75, 0.7, 0.75, 0.8, 1.0, 1.5, 1.9};
  for (int d = 0; d < 7; ++d) p.weekday[d] = (pastry ? sweet[d] : bread[d]) * rng.uniform(0.9, 1.1);
  // A closed weekday for some shops: Sunday, and then holidays too.
  const bool closed_sunday = index % 4 == 3;
  if (closed_sunday) p.weekday[6] = 0.0;
  p.growth = rng.uniform(-0.08, 0.15);
  p.shape = rng.uniform(4.0, 30.0);
  p.holiday_factor = closed_sunday ? 0.0 : (pastry ? rng.uniform(1.2, 1.6) : rng.uniform(0.5, 0.8));
  return p;
}

double seasonal_factor(const Product& p, Date date, const HolidayCalendar& holidays) {
  const std::chrono::year_month_day ymd{date};
  const auto month = static_cast<unsigned>(ymd.month());
  const auto day = static_cast<unsigned>(ymd.day());
  const int doy = day_of_year(date);
  // Summer holidays: many customers leave the city in August.
  double f = 1.0 - 0.3 * std::exp(-std::pow((doy - 225) / 18.0, 2));
  f *= 1.0 + 0.08 * std::cos(2 * std::numbers::pi * (doy - 20) / 365.25);
  switch (p.kind) {
    case Kind::kRoscon:
      if (month == 1 && day <= 6)
        f *= day >= 5 ? 12.0 : 3.0;
      else if (month == 12 && day >= 20)
        f *= 1.5;
      else
        f *= 0.02;
      break;
    case Kind::kChristmasSweet:
      f *= (month == 12 || (month == 1 && day <= 6) || (month == 11 && day >= 15)) ? 2.5 : 0.05;
      break;
    case Kind::kTorrijas: {
      const Date easter = easter_sunday(static_cast<int>(ymd.year()));
      const auto days_before = (easter - date).count();
      f *= (days_before >= 0 && days_before <= 10) ? 6.0 : 0.2;
      break;
    }
    case Kind::kPastry:
      if (month == 12) f *= 1.2;
      break;
    case Kind::kBread:
      break;
  }
  if (holidays.contains(date)) f *= p.holiday_factor;
  return f;
}

}  // namespace

void write_demo_csv(std::ostream& out, const DemoDataOptions& options) {
  if (options.products < 1 || options.products > 5000) {
    throw std::invalid_argument("products must be between 1 and 5000");
  }
  if (options.days < 1 || options.days > 20000) {
    throw std::invalid_argument("days must be between 1 and 20000");
  }
  Random rng(options.seed);
  std::vector<Product> products;
  for (int i = 0; i < options.products; ++i) products.push_back(make_product(i, rng));
  const Date first = options.end - std::chrono::days{options.days - 1};
  const auto first_year = static_cast<int>(std::chrono::year_month_day{first}.year());
  const auto last_year = static_cast<int>(std::chrono::year_month_day{options.end}.year());
  const HolidayCalendar holidays = HolidayCalendar::spain(first_year, last_year);

  std::string line = "date,product,quantity\n";
  out << line;
  for (int d = 0; d < options.days; ++d) {
    const Date date = first + std::chrono::days{d};
    const std::string iso = format_iso_date(date);
    const double years = (d - options.days) / 365.25;
    for (const Product& p : products) {
      const double mean = p.level * p.weekday[iso_weekday(date)] *
                          seasonal_factor(p, date, holidays) * std::exp(p.growth * years);
      // Gamma-Poisson mixture = negative binomial: counts overdispersed like real sales.
      const long qty = mean > 0 ? rng.poisson(rng.gamma(p.shape, mean / p.shape)) : 0;
      line.assign(iso);
      line.push_back(',');
      append_csv_field(line, p.name);
      line.push_back(',');
      line += std::to_string(qty);
      line.push_back('\n');
      out << line;
    }
  }
}

}  // namespace levain::forecast
