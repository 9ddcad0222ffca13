#include "api/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace cloud::api {
namespace {

[[noreturn]] void Fatal(const std::string& message) {
  std::fprintf(stderr, "fatal: %s\n", message.c_str());
  std::abort();
}

// Go's strconv.FormatFloat(v, 'g', -1, 64) shape as Prometheus clients print it.
void AppendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

void AppendEscaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

// Appends {a="x",b="y"[,le="..."]} (nothing when there are no labels at all).
void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const LabelValues& values, const std::string* le = nullptr) {
  if (names.empty() && le == nullptr) return;
  out.push_back('{');
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out.push_back(',');
    first = false;
    out += names[i];
    out += "=\"";
    AppendEscaped(out, values[i], true);
    out.push_back('"');
  }
  if (le != nullptr) {
    if (!first) out.push_back(',');
    out += "le=\"";
    out += *le;
    out.push_back('"');
  }
  out.push_back('}');
}

std::string_view TypeName(MetricFamily::Type type) {
  switch (type) {
    case MetricFamily::Type::kCounter:
      return "counter";
    case MetricFamily::Type::kGauge:
      return "gauge";
    case MetricFamily::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// The duration histogram's label values, in its label order.
LabelValues RequestLabels(std::string_view handler, std::string_view route, std::string_view method,
                          int status) {
  return {std::string(handler), std::string(route), std::string(method), std::to_string(status)};
}

}  // namespace

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double bound = start;
  for (int i = 0; i < count; ++i) {
    out.push_back(bound);
    bound *= factor;
  }
  return out;
}

std::vector<double> LinearBuckets(double start, double width, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(start + width * i);
  return out;
}

MetricFamily::MetricFamily(std::string name, std::string help, Type type,
                           std::vector<std::string> labels, std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      labels_(std::move(labels)) {}

MetricFamily::Series& MetricFamily::SeriesFor(const LabelValues& values) {
  if (values.size() != labels_.size()) {
    Fatal("metric " + name_ + " takes " + std::to_string(labels_.size()) + " label values, got " +
          std::to_string(values.size()));
  }
  auto it = series_.find(values);
  if (it == series_.end()) {
    it = series_.emplace(values, Series{}).first;
    if (type_ == Type::kHistogram) it->second.buckets.assign(bounds_.size(), 0);
  }
  return it->second;
}

void MetricFamily::Render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out.push_back(' ');
  AppendEscaped(out, help_, false);
  out += "\n# TYPE ";
  out += name_;
  out.push_back(' ');
  out += TypeName(type_);
  out.push_back('\n');

  std::lock_guard lock(mu_);
  if (series_.empty() && labels_.empty() && type_ != Type::kHistogram) {
    // A label-less counter or gauge exists (as 0) before its first update, as in client_golang.
    out += name_;
    out += " 0\n";
    return;
  }
  for (const auto& [values, series] : series_) {
    if (type_ != Type::kHistogram) {
      out += name_;
      AppendLabels(out, labels_, values);
      out.push_back(' ');
      AppendNumber(out, series.value);
      out.push_back('\n');
      continue;
    }
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      std::string le;
      if (i < bounds_.size()) {
        cumulative += series.buckets[i];
        AppendNumber(le, bounds_[i]);
      } else {
        cumulative = series.count;
        le = "+Inf";
      }
      out += name_;
      out += "_bucket";
      AppendLabels(out, labels_, values, &le);
      out.push_back(' ');
      out += std::to_string(cumulative);
      out.push_back('\n');
    }
    out += name_;
    out += "_sum";
    AppendLabels(out, labels_, values);
    out.push_back(' ');
    AppendNumber(out, series.sum);
    out.push_back('\n');
    out += name_;
    out += "_count";
    AppendLabels(out, labels_, values);
    out.push_back(' ');
    out += std::to_string(series.count);
    out.push_back('\n');
  }
}

void CounterFamily::Inc(const LabelValues& values, double by) {
  std::lock_guard lock(mu_);
  SeriesFor(values).value += by;
}

double CounterFamily::Value(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.value;
}

void GaugeFamily::Set(const LabelValues& values, double value) {
  std::lock_guard lock(mu_);
  SeriesFor(values).value = value;
}

void GaugeFamily::Add(const LabelValues& values, double delta) {
  std::lock_guard lock(mu_);
  SeriesFor(values).value += delta;
}

