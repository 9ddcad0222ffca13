// Prometheus text exposition format of the metrics registry.
#include "api/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cloud::api {
namespace {

TEST(Metrics, RendersTextExpositionFormat) {
  MetricsRegistry registry;
  CounterFamily& requests = registry.AddCounter("b_requests_total", "Requests.\nSecond line \\");
  requests.Inc();
  requests.Inc({}, 2);
  GaugeFamily& clusters = registry.AddGauge("a_clusters", "Clusters per state.", {"state"});
  clusters.Set({"stable"}, 3);
  clusters.Set({"creation-requested"}, 1);
  clusters.Add({"stable"}, -1);
  clusters.Set({"we\"ird\\\n"}, 0.5);
  HistogramFamily& latency =
      registry.AddHistogram("c_latency_seconds", "Latency.", {"route"}, {0.1, 1, 2.5});
  latency.Observe({"/x"}, 0.05);
  latency.Observe({"/x"}, 0.1);
  latency.Observe({"/x"}, 2);
  latency.Observe({"/x"}, 30);
  registry.AddGauge("d_empty", "Never set.");

  EXPECT_EQ(registry.Render(),
            "# HELP a_clusters Clusters per state.\n"
            "# TYPE a_clusters gauge\n"
            "a_clusters{state=\"creation-requested\"} 1\n"
            "a_clusters{state=\"stable\"} 2\n"
            "a_clusters{state=\"we\\\"ird\\\\\\n\"} 0.5\n"
            "# HELP b_requests_total Requests.\\nSecond line \\\\\n"
            "# TYPE b_requests_total counter\n"
            "b_requests_total 3\n"
            "# HELP c_latency_seconds Latency.\n"
            "# TYPE c_latency_seconds histogram\n"
            "c_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "c_latency_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"
            "c_latency_seconds_bucket{route=\"/x\",le=\"2.5\"} 3\n"
            "c_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "c_latency_seconds_sum{route=\"/x\"} 32.15\n"
            "c_latency_seconds_count{route=\"/x\"} 4\n"
            "# HELP d_empty Never set.\n"
            "# TYPE d_empty gauge\n"
            "d_empty 0\n");
}

TEST(Metrics, BucketHelpers) {
  EXPECT_EQ(ExponentialBuckets(0.001, 2, 4), (std::vector<double>{0.001, 0.002, 0.004, 0.008}));
  EXPECT_EQ(LinearBuckets(0, 15, 3), (std::vector<double>{0, 15, 30}));
}

TEST(Metrics, ReRegisteringReturnsTheSameFamily) {
  MetricsRegistry registry;
  GaugeFamily& a = registry.AddGauge("g", "help", {"x"});
  GaugeFamily& b = registry.AddGauge("g", "help", {"x"});
  EXPECT_EQ(&a, &b);
  a.Set({"1"}, 4);
  EXPECT_EQ(b.Value({"1"}), 4);
  a.Clear();
  EXPECT_EQ(b.Value({"1"}), 0);
  EXPECT_DEATH(registry.AddCounter("g", "help"), "registered twice");
}

TEST(Metrics, HttpMetricsUseUpstreamNames) {
  MetricsRegistry registry;
  HttpMetrics metrics(registry);
  metrics.ObserveRequest("handleGetCluster", "/api/cluster/{cluster:id}", "GET", 200, 0.003);
  const std::string text = registry.Render();
  EXPECT_NE(text.find("provisioner_api_requests_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("provisioner_api_requests_duration_bucket{handler=\"handleGetCluster\","
                      "route=\"/api/cluster/{cluster:id}\",method=\"GET\",status_code=\"200\","
                      "le=\"0.004\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("le=\"16.384\"} 1\n"), std::string::npos);
}

// A route's series are bound per status on first use: every request counts once, in its own
// status's series, also past the statuses the route caches (8) and from several threads.
TEST(Metrics, RouteMetricsCountEveryStatusOnce) {
  MetricsRegistry registry;
  HttpMetrics metrics(registry);
  HttpMetrics::Route route(metrics, "handleGetInstallation", "/api/installation/{installation}",
                           "GET");
  const std::vector<int> statuses = {200, 404, 500, 400, 401, 403, 409, 413, 503, 202, 204};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 25; ++round) {
        for (int status : statuses) route.Observe(status, 0.002);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  HistogramFamily& duration = registry.AddHistogram(
      "provisioner_api_requests_duration", "The duration of API requests in seconds",
      {"handler", "route", "method", "status_code"}, ExponentialBuckets(0.001, 2, 15));
  for (int status : statuses) {
    EXPECT_EQ(duration.Count({"handleGetInstallation", "/api/installation/{installation}", "GET",
                              std::to_string(status)}),
              100u)
        << status;
  }
  EXPECT_NE(registry.Render().find("provisioner_api_requests_total 1100\n"), std::string::npos);
}

}  // namespace
}  // namespace cloud::api
