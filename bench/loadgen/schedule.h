// Request-schedule arithmetic of the load generator: when each open-loop request is due, and
// which streams are aborted (and after how many chunks). Pure, so it is unit-tested alone.
#pragma once

#include <cmath>
#include <cstdint>

namespace plinth::bench {

// Open loop: request i is due at start + i / rate, whatever happened to the ones before, so
// latency counted from the due time includes any wait the system under test caused
// (no coordinated omission).
class OpenSchedule {
 public:
  OpenSchedule(int64_t start_ns, double rate_per_s)
      : start_ns_(start_ns), period_ns_(1e9 / rate_per_s) {}

  int64_t due_ns(uint64_t i) const {
    return start_ns_ + static_cast<int64_t>(std::llround(static_cast<double>(i) * period_ns_));
  }

  // How many requests are due at or before `now_ns` (the count of i with due_ns(i) <= now).
  uint64_t due_count(int64_t now_ns) const {
    if (now_ns < start_ns_) return 0;
    auto n = static_cast<uint64_t>(static_cast<double>(now_ns - start_ns_) / period_ns_) + 1;
    while (n > 0 && due_ns(n - 1) > now_ns) --n;  // floating-point edge cases
    while (due_ns(n) <= now_ns) ++n;
    return n;
  }

  double period_ns() const { return period_ns_; }

 private:
  int64_t start_ns_;
  double period_ns_;
};

// A well-mixed 64-bit hash (splitmix64), for choices that must be repeatable.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Whether request `index` is aborted: exactly floor(n * fraction) of the first n requests
// are, spread evenly (fraction in parts per million, so the count is exact).
inline bool should_abort(uint64_t index, double fraction) {
  const auto ppm = static_cast<uint64_t>(std::llround(fraction * 1e6));
  return (index + 1) * ppm / 1'000'000 > index * ppm / 1'000'000;
}

// After how many chunks an aborted stream is closed: 1 to chunks-1, spread over requests,
// so streams are cut mid-way rather than before they start or after they end.
inline uint64_t abort_after_chunks(uint64_t index, uint64_t chunks) {
  if (chunks < 3) return 1;
  return 1 + mix64(index) % (chunks - 1);
}

}  // namespace plinth::bench
