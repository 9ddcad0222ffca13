#include "model/utility_metadata.h"

#include <gtest/gtest.h>

namespace cloud::model {
namespace {

TEST(UtilityMetadata, CanonicalNamesInOrder) {
  const std::vector<std::string_view> names(AllUtilityNames().begin(), AllUtilityNames().end());
  EXPECT_EQ(names, (std::vector<std::string_view>{
                       "prometheus-operator", "thanos", "nginx", "nginx-internal", "fluentbit",
                       "teleport", "pgbouncer", "promtail", "rtcd", "node-problem-detector",
                       "metrics-server", "velero", "cloudprober"}));
  EXPECT_TRUE(IsKnownUtility("nginx"));
  EXPECT_FALSE(IsKnownUtility("Nginx"));
  EXPECT_FALSE(IsKnownUtility("grafana"));
  EXPECT_EQ(kUnmanagedUtilityVersion, "unmanaged");
}

TEST(UtilityMetadata, DefaultVersionsAndValuesPaths) {
  struct Case {
    std::string utility;
    std::string chart;
    std::string file;
  };
  const std::vector<Case> cases = {
      {"prometheus-operator", "54.2.2", "prometheus_operator_values.yaml"},
      {"thanos", "13.2.2", "thanos_values.yaml"},
      {"nginx", "4.11.1", "nginx_values.yaml"},
      {"nginx-internal", "4.11.1", "nginx_internal_values.yaml"},
      {"fluentbit", "0.31.0", "fluent-bit_values.yaml"},
      {"teleport", "12.4.34", "teleport_values.yaml"},
      {"pgbouncer", "1.2.1", "pgbouncer_values.yaml"},
      {"promtail", "6.15.5", "promtail_values.yaml"},
      {"rtcd", "1.3.0", "rtcd_values.yaml"},
      {"node-problem-detector", "2.3.12", "node_problem_detector_values.yaml"},
      {"metrics-server", "3.12.1", "metrics_server_values.yaml"},
      {"velero", "5.1.5", "velero_values.yaml"},
      {"cloudprober", "0.1.4", "cloudprober_values.yaml"},
  };
  ASSERT_EQ(cases.size(), AllUtilityNames().size());
  const UtilityDefaultsOptions with_url{"https://gitlab.example.com"};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.utility);
    EXPECT_EQ(DefaultUtilityChartVersion(c.utility), c.chart);
    EXPECT_EQ(DefaultUtilityValuesFileName(c.utility), c.file);
    auto v = DefaultUtilityVersion(c.utility, with_url);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->chart, c.chart);
    EXPECT_EQ(v->values_path,
              "https://gitlab.example.com/api/v4/projects/295/repository/files/"
              "dev%2F" +
                  c.file + "?ref=master");
    auto no_url = DefaultUtilityVersion(c.utility, {});
    ASSERT_TRUE(no_url);
    EXPECT_EQ(no_url->chart, c.chart);
    EXPECT_EQ(no_url->values_path, "");
  }
  EXPECT_FALSE(DefaultUtilityVersion("grafana", with_url));
  EXPECT_EQ(DefaultUtilityChartVersion("grafana"), "");
  EXPECT_EQ(BuildUtilityValuesPath("https://g", "x.yaml"),
            "https://g/api/v4/projects/295/repository/files/dev%2Fx.yaml?ref=master");
}

TEST(HelmUtilityVersion, Encodes) {
  EXPECT_EQ(EncodeJson(HelmUtilityVersion{"1.2.3", "p"}), R"({"Chart":"1.2.3","ValuesPath":"p"})");
  EXPECT_EQ(EncodeJson(HelmUtilityVersion{}), R"({"Chart":"","ValuesPath":""})");
}

