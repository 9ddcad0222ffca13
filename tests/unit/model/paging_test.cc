#include "model/paging.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "model/filters.h"

namespace cloud::model {
namespace {

using Query = std::map<std::string, std::string>;

TEST(Paging, DefaultsWhenAbsentOrEmpty) {
  for (const Query& q : {Query{}, Query{{"page", ""}, {"per_page", ""}, {"include_deleted", ""}}}) {
    auto p = ParsePaging(q);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->page, 0);
    EXPECT_EQ(p->per_page, 100);
    EXPECT_FALSE(p->include_deleted);
    EXPECT_EQ(*p, Paging{});
  }
}

TEST(Paging, ParsesValues) {
  struct Case {
    std::string name;
    Query query;
    Paging want;
  };
  const std::vector<Case> cases = {
      {"explicit", {{"page", "2"}, {"per_page", "10"}, {"include_deleted", "true"}}, {2, 10, true}},
      {"all pages", {{"per_page", "-1"}}, {0, -1, false}},
      {"all pages ignore page", {{"page", "3"}, {"per_page", "-1"}}, {3, -1, false}},
      {"empty page", {{"per_page", "0"}}, {0, 0, false}},
      {"plus sign", {{"page", "+5"}}, {5, 100, false}},
      {"minus zero", {{"page", "-0"}}, {0, 100, false}},
      {"leading zeros", {{"page", "007"}, {"per_page", "010"}}, {7, 10, false}},
      {"max per_page", {{"per_page", "9223372036854775807"}}, {0, INT64_MAX, false}},
      {"unrelated keys ignored", {{"owner", "x"}}, {0, 100, false}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto p = ParsePaging(c.query);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(*p, c.want);
  }
}

TEST(Paging, RejectsJunkNamingTheParameter) {
  struct Case {
    std::string name;
    Query query;
    std::string parameter;
  };
  const std::vector<Case> cases = {
      {"page word", {{"page", "abc"}}, "page"},
      {"page float", {{"page", "1.5"}}, "page"},
      {"page space", {{"page", " 1"}}, "page"},
      {"page trailing space", {{"page", "1 "}}, "page"},
      {"page underscore", {{"page", "1_000"}}, "page"},
      {"page hex", {{"page", "0x10"}}, "page"},
      {"page sign only", {{"page", "+"}}, "page"},
      {"page overflow", {{"page", "9223372036854775808"}}, "page"},
      {"per_page word", {{"per_page", "all"}}, "per_page"},
      {"per_page minus only", {{"per_page", "-"}}, "per_page"},
      {"include_deleted yes", {{"include_deleted", "yes"}}, "include_deleted"},
      {"include_deleted mixed case", {{"include_deleted", "TrUe"}}, "include_deleted"},
      {"include_deleted 2", {{"include_deleted", "2"}}, "include_deleted"},
      {"negative page", {{"page", "-1"}}, "page"},
      {"per_page below -1", {{"per_page", "-2"}}, "per_page"},
      {"offset overflow", {{"page", "9223372036854775807"}, {"per_page", "2"}}, "page"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto p = ParsePaging(c.query);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(p.error().message.find(c.parameter), std::string::npos) << p.error().message;
  }
}

TEST(Paging, EveryParseBoolSpelling) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    SCOPED_TRACE(t);
    EXPECT_EQ(GoParseBool(t), std::optional<bool>(true));
    auto p = ParsePaging(Query{{"include_deleted", t}});
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->include_deleted);
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    SCOPED_TRACE(f);
    EXPECT_EQ(GoParseBool(f), std::optional<bool>(false));
    auto p = ParsePaging(Query{{"include_deleted", f}});
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->include_deleted);
  }
  for (const char* junk : {"yes", "no", "on", "tRUE", "fALSE", "01", " true", "true ", "y"}) {
    SCOPED_TRACE(junk);
    EXPECT_EQ(GoParseBool(junk), std::nullopt);
  }
}

