// Route of spec upstream-api.md §3.11 GET /api/events/state_change over real HTTP against a
// real SQLite store (events written by the installation store's outbox).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"

namespace cloud::apitest {
namespace {

using model::InstallationState;

class EventRoutes : public OperationsApiTest {};

TEST_P(EventRoutes, EmptyIsEmptyArray) {
  WireResponse r = Get("/api/events/state_change");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.body, "[]\n");
}

TEST_P(EventRoutes, ListsNewestFirstWithFiltersAndPaging) {
  model::Installation a = MakeInstallation("alpha", InstallationState::kCreationRequested);
  clock_.Advance(10);
  model::Installation b = MakeInstallation("bravo", InstallationState::kCreationRequested);
  clock_.Advance(10);
  SetInstallationState(a.id, InstallationState::kStable);

  WireResponse all = Get("/api/events/state_change");
  ASSERT_EQ(all.status, 200);
  nlohmann::ordered_json events = all.Json();
  ASSERT_EQ(events.size(), 3u);
  // Exact shape of the newest one.
  const auto& newest = events[0];
  std::string event_id = newest["Event"]["ID"];
  std::string change_id = newest["StateChange"]["ID"];
  std::string expected = R"({"Event":{"ID":")" + event_id +
                         R"(","EventType":"resourceStateChange","Timestamp":)" +
                         std::to_string(clock_.NowMillis()) + R"(,"ExtraData":{"fields":)" +
                         newest["Event"]["ExtraData"]["fields"].dump() +
                         R"(}},"StateChange":{"ID":")" + change_id + R"(","EventID":")" + event_id +
                         R"(","OldState":"creation-requested","NewState":"stable",)"
                         R"("ResourceID":")" +
                         a.id + R"(","ResourceType":"installation"}})";
  EXPECT_EQ(newest.dump(), expected);
  EXPECT_EQ(events[1]["StateChange"]["ResourceID"], b.id);
  EXPECT_EQ(events[1]["StateChange"]["OldState"], "n/a");
  EXPECT_EQ(events[2]["StateChange"]["ResourceID"], a.id);

  auto ids = [&](const std::string& query) {
    WireResponse r = Get("/api/events/state_change" + query);
    EXPECT_EQ(r.status, 200) << query;
    std::vector<std::string> out;
    for (const auto& item : r.Json()) out.push_back(item["StateChange"]["NewState"]);
    return out;
  };
  EXPECT_EQ(ids("?resource_id=" + a.id),
            (std::vector<std::string>{"stable", "creation-requested"}));
  EXPECT_EQ(ids("?resource_type=installation&resource_id=" + b.id),
            (std::vector<std::string>{"creation-requested"}));
  EXPECT_EQ(ids("?resource_type=cluster"), (std::vector<std::string>{}));
  EXPECT_EQ(ids("?per_page=1&page=2"), (std::vector<std::string>{"creation-requested"}));
  EXPECT_EQ(ids("?include_deleted=true").size(), 3u);
  EXPECT_EQ(Get("/api/events/state_change?include_deleted=yes").status, 400);
  EXPECT_EQ(Get("/api/events/state_change?page=1e3").status, 400);
  EXPECT_EQ(Post("/api/events/state_change").status, 405);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(EventRoutes);

}  // namespace
}  // namespace cloud::apitest