TEST(HelmUtilityVersion, DecodesObjectStringAndJunkWithoutFailing) {
  struct Case {
    std::string name;
    std::string json;
    HelmUtilityVersion want;
  };
  const std::vector<Case> cases = {
      {"object", R"({"Chart":"1.0","ValuesPath":"p"})", {"1.0", "p"}},
      {"object keys any case", R"({"chart":"1.0","VALUESPATH":"p"})", {"1.0", "p"}},
      {"object unknown keys ignored", R"({"Chart":"1.0","Other":5})", {"1.0", ""}},
      {"object null fields", R"({"Chart":null,"ValuesPath":"p"})", {"", "p"}},
      {"bare string", R"("1.2.3")", {"1.2.3", ""}},
      {"unmanaged", R"("unmanaged")", {"unmanaged", ""}},
      {"empty string", R"("")", {"", ""}},
      {"number", "5", {"5", ""}},
      {"negative number", "-12", {"-12", ""}},
      {"bool", "true", {"true", ""}},
      {"array", R"([1,"a"])", {R"([1,"a"])", ""}},
      {"object with non-string chart",
       R"({"Chart":5,"ValuesPath":"p"})",
       {R"({"Chart":5,"ValuesPath":"p"})", "p"}},
      {"object with non-string values path",
       R"({"ValuesPath":true})",
       {R"({"ValuesPath":true})", ""}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto v = DecodeJson<HelmUtilityVersion>(c.json);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(*v, c.want);
  }
}

TEST(HelmUtilityVersion, MapValuesAcceptBothFormsAndNull) {
  auto m = DecodeJson<UtilityVersionMap>(
      R"({"nginx":"4.0.0","thanos":{"Chart":"1","ValuesPath":"v"},"velero":null,"x":7})");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->at("nginx"), (HelmUtilityVersion{"4.0.0", ""}));
  EXPECT_EQ(m->at("thanos"), (HelmUtilityVersion{"1", "v"}));
  EXPECT_FALSE(m->at("velero").has_value());
  EXPECT_EQ(m->at("x"), (HelmUtilityVersion{"7", ""}));
  EXPECT_EQ(EncodeJson(*m),
            R"({"nginx":{"Chart":"4.0.0","ValuesPath":""},"thanos":{"Chart":"1","ValuesPath":"v"},)"
            R"("velero":null,"x":{"Chart":"7","ValuesPath":""}})");
}

TEST(HelmUtilityVersion, IsEmpty) {
  EXPECT_TRUE((HelmUtilityVersion{"", ""}.IsEmpty()));
  EXPECT_TRUE((HelmUtilityVersion{"1", ""}.IsEmpty()));
  EXPECT_TRUE((HelmUtilityVersion{"", "p"}.IsEmpty()));
  EXPECT_FALSE((HelmUtilityVersion{"1", "p"}.IsEmpty()));
  EXPECT_FALSE((HelmUtilityVersion{"unmanaged", ""}.IsEmpty()));
}

std::string VersionsJson(const std::string& first) {
  std::string out = R"({"PrometheusOperator":)" + first;
  for (const char* key :
       {"Thanos", "Nginx", "NginxInternal", "Fluentbit", "Teleport", "Pgbouncer", "Promtail",
        "Rtcd", "NodeProblemDetector", "MetricsServer", "Velero", "Cloudprober"}) {
    out += std::string(",\"") + key + R"(":{"Chart":")" + key + R"(","ValuesPath":"p"})";
  }
  return out + "}";
}

TEST(UtilityMetadata, RoundTripFullyPopulated) {
  const std::string text =
      R"({"DesiredVersions":)" + VersionsJson(R"({"Chart":"54.2.2","ValuesPath":"p"})") +
      R"(,"ActualVersions":)" + VersionsJson("null") +
      R"(,"ManagedByArgocd":true,)"
      R"("ArgocdClusterRegister":{"ClusterType":"customer","Registered":true}})";
  auto m = DecodeJson<UtilityMetadata>(text);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(EncodeJson(*m), text);
  EXPECT_EQ(m->desired_versions.velero, (HelmUtilityVersion{"Velero", "p"}));
  EXPECT_FALSE(m->actual_versions.prometheus_operator.has_value());
}

TEST(UtilityMetadata, ZeroValueEncoding) {
  std::string nulls = R"({"PrometheusOperator":null,"Thanos":null,"Nginx":null,)"
                      R"("NginxInternal":null,"Fluentbit":null,"Teleport":null,"Pgbouncer":null,)"
                      R"("Promtail":null,"Rtcd":null,"NodeProblemDetector":null,)"
                      R"("MetricsServer":null,"Velero":null,"Cloudprober":null})";
  EXPECT_EQ(EncodeJson(UtilityMetadata{}), R"({"DesiredVersions":)" + nulls +
                                               R"(,"ActualVersions":)" + nulls +
                                               R"(,"ManagedByArgocd":false,)"
                                               R"("ArgocdClusterRegister":{}})");
}