double GaugeFamily::Value(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.value;
}

void GaugeFamily::Clear() {
  std::lock_guard lock(mu_);
  series_.clear();
}

void HistogramFamily::Observe(const LabelValues& values, double value) {
  std::lock_guard lock(mu_);
  RecordLocked(SeriesFor(values), value);
}

HistogramFamily::Bound HistogramFamily::Bind(const LabelValues& values) {
  std::lock_guard lock(mu_);
  return Bound(&SeriesFor(values));
}

void HistogramFamily::ObserveBound(Bound bound, double value) {
  std::lock_guard lock(mu_);
  RecordLocked(*bound.series_, value);
}

void HistogramFamily::RecordLocked(Series& series, double value) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      ++series.buckets[i];
      break;
    }
  }
  ++series.count;
  series.sum += value;
}

uint64_t HistogramFamily::Count(const LabelValues& values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

MetricFamily* MetricsRegistry::Find(const std::string& name, MetricFamily::Type type,
                                    const std::vector<std::string>& labels) {
  auto it = families_.find(name);
  if (it == families_.end()) return nullptr;
  if (it->second->type() != type || it->second->label_names() != labels) {
    Fatal("metric " + name + " registered twice with different types or labels");
  }
  return it->second.get();
}

CounterFamily& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                           std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  if (MetricFamily* f = Find(name, MetricFamily::Type::kCounter, labels)) {
    return static_cast<CounterFamily&>(*f);
  }
  auto family = std::make_unique<CounterFamily>(name, help, std::move(labels));
  CounterFamily& ref = *family;
  families_.emplace(name, std::move(family));
  return ref;
}

GaugeFamily& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  if (MetricFamily* f = Find(name, MetricFamily::Type::kGauge, labels)) {
    return static_cast<GaugeFamily&>(*f);
  }
  auto family = std::make_unique<GaugeFamily>(name, help, std::move(labels));
  GaugeFamily& ref = *family;
  families_.emplace(name, std::move(family));
  return ref;
}

HistogramFamily& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                               std::vector<std::string> labels,
                                               std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  if (MetricFamily* f = Find(name, MetricFamily::Type::kHistogram, labels)) {
    return static_cast<HistogramFamily&>(*f);
  }
  auto family = std::make_unique<HistogramFamily>(name, help, std::move(labels), std::move(bounds));
  HistogramFamily& ref = *family;
  families_.emplace(name, std::move(family));
  return ref;
}

std::string MetricsRegistry::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) family->Render(out);
  return out;
}

HttpMetrics::HttpMetrics(MetricsRegistry& registry)
    : total_(registry.AddCounter("provisioner_api_requests_total",
                                 "The total number of processed API requests")),
      duration_(registry.AddHistogram(
          "provisioner_api_requests_duration", "The duration of API requests in seconds",
          {"handler", "route", "method", "status_code"}, ExponentialBuckets(0.001, 2, 15))) {}

void HttpMetrics::ObserveRequest(std::string_view handler, std::string_view route,
                                 std::string_view method, int status, double seconds) {
  total_.Inc();
  duration_.Observe(RequestLabels(handler, route, method, status), seconds);
}

HttpMetrics::Route::Route(HttpMetrics& metrics, std::string handler, std::string route,
                          std::string method)
    : metrics_(metrics),
      handler_(std::move(handler)),
      route_(std::move(route)),
      method_(std::move(method)) {}

void HttpMetrics::Route::Observe(int status, double seconds) {
  for (size_t i = 0; i < kStatuses; ++i) {
    int cached = statuses_[i].load(std::memory_order_acquire);
    if (cached == 0) {
      // A free slot: bind this status, unless another thread took the slot meanwhile.
      std::lock_guard lock(mu_);
      cached = statuses_[i].load(std::memory_order_relaxed);
      if (cached == 0) {
        bound_[i] = metrics_.duration_.Bind(RequestLabels(handler_, route_, method_, status));
        statuses_[i].store(status, std::memory_order_release);
        cached = status;
      }
    }
    if (cached == status) {
      metrics_.total_.Inc();
      metrics_.duration_.ObserveBound(bound_[i], seconds);
      return;
    }
  }
  metrics_.ObserveRequest(handler_, route_, method_, status, seconds);  // every slot taken
}

}  // namespace cloud::api
