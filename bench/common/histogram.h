// A log-linear latency histogram in the spirit of HdrHistogram: microsecond values from 0 to
// 60 s, each bucket at most 1/128 (0.8%) wide relative to its values, O(1) record, fixed
// memory (about 20 KiB), mergeable across threads.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace plinth::bench {

class LatencyHistogram {
 public:
  // Values below 2^kSubBucketBits have a bucket each; above, every power of two is split into
  // 2^(kSubBucketBits-1) equal buckets.
  static constexpr int kSubBucketBits = 8;
  static constexpr uint64_t kLinearLimit = uint64_t{1} << kSubBucketBits;
  static constexpr uint64_t kHalf = kLinearLimit / 2;
  static constexpr uint64_t kMaxTrackable = 60'000'000;  // 60 s in microseconds

  static constexpr size_t index_of(uint64_t v) {
    if (v < kLinearLimit) return static_cast<size_t>(v);
    const int shift = (63 - std::countl_zero(v)) - (kSubBucketBits - 1);
    return static_cast<size_t>(uint64_t(shift) * kHalf + (v >> shift));
  }
  // The smallest and largest value that fall into bucket `i`.
  static constexpr uint64_t lowest_in(size_t i) {
    if (i < kLinearLimit) return i;
    const uint64_t shift = (i - kLinearLimit) / kHalf + 1;
    return (i - shift * kHalf) << shift;
  }
  static constexpr uint64_t highest_in(size_t i) {
    if (i < kLinearLimit) return i;
    const uint64_t shift = (i - kLinearLimit) / kHalf + 1;
    return ((i - shift * kHalf + 1) << shift) - 1;
  }
  static constexpr size_t bucket_count() { return index_of(kMaxTrackable) + 1; }

  LatencyHistogram() : counts_(bucket_count(), 0) {}

  // Values above kMaxTrackable land in the last bucket; max() still reports them exactly.
  void record(uint64_t value_us) {
    counts_[index_of(std::min(value_us, kMaxTrackable))]++;
    ++count_;
    sum_ += value_us;
    min_ = std::min(min_, value_us);
    max_ = std::max(max_, value_us);
  }

  void merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = sum_ = max_ = 0;
    min_ = std::numeric_limits<uint64_t>::max();
  }

  // The value at percentile `p` (0..100): the highest value of the bucket holding the
  // ceil(p% * count)-th smallest sample, so it never understates; clamped to [min, max].
  uint64_t percentile(double p) const {
    if (count_ == 0) return 0;
    if (p >= 100.0) return max_;
    const double want = std::ceil(std::max(p, 0.0) / 100.0 * static_cast<double>(count_));
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(want));
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::clamp(highest_in(i), min_, max_);
    }
    return max_;
  }

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

}  // namespace plinth::bench