TEST(Paging, GoAtoiEdges) {
  EXPECT_EQ(GoAtoi("0"), 0);
  EXPECT_EQ(GoAtoi("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(GoAtoi("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(GoAtoi("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(GoAtoi("99999999999999999999"), std::nullopt);
  EXPECT_EQ(GoAtoi(""), std::nullopt);
  EXPECT_EQ(GoAtoi("--1"), std::nullopt);
  EXPECT_EQ(GoAtoi("1e3"), std::nullopt);
}

TEST(Paging, HelpersAndQuery) {
  EXPECT_EQ(AllPagesNotDeleted(), (Paging{0, -1, false}));
  EXPECT_EQ(AllPagesWithDeleted(), (Paging{0, -1, true}));
  EXPECT_TRUE(AllPagesNotDeleted().IsAllPages());
  EXPECT_EQ(AllPagesNotDeleted().Offset(), 0);
  EXPECT_EQ((Paging{3, 20, false}).Offset(), 60);

  QueryParams q;
  AddPagingToQuery(Paging{1, 50, false}, q);
  EXPECT_EQ(q, (QueryParams{{"page", "1"}, {"per_page", "50"}}));
  q.clear();
  AddPagingToQuery(AllPagesWithDeleted(), q);
  EXPECT_EQ(q, (QueryParams{{"page", "0"}, {"per_page", "-1"}, {"include_deleted", "true"}}));
}

TEST(Paging, OptionalBool) {
  Query q{{"deletion_locked", "false"}};
  auto v = ParseQueryOptionalBool(QueryFromMap(q), "deletion_locked");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, std::optional<bool>(false));
  auto absent = ParseQueryOptionalBool(QueryFromMap(q), "other");
  ASSERT_TRUE(absent);
  EXPECT_EQ(*absent, std::nullopt);
  Query bad{{"deletion_locked", "maybe"}};
  auto err = ParseQueryOptionalBool(QueryFromMap(bad), "deletion_locked");
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("deletion_locked"), std::string::npos);
}

// Filters ----------------------------------------------------------------------------------

TEST(Filters, InstallationFilterReadsEveryParameter) {
  Query q{{"page", "1"},
          {"per_page", "5"},
          {"owner", "o"},
          {"group", "g"},
          {"state", "stable"},
          {"dns_name", "a.example.com"},
          {"name", "n"},
          {"deletion_locked", "true"},
          {"include_group_config", "false"},
          {"include_group_config_overrides", "0"}};
  auto f = ParseInstallationFilter(QueryFromMap(q));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->paging, (Paging{1, 5, false}));
  EXPECT_EQ(f->owner_id, "o");
  EXPECT_EQ(f->group_id, "g");
  EXPECT_EQ(f->state, "stable");
  EXPECT_EQ(f->dns, "a.example.com");
  EXPECT_EQ(f->name, "n");
  EXPECT_EQ(f->deletion_locked, std::optional<bool>(true));
  EXPECT_FALSE(f->include_group_config);
  EXPECT_FALSE(f->include_group_config_overrides);
  EXPECT_EQ(f->DnsMatch(), StringMatch::kExact);

  auto defaults = ParseInstallationFilter(QueryFromMap(Query{}));
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->include_group_config);
  EXPECT_TRUE(defaults->include_group_config_overrides);
  EXPECT_EQ(defaults->deletion_locked, std::nullopt);
}

TEST(Filters, InstallationDnsLikeOnlyWithPercent) {
  struct Case {
    std::string dns;
    StringMatch want;
  };
  for (const Case& c : std::vector<Case>{{"a.example.com", StringMatch::kExact},
                                         {"a_b.example.com", StringMatch::kExact},
                                         {"%.example.com", StringMatch::kLike},
                                         {"a%", StringMatch::kLike},
                                         {"", StringMatch::kExact}}) {
    SCOPED_TRACE(c.dns);
    InstallationFilter f;
    f.dns = c.dns;
    EXPECT_EQ(f.DnsMatch(), c.want);
  }
}

