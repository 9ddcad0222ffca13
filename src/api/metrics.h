// Prometheus metrics: a small thread-safe registry rendered in the text exposition format
// (version 0.0.4), and the HTTP request metrics every API handler records.
//
// Served by the metrics server on --metrics-port at GET /metrics (upstream-core.md §8).
// Other layers add their own families (e.g. resource counts per state) through the
// registry they are given in app/; there is no global registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cloud::api {

using LabelValues = std::vector<std::string>;

// `count` upper bounds start, start*factor, ... (Prometheus ExponentialBuckets).
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// `count` upper bounds start, start+width, ... (Prometheus LinearBuckets).
std::vector<double> LinearBuckets(double start, double width, int count);

// A named metric with fixed label names; one series per distinct label-value tuple.
// Thread-safe. Passing a number of label values different from the label names is a bug and
// aborts.
class MetricFamily {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  MetricFamily(std::string name, std::string help, Type type, std::vector<std::string> labels,
               std::vector<double> bounds = {});
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  Type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return labels_; }

  // Appends this family (HELP, TYPE, samples sorted by label values) to `out`.
  void Render(std::string& out) const;

 protected:
  struct Series {
    double value = 0;               // counter / gauge
    std::vector<uint64_t> buckets;  // histogram: per-bound counts (not cumulative)
    uint64_t count = 0;             // histogram
    double sum = 0;                 // histogram
  };
  Series& SeriesFor(const LabelValues& values);  // requires mu_ held

  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_;
  const std::vector<double> bounds_;

 private:
  const std::string name_;
  const std::string help_;
  const Type type_;
  const std::vector<std::string> labels_;
};

class CounterFamily final : public MetricFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels)
      : MetricFamily(std::move(name), std::move(help), Type::kCounter, std::move(labels)) {}
  void Inc(const LabelValues& values = {}, double by = 1);
  double Value(const LabelValues& values = {}) const;
};

class GaugeFamily final : public MetricFamily {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> labels)
      : MetricFamily(std::move(name), std::move(help), Type::kGauge, std::move(labels)) {}
  void Set(const LabelValues& values, double value);
  void Add(const LabelValues& values, double delta);
  double Value(const LabelValues& values = {}) const;
  // Drops every series (for gauges recomputed from scratch, e.g. counts per state).
  void Clear();
};

class HistogramFamily final : public MetricFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                  std::vector<double> bounds)
      : MetricFamily(std::move(name), std::move(help), Type::kHistogram, std::move(labels),
                     std::move(bounds)) {}
  void Observe(const LabelValues& values, double value);

  // A series resolved once and then observed without building its label values (it lives as
  // long as the family).
  class Bound {
   public:
    Bound() = default;

   private:
    friend class HistogramFamily;
    explicit Bound(Series* series) : series_(series) {}
    Series* series_ = nullptr;
  };
  Bound Bind(const LabelValues& values);
  void ObserveBound(Bound series, double value);

  // Number of observations of one series (for tests).
  uint64_t Count(const LabelValues& values) const;

 private:
  void RecordLocked(Series& series, double value);  // requires mu_ held
};

// Owns metric families. Add* returns the existing family when the name is already
// registered with the same type and labels (a different shape aborts: a naming bug).
// Thread-safe; families live as long as the registry.
class MetricsRegistry {
 public:
  CounterFamily& AddCounter(const std::string& name, const std::string& help,
                            std::vector<std::string> labels = {});
  GaugeFamily& AddGauge(const std::string& name, const std::string& help,
                        std::vector<std::string> labels = {});
  HistogramFamily& AddHistogram(const std::string& name, const std::string& help,
                                std::vector<std::string> labels, std::vector<double> bounds);

  // The whole registry in the Prometheus text format, families sorted by name.
  std::string Render() const;

 private:
  MetricFamily* Find(const std::string& name, MetricFamily::Type type,
                     const std::vector<std::string>& labels);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<MetricFamily>> families_;
};

// Content-Type of Render()'s output.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Request metrics of the API server, named as upstream's (upstream-core.md §8):
//   provisioner_api_requests_total                      counter, no labels
//   provisioner_api_requests_duration{handler,route,method,status_code}  histogram, seconds,
//     exponential buckets 1 ms .. 16.4 s (upstream: Go's default buckets, no `route`).
class HttpMetrics {
 public:
  explicit HttpMetrics(MetricsRegistry& registry);
  void ObserveRequest(std::string_view handler, std::string_view route, std::string_view method,
                      int status, double seconds);

  // The series of one route, resolved per status code on its first use: a request then
  // records its duration without building label strings or searching the family.
  class Route {
   public:
    Route(HttpMetrics& metrics, std::string handler, std::string route, std::string method);
    void Observe(int status, double seconds);

   private:
    static constexpr size_t kStatuses = 8;  // distinct statuses cached; more take the slow path
    HttpMetrics& metrics_;
    const std::string handler_, route_, method_;
    std::mutex mu_;                              // serialises adding a status
    std::atomic<int> statuses_[kStatuses] = {};  // 0: free; set after bound_[i]
    HistogramFamily::Bound bound_[kStatuses];
  };

 private:
  CounterFamily& total_;
  HistogramFamily& duration_;
};

}  // namespace cloud::api
