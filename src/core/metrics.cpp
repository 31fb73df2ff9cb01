#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace plinth::metrics {

namespace {

void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

std::string render_labels(const std::vector<std::string>& names,
                          std::initializer_list<std::string_view> values) {
  std::string out;
  std::size_t i = 0;
  for (auto v : values) {
    if (i >= names.size()) break;
    out += i ? "," : "";
    out += names[i];
    out += "=\"";
    append_escaped(out, v);
    out += '"';
    ++i;
  }
  return out;
}

// `{a="b"}`, or nothing for a family without labels.
std::string braces(const std::string& labels) {
  return labels.empty() ? std::string() : "{" + labels + "}";
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds->size() + 1]) {
  for (std::size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) {
  const auto& b = *bounds_;
  const auto idx = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), value) - b.begin());
  buckets_[idx].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (value > 0) {
    sum_nanos_.fetch_add(static_cast<std::uint64_t>(value * 1e9), std::memory_order_relaxed);
  }
}

double Histogram::sum() const {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> kBuckets = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,     0.25,   0.5,     1,      2.5,   5,      10,    30,   60};
  return kBuckets;
}

const std::vector<double>& overhead_buckets() {
  static const std::vector<double> kBuckets = {1e-6,   2e-6,   3e-6,   5e-6,   7.5e-6, 10e-6,
                                               15e-6,  20e-6,  30e-6,  50e-6,  75e-6,  100e-6,
                                               250e-6, 500e-6, 1e-3,   2.5e-3, 10e-3};
  return kBuckets;
}

namespace {

// The label sets a thread used last with one family (values joined by append_value): a
// few, because a request records some families twice with different values (tokens in and
// out, the request and response overheads).
struct LastUse {
  static constexpr std::size_t kSets = 4;
  std::array<std::string, kSets> values;
  std::array<void*, kSets> child{};
  std::size_t next = 0;  // the slot to replace on a miss

  void* find(std::initializer_list<std::string_view> wanted) const;
  void remember(std::string_view joined, void* c) {
    values[next].assign(joined);
    child[next] = c;
    next = (next + 1) % kSets;
  }
};

// Label values joined as (4-byte length, bytes) each, so that no value can pass for two.
void append_value(std::string& key, std::string_view v) {
  const auto n = static_cast<std::uint32_t>(v.size());
  key.append(reinterpret_cast<const char*>(&n), sizeof n);
  key.append(v.data(), v.size());
}

bool same_values(std::string_view joined, std::initializer_list<std::string_view> values) {
  std::size_t at = 0;
  for (auto v : values) {
    std::uint32_t n = 0;
    if (joined.size() < at + sizeof n) return false;
    std::memcpy(&n, joined.data() + at, sizeof n);
    at += sizeof n;
    if (n != v.size() || joined.compare(at, v.size(), v) != 0) return false;
    at += v.size();
  }
  return at == joined.size();
}

void* LastUse::find(std::initializer_list<std::string_view> wanted) const {
  for (std::size_t i = 0; i < kSets; ++i) {
    if (child[i] != nullptr && same_values(values[i], wanted)) return child[i];
  }
  return nullptr;
}

}  // namespace

void* FamilyBase::find_or_create(std::initializer_list<std::string_view> values) {
  // First, per thread and family, the label sets used last: a request path records the
  // same model and version over and over, and a comparison is cheaper than a hash. Families
  // have process-unique ids, so a destroyed family's entry is never hit again.
  // Families are few in a server; tests create thousands. Past this id, no memo (each entry
  // is ~170 bytes per thread).
  constexpr std::uint64_t kMaxRemembered = 1 << 14;
  thread_local std::vector<LastUse> last;
  if (id_ < last.size()) {
    if (void* hit = last[id_].find(values)) return hit;
  }
  // Then a per-thread cache keyed by (family, label values): the registry lock is taken
  // once per label set per thread. The key is built in a reused buffer and looked up
  // without a copy, so a hit allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  thread_local std::unordered_map<std::string, void*, Hash, std::equal_to<>> cache;
  thread_local std::string key;
  key.assign(reinterpret_cast<const char*>(&id_), sizeof id_);
  for (auto v : values) append_value(key, v);
  void* child = nullptr;
  if (auto it = cache.find(std::string_view(key)); it != cache.end()) {
    child = it->second;
  } else {
    std::string labels = render_labels(labels_, values);
    {
      std::lock_guard lock(mu_);
      auto found = children_.find(labels);
      if (found == children_.end()) found = children_.emplace(labels, create()).first;
      child = found->second;
    }
    cache.emplace(key, child);
  }
  if (id_ < kMaxRemembered) {
    if (id_ >= last.size()) last.resize(id_ + 1);
    last[id_].remember(std::string_view(key).substr(sizeof id_), child);
  }
  return child;
}

void FamilyBase::render(std::string& out) const {
  static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
  out += "# HELP " + name_ + " " + help_ + "\n";
  out += "# TYPE " + name_ + " " + kTypes[static_cast<int>(kind_)] + "\n";
  std::lock_guard lock(mu_);
  for (const auto& [labels, child] : children_) render_child(out, labels, child);
}

template <>
void Family<Counter>::render_child(std::string& out, const std::string& labels,
                                   const void* child) const {
  out += fmt::format("{}{} {}\n", name_, braces(labels), static_cast<const Counter*>(child)->value());
}

template <>
void Family<Gauge>::render_child(std::string& out, const std::string& labels,
                                 const void* child) const {
  out += fmt::format("{}{} {}\n", name_, braces(labels), static_cast<const Gauge*>(child)->value());
}

template <>
void Family<Histogram>::render_child(std::string& out, const std::string& labels,
                                     const void* child) const {
  const auto* h = static_cast<const Histogram*>(child);
  const std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  const auto& bounds = h->bounds();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += h->bucket(i);
    const std::string le = i < bounds.size() ? format_double(bounds[i]) : "+Inf";
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name_, labels, sep, le, cumulative);
  }
  out += fmt::format("{}_sum{} {}\n", name_, braces(labels), format_double(h->sum()));
  out += fmt::format("{}_count{} {}\n", name_, braces(labels), h->count());
}

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  auto f = std::make_unique<Family<Counter>>(Kind::kCounter, std::move(name), std::move(help),
                                             std::move(labels));
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  auto f = std::make_unique<Family<Gauge>>(Kind::kGauge, std::move(name), std::move(help),
                                           std::move(labels));
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<std::string> labels,
                                       const std::vector<double>& bounds) {
  std::lock_guard lock(mu_);
  auto f = std::make_unique<Family<Histogram>>(Kind::kHistogram, std::move(name), std::move(help),
                                               std::move(labels), &bounds);
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

std::string Registry::render() const {
  std::string out;
  out.reserve(16 * 1024);
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->render(out);
  return out;
}

}  // namespace plinth::metrics