TEST(Filters, BadBooleansAndPagingAreRejected) {
  struct Case {
    std::string name;
    std::function<Result<void>(const QueryLookup&)> parse;
    Query query;
    std::string parameter;
  };
  auto wrap = [](auto fn) {
    return [fn](const QueryLookup& q) -> Result<void> {
      auto r = fn(q);
      if (!r) return r.error();
      return Ok();
    };
  };
  const std::vector<Case> cases = {
      {"installations deletion_locked",
       wrap(ParseInstallationFilter),
       {{"deletion_locked", "x"}},
       "deletion_locked"},
      {"installations include_group_config",
       wrap(ParseInstallationFilter),
       {{"include_group_config", "x"}},
       "include_group_config"},
      {"installations overrides",
       wrap(ParseInstallationFilter),
       {{"include_group_config_overrides", "x"}},
       "include_group_config_overrides"},
      {"groups show_installation_count",
       wrap(ParseGroupFilter),
       {{"show_installation_count", "x"}},
       "show_installation_count"},
      {"clusters paging", wrap(ParseClusterFilter), {{"page", "x"}}, "page"},
      {"cluster installations paging",
       wrap(ParseClusterInstallationFilter),
       {{"per_page", "x"}},
       "per_page"},
      {"webhooks paging", wrap(ParseWebhookFilter), {{"page", "x"}}, "page"},
      {"subscriptions paging", wrap(ParseSubscriptionsFilter), {{"page", "x"}}, "page"},
      {"events include_deleted",
       wrap(ParseStateChangeEventFilter),
       {{"include_deleted", "x"}},
       "include_deleted"},
      {"backups paging", wrap(ParseInstallationBackupFilter), {{"page", "x"}}, "page"},
      {"restorations paging", wrap(ParseInstallationDBRestorationFilter), {{"page", "x"}}, "page"},
      {"migrations paging", wrap(ParseInstallationDBMigrationFilter), {{"page", "x"}}, "page"},
      {"multitenant paging", wrap(ParseMultitenantDatabaseFilter), {{"page", "x"}}, "page"},
      {"logical paging", wrap(ParseLogicalDatabaseFilter), {{"page", "x"}}, "page"},
      {"schemas paging", wrap(ParseDatabaseSchemaFilter), {{"page", "x"}}, "page"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = c.parse(QueryFromMap(c.query));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(c.parameter), std::string::npos) << r.error().message;
  }
}

TEST(Filters, RouteParametersMapToFields) {
  const Query q{{"cluster", "c"},
                {"installation", "i"},
                {"cluster_installation", "ci"},
                {"state", "s"},
                {"owner", "o"},
                {"event_type", "e"},
                {"resource_type", "rt"},
                {"resource_id", "rid"},
                {"vpc_id", "v"},
                {"database_type", "postgres"},
                {"multitenant_database_id", "m"},
                {"logical_database_id", "l"},
                {"installation_id", "ii"},
                {"show_installation_count", "1"},
                {"include_deleted", "true"}};
  const QueryLookup lookup = QueryFromMap(q);

  auto ci = ParseClusterInstallationFilter(lookup);
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->cluster_id, "c");
  EXPECT_EQ(ci->installation_id, "i");
  EXPECT_TRUE(ci->paging.include_deleted);

  auto groups = ParseGroupFilter(lookup);
  ASSERT_TRUE(groups);
  EXPECT_TRUE(groups->with_installation_count);

  auto webhooks = ParseWebhookFilter(lookup);
  ASSERT_TRUE(webhooks);
  EXPECT_EQ(webhooks->owner_id, "o");

  auto subs = ParseSubscriptionsFilter(lookup);
  ASSERT_TRUE(subs);
  EXPECT_EQ(subs->owner, "o");
  EXPECT_EQ(subs->event_type, "e");

  auto events = ParseStateChangeEventFilter(lookup);
  ASSERT_TRUE(events);
  EXPECT_EQ(events->resource_type, "rt");
  EXPECT_EQ(events->resource_id, "rid");

  auto backups = ParseInstallationBackupFilter(lookup);
  ASSERT_TRUE(backups);
  EXPECT_EQ(backups->installation_id, "i");
  EXPECT_EQ(backups->cluster_installation_id, "ci");
  EXPECT_EQ(backups->state, "s");

  auto restorations = ParseInstallationDBRestorationFilter(lookup);
  ASSERT_TRUE(restorations);
  EXPECT_EQ(restorations->installation_id, "i");
  EXPECT_EQ(restorations->cluster_installation_id, "ci");
  EXPECT_EQ(restorations->state, "s");

  auto migrations = ParseInstallationDBMigrationFilter(lookup);
  ASSERT_TRUE(migrations);
  EXPECT_EQ(migrations->installation_id, "i");
  EXPECT_EQ(migrations->state, "s");

  auto mt = ParseMultitenantDatabaseFilter(lookup);
  ASSERT_TRUE(mt);
  EXPECT_EQ(mt->vpc_id, "v");
  EXPECT_EQ(mt->database_type, "postgres");
  EXPECT_EQ(mt->max_installations_limit, -1);

  auto logical = ParseLogicalDatabaseFilter(lookup);
  ASSERT_TRUE(logical);
  EXPECT_EQ(logical->multitenant_database_id, "m");

  auto schemas = ParseDatabaseSchemaFilter(lookup);
  ASSERT_TRUE(schemas);
  EXPECT_EQ(schemas->logical_database_id, "l");
  EXPECT_EQ(schemas->installation_id, "ii");

  auto clusters = ParseClusterFilter(lookup);
  ASSERT_TRUE(clusters);
  EXPECT_TRUE(clusters->paging.include_deleted);
}

}  // namespace
}  // namespace cloud::model
