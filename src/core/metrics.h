// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
// text exposition format. Updates are relaxed atomics (no locks); finding a labelled child
// locks only the first time a thread sees that label set (a thread-local cache after that).
// (DESIGN.md names prometheus-cpp, but Debian 12 does not package it.)
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::metrics {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void add(std::int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) { value_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void observe(double value);
  const std::vector<double>& bounds() const { return *bounds_; }
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative, +Inf last
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_nanos_{0};  // sum in units of 1e-9 (seconds -> ns)
};

// Latency buckets in seconds, 50 us .. 60 s.
const std::vector<double>& latency_buckets();
// Fine buckets for in-process overheads, 1 us .. 10 ms.
const std::vector<double>& overhead_buckets();

enum class Kind { kCounter, kGauge, kHistogram };

class FamilyBase {
 public:
  FamilyBase(Kind kind, std::string name, std::string help, std::vector<std::string> labels)
      : kind_(kind),
        name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        id_(next_id_.fetch_add(1)) {}
  virtual ~FamilyBase() = default;
  void render(std::string& out) const;

 protected:
  void* find_or_create(std::initializer_list<std::string_view> values);
  virtual void* create() = 0;
  virtual void render_child(std::string& out, const std::string& labels, const void* child) const = 0;
  Kind kind_;
  std::string name_;
  std::string help_;
  std::vector<std::string> labels_;

 private:
  // Process-unique id: keys the thread-local child cache (an address could be reused).
  static inline std::atomic<std::uint64_t> next_id_{1};
  std::uint64_t id_;
  mutable std::mutex mu_;
  std::map<std::string, void*> children_;  // rendered label set -> child (owned by subclass)
};

template <class Metric>
class Family final : public FamilyBase {
 public:
  Family(Kind kind, std::string name, std::string help, std::vector<std::string> labels,
         const std::vector<double>* bounds = nullptr)
      : FamilyBase(kind, std::move(name), std::move(help), std::move(labels)), bounds_(bounds) {}
  ~Family() override {
    for (auto* m : owned_) delete m;
  }
  // Label values in the order the family declared its label names.
  Metric& with(std::initializer_list<std::string_view> values) {
    return *static_cast<Metric*>(find_or_create(values));
  }

 private:
  void* create() override {
    Metric* m;
    if constexpr (std::is_same_v<Metric, Histogram>) {
      m = new Histogram(bounds_);
    } else {
      m = new Metric();
    }
    owned_.push_back(m);
    return m;
  }
  void render_child(std::string& out, const std::string& labels, const void* child) const override;
  const std::vector<double>* bounds_;
  std::vector<Metric*> owned_;
};

class Registry {
 public:
  Family<Counter>& counter(std::string name, std::string help, std::vector<std::string> labels);
  Family<Gauge>& gauge(std::string name, std::string help, std::vector<std::string> labels);
  Family<Histogram>& histogram(std::string name, std::string help,
                               std::vector<std::string> labels,
                               const std::vector<double>& bounds = latency_buckets());
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

}  // namespace plinth::metrics