TEST(UtilityGroupVersions, FindAndAsMap) {
  UtilityGroupVersions g;
  for (std::string_view name : AllUtilityNames()) {
    SCOPED_TRACE(std::string(name));
    auto* field = g.Find(name);
    ASSERT_NE(field, nullptr);
    *field = HelmUtilityVersion{std::string(name), ""};
  }
  EXPECT_EQ(g.Find("grafana"), nullptr);
  EXPECT_EQ(g.nginx_internal, (HelmUtilityVersion{"nginx-internal", ""}));
  EXPECT_EQ(g.node_problem_detector, (HelmUtilityVersion{"node-problem-detector", ""}));
  const UtilityVersionMap m = g.AsMap();
  EXPECT_EQ(m.size(), 13u);
  for (const auto& [name, version] : m) {
    ASSERT_TRUE(version);
    EXPECT_EQ(version->chart, name);
  }
  EXPECT_EQ(UtilityGroupVersions{}.AsMap().size(), 13u);
}

TEST(UtilityMetadata, SetDesiredAndActualVersions) {
  UtilityMetadata m;
  m.desired_versions.thanos = HelmUtilityVersion{"old", "p"};
  SetUtilityDesiredVersions(m, {{"nginx", HelmUtilityVersion{"1", "a"}},
                                {"thanos", std::nullopt},
                                {"grafana", HelmUtilityVersion{"9", "z"}}});
  EXPECT_EQ(m.desired_versions.nginx, (HelmUtilityVersion{"1", "a"}));
  EXPECT_FALSE(m.desired_versions.thanos.has_value());
  EXPECT_EQ(m.desired_versions.AsMap().size(), 13u);

  SetUtilityActualVersion(m, "nginx", HelmUtilityVersion{"1", "a"});
  EXPECT_EQ(m.actual_versions.nginx, (HelmUtilityVersion{"1", "a"}));
  EXPECT_FALSE(m.desired_versions.nginx.has_value());
  const UtilityMetadata before = m;
  SetUtilityActualVersion(m, "grafana", HelmUtilityVersion{"1", "a"});
  EXPECT_EQ(m, before);
}

TEST(UtilityMetadata, UtilityIsUnmanaged) {
  struct Case {
    std::string name;
    std::optional<HelmUtilityVersion> desired, actual;
    bool want;
  };
  const HelmUtilityVersion unmanaged{"unmanaged", ""};
  const HelmUtilityVersion v1{"1", "p"};
  const std::vector<Case> cases = {
      {"both unset", std::nullopt, std::nullopt, false},
      {"desired unmanaged", unmanaged, v1, true},
      {"actual unmanaged, no desired", std::nullopt, unmanaged, true},
      {"actual unmanaged, desired empty chart", HelmUtilityVersion{"", "p"}, unmanaged, true},
      {"actual unmanaged, new desired", v1, unmanaged, false},
      {"managed", v1, v1, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(UtilityIsUnmanaged(c.desired, c.actual), c.want);
  }
}

TEST(UtilityMetadata, ArgocdRegistration) {
  struct Case {
    std::string name;
    UtilityArgocdClusterRegister before;
    bool managed_before;
    std::map<std::string, std::string> values;
    UtilityArgocdClusterRegister after;
    bool managed_after;
  };
  const std::vector<Case> cases = {
      {"empty map changes nothing", {"", false}, false, {}, {"", false}, false},
      {"cluster-type on unregistered",
       {"", false},
       false,
       {{"cluster-type", "customer"}},
       {"customer", false},
       true},
      {"registered ignores values",
       {"old", true},
       false,
       {{"cluster-type", "new"}},
       {"old", true},
       false},
      {"force re-registers",
       {"old", true},
       false,
       {{"cluster-type", "new"}, {"force", "true"}},
       {"new", false},
       true},
      {"force alone resets and manages",
       {"old", true},
       false,
       {{"force", ""}},
       {"old", false},
       true},
      {"other keys only still manage", {"", false}, false, {{"x", "y"}}, {"", false}, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    UtilityMetadata m;
    m.argocd_cluster_register = c.before;
    m.managed_by_argocd = c.managed_before;
    ApplyArgocdRegistration(m, c.values);
    EXPECT_EQ(m.argocd_cluster_register, c.after);
    EXPECT_EQ(m.managed_by_argocd, c.managed_after);
  }
}

}  // namespace
}  // namespace cloud::model
