// Fuzzes the working-day calendar loader: no input may crash it, and on an
// accepted year counting forward must land on working days in order.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scoring/calendar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto year = evald::scoring::ParseYearCalendar(
      std::string(reinterpret_cast<const char*>(data), size));
  if (!year.ok()) return 0;
  evald::scoring::WorkingDayCalendar calendar;
  const int y = year->year;
  if (!calendar.AddYear(*std::move(year)).ok()) std::abort();
  evald::scoring::Date previous(y, 1, 1);
  for (int n = 1; n <= 40; ++n) {
    const auto next = calendar.AddWorkingDays(evald::scoring::Date(y, 1, 1), n);
    if (!(next.date > previous) || !calendar.IsWorkingDay(next.date)) {
      std::abort();
    }
    previous = next.date;
  }
  return 0;
}
