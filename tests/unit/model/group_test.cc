#include "model/group.h"

#include <gtest/gtest.h>

namespace cloud::model {
namespace {

const char* const kGroupJson =
    R"({"ID":"g1","Sequence":3,"Name":"grp","Description":"d","Version":"7.0",)"
    R"("Image":"mm/ee","MaxRolling":2,"MattermostEnv":{"A":{"value":"1"}},)"
    R"("Scheduling":{"NodeSelector":{"pool":"a"},"Tolerations":[{"key":"k","operator":"Exists"}]},)"
    R"("CreateAt":10,"DeleteAt":12,"APISecurityLock":true,"LockAcquiredBy":"me",)"
    R"("LockAcquiredAt":11})";

TEST(Group, RoundTripFullyPopulated) {
  auto g = DecodeJson<Group>(kGroupJson);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->sequence, 3);
  ASSERT_TRUE(g->mattermost_env.has_value());
  EXPECT_EQ(g->mattermost_env->at("A").value, "1");
  ASSERT_TRUE(g->scheduling.has_value());
  EXPECT_TRUE(g->IsDeleted());
  EXPECT_EQ(EncodeJson(*g), kGroupJson);
}

TEST(Group, EnvNullAndSchedulingOmittedWhenUnset) {
  EXPECT_EQ(EncodeJson(Group{}),
            R"({"ID":"","Sequence":0,"Name":"","Description":"","Version":"","Image":"",)"
            R"("MaxRolling":0,"MattermostEnv":null,"CreateAt":0,"DeleteAt":0,)"
            R"("APISecurityLock":false,"LockAcquiredBy":null,"LockAcquiredAt":0})");
}

TEST(GroupDTO, FlattenedWithAnnotationsAndCount) {
  const std::string text = std::string(kGroupJson).substr(0, std::string(kGroupJson).size() - 1) +
                           R"(,"annotations":[{"ID":"a1","Name":"team"}],"installation_count":5})";
  auto dto = DecodeJson<GroupDTO>(text);
  ASSERT_TRUE(dto) << dto.error().message;
  EXPECT_EQ(dto->group.id, "g1");
  ASSERT_TRUE(dto->annotations.has_value());
  EXPECT_EQ(dto->annotations->at(0).name, "team");
  EXPECT_EQ(dto->installation_count, std::optional<int64_t>(5));
  EXPECT_EQ(EncodeJson(*dto), text);
}

TEST(GroupDTO, AnnotationsNullAndCountOmitted) {
  Group g;
  g.id = "g1";
  GroupDTO dto = ToGroupDTO(g, std::vector<Annotation>{});
  EXPECT_EQ(dto.annotations, std::nullopt);
  const std::string json = EncodeJson(dto);
  EXPECT_NE(json.find(R"("LockAcquiredAt":0,"annotations":null})"), std::string::npos) << json;
  EXPECT_EQ(json.find("installation_count"), std::string::npos);
  // A zero count is still written: omitempty omits only the nil pointer.
  dto.installation_count = 0;
  EXPECT_NE(EncodeJson(dto).find(R"("annotations":null,"installation_count":0})"),
            std::string::npos);
  GroupDTO with = ToGroupDTO(g, std::vector<Annotation>{{"a1", "team"}});
  ASSERT_TRUE(with.annotations.has_value());
  EXPECT_EQ(with.annotations->size(), 1u);
}

TEST(GroupStatus, RoundTrip) {
  const std::string status =
      R"({"InstallationsTotal":6,"InstallationsUpdated":1,"InstallationsUpdating":2,)"
      R"("InstallationsHibernating":1,"InstallationsPendingDeletion":1,)"
      R"("InstallationsAwaitingUpdate":1})";
  auto s = DecodeJson<GroupStatus>(status);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->installations_updating, 2);
  EXPECT_EQ(EncodeJson(*s), status);
  const std::string list = R"([{"ID":"g1","Status":)" + status + "}]";
  auto all = DecodeJson<std::vector<GroupsStatus>>(list);
  ASSERT_TRUE(all);
  EXPECT_EQ(EncodeJson(*all), list);
}

TEST(CreateGroupRequest, RoundTripAndNulls) {
  const std::string text =
      R"({"Name":"grp","Description":"d","Version":"7.0","Image":"mm/ee","MaxRolling":2,)"
      R"("APISecurityLock":true,"MattermostEnv":{"A":{"value":"1"}},)"
      R"("Scheduling":{"NodeSelector":{"pool":"a"},"Tolerations":null},)"
      R"("Annotations":["team","prod"]})";
  auto r = DecodeJson<CreateGroupRequest>(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(EncodeJson(*r), text);
  EXPECT_EQ(EncodeJson(CreateGroupRequest{}),
            R"({"Name":"","Description":"","Version":"","Image":"","MaxRolling":0,)"
            R"("APISecurityLock":false,"MattermostEnv":null,"Scheduling":null,)"
            R"("Annotations":null})");
}

TEST(CreateGroupRequest, Validate) {
  struct Case {
    std::string name;
    CreateGroupRequest request;
    bool ok;
  };
  CreateGroupRequest base;
  base.name = "grp";
  auto with = [&base](auto mutate) {
    CreateGroupRequest r = base;
    mutate(r);
    return r;
  };
  const std::vector<Case> cases = {
      {"minimal", base, true},
      {"max rolling zero", with([](auto& r) { r.max_rolling = 0; }), true},
      {"max rolling positive", with([](auto& r) { r.max_rolling = 5; }), true},
      {"env with value", with([](auto& r) {
         r.mattermost_env = EnvVarMap{{"A", {"1", {}}}};
       }),
       true},
      {"env with valueFrom", with([](auto& r) {
         r.mattermost_env = EnvVarMap{{"A", {"", Json::object()}}};
       }),
       true},
      {"empty name", with([](auto& r) { r.name = ""; }), false},
      {"negative max rolling", with([](auto& r) { r.max_rolling = -1; }), false},
      {"env without value", with([](auto& r) {
         r.mattermost_env = EnvVarMap{{"A", {}}};
       }),
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = c.request.Validate();
    EXPECT_EQ(static_cast<bool>(r), c.ok);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(PatchGroupRequest, RoundTripAndNulls) {
  const std::string text =
      R"({"ID":"g1","MaxRolling":3,"Name":"n","Description":"d","Version":"v","Image":"i",)"
      R"("MattermostEnv":{"A":{"value":"1"}},"Scheduling":{"NodeSelector":null,"Tolerations":[]},)"
      R"("ForceSequenceUpdate":true,"ForceInstallationsRestart":true})";
  auto r = DecodeJson<PatchGroupRequest>(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(EncodeJson(*r), text);
  EXPECT_EQ(EncodeJson(PatchGroupRequest{}),
            R"({"ID":"","MaxRolling":null,"Name":null,"Description":null,"Version":null,)"
            R"("Image":null,"MattermostEnv":null,"Scheduling":null,"ForceSequenceUpdate":false,)"
            R"("ForceInstallationsRestart":false})");
}

TEST(PatchGroupRequest, Validate) {
  struct Case {
    std::string name;
    PatchGroupRequest request;
    bool ok;
  };
  PatchGroupRequest name_blank;
  name_blank.name = "";
  PatchGroupRequest name_set;
  name_set.name = "x";
  PatchGroupRequest rolling_negative;
  rolling_negative.max_rolling = -1;
  PatchGroupRequest rolling_zero;
  rolling_zero.max_rolling = 0;
  PatchGroupRequest env_valueless;  // a delete instruction, not an error
  env_valueless.mattermost_env = EnvVarMap{{"A", {}}};
  const std::vector<Case> cases = {
      {"empty patch", PatchGroupRequest{}, true}, {"name set", name_set, true},
      {"max rolling zero", rolling_zero, true},   {"valueless env", env_valueless, true},
      {"name blank", name_blank, false},          {"max rolling negative", rolling_negative, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = c.request.Validate();
    EXPECT_EQ(static_cast<bool>(r), c.ok);
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

Group BaseGroup() {
  Group g;
  g.id = "g1";
  g.sequence = 4;
  g.name = "grp";
  g.description = "d";
  g.version = "7.0";
  g.image = "mm/ee";
  g.max_rolling = 2;
  g.mattermost_env = EnvVarMap{{"A", {"1", std::nullopt}}};
  g.scheduling = Scheduling{std::map<std::string, std::string>{{"pool", "a"}}, std::nullopt};
  return g;
}

TEST(PatchGroupRequest, Apply) {
  struct Case {
    std::string name;
    std::function<void(PatchGroupRequest&)> patch;
    std::function<void(Group&)> base_change;  // applied to BaseGroup() before patching
    bool applied;
    std::function<void(Group&)> want_change;  // BaseGroup() (+base_change) + this = expected
  };
  auto none = [](Group&) {};
  const std::vector<Case> cases = {
      {"empty patch", [](auto&) {}, none, false, none},
      {"same name", [](auto& p) { p.name = "grp"; }, none, false, none},
      {"new name", [](auto& p) { p.name = "other"; }, none, true,
       [](Group& g) { g.name = "other"; }},
      {"new description", [](auto& p) { p.description = "x"; }, none, true,
       [](Group& g) { g.description = "x"; }},
      {"same version", [](auto& p) { p.version = "7.0"; }, none, false, none},
      {"new version", [](auto& p) { p.version = "7.1"; }, none, true,
       [](Group& g) { g.version = "7.1"; }},
      {"new image", [](auto& p) { p.image = "mm/te"; }, none, true,
       [](Group& g) { g.image = "mm/te"; }},
      {"same max rolling", [](auto& p) { p.max_rolling = 2; }, none, false, none},
      {"new max rolling", [](auto& p) { p.max_rolling = 0; }, none, true,
       [](Group& g) { g.max_rolling = 0; }},
      {"env add",
       [](auto& p) {
         p.mattermost_env = EnvVarMap{{"B", {"2", std::nullopt}}};
       },
       none, true,
       [](Group& g) {
         (*g.mattermost_env)["B"] = EnvVar{"2", std::nullopt};
       }},
      {"env same",
       [](auto& p) {
         p.mattermost_env = EnvVarMap{{"A", {"1", std::nullopt}}};
       },
       none, false, none},
      {"env delete key",
       [](auto& p) {
         p.mattermost_env = EnvVarMap{{"A", {}}};
       },
       none, true, [](Group& g) { g.mattermost_env->erase("A"); }},
      {"env clear", [](auto& p) { p.mattermost_env = EnvVarMap{}; }, none, true,
       [](Group& g) { g.mattermost_env.reset(); }},
      {"env clear when already null", [](auto& p) { p.mattermost_env = EnvVarMap{}; },
       [](Group& g) { g.mattermost_env.reset(); }, false, none},
      {"scheduling clear", [](auto& p) { p.scheduling = Scheduling{}; }, none, true,
       [](Group& g) { g.scheduling.reset(); }},
      {"scheduling clear is applied even when already clear",
       [](auto& p) {
         p.scheduling = Scheduling{std::nullopt, std::vector<Toleration>{}};
       },
       [](Group& g) { g.scheduling.reset(); }, true, none},
      {"scheduling same",
       [](auto& p) {
         p.scheduling = Scheduling{std::map<std::string, std::string>{{"pool", "a"}}, std::nullopt};
       },
       none, false, none},
      {"scheduling replaced",
       [](auto& p) {
         p.scheduling = Scheduling{std::map<std::string, std::string>{{"pool", "b"}}, std::nullopt};
       },
       none, true,
       [](Group& g) {
         g.scheduling = Scheduling{std::map<std::string, std::string>{{"pool", "b"}}, std::nullopt};
       }},
      {"scheduling tolerations only",
       [](auto& p) {
         p.scheduling = Scheduling{std::nullopt,
                                   std::vector<Toleration>{{"k", "Exists", "", "", std::nullopt}}};
       },
       none, true,
       [](Group& g) {
         g.scheduling = Scheduling{std::nullopt,
                                   std::vector<Toleration>{{"k", "Exists", "", "", std::nullopt}}};
       }},
      {"force sequence update", [](auto& p) { p.force_sequence_update = true; }, none, true, none},
      {"force restart", [](auto& p) { p.force_installations_restart = true; }, none, true,
       [](Group& g) {
         (*g.mattermost_env)["CLOUD_PROVISIONER_ENFORCED_RESTART"] =
             EnvVar{"force-restart-at-sequence-4", std::nullopt};
       }},
      {"force restart without env creates it",
       [](auto& p) { p.force_installations_restart = true; },
       [](Group& g) { g.mattermost_env.reset(); }, true,
       [](Group& g) {
         g.mattermost_env = EnvVarMap{{"CLOUD_PROVISIONER_ENFORCED_RESTART",
                                       EnvVar{"force-restart-at-sequence-4", std::nullopt}}};
       }},
      {"force restart after env clear",
       [](auto& p) {
         p.mattermost_env = EnvVarMap{};
         p.force_installations_restart = true;
       },
       none, true,
       [](Group& g) {
         g.mattermost_env = EnvVarMap{{"CLOUD_PROVISIONER_ENFORCED_RESTART",
                                       EnvVar{"force-restart-at-sequence-4", std::nullopt}}};
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PatchGroupRequest patch;
    c.patch(patch);
    Group group = BaseGroup();
    c.base_change(group);
    Group want = group;
    c.want_change(want);
    EXPECT_EQ(patch.Apply(group), c.applied);
    EXPECT_EQ(group, want) << EncodeJson(group) << "\nwant " << EncodeJson(want);
  }
}

TEST(Group, SequenceBumpRule) {
  struct Case {
    std::string name;
    std::function<void(Group&)> change;
    bool force;
    bool bump;
  };
  const std::vector<Case> cases = {
      {"nothing", [](Group&) {}, false, false},
      {"forced", [](Group&) {}, true, true},
      {"name", [](Group& g) { g.name = "x"; }, false, false},
      {"description", [](Group& g) { g.description = "x"; }, false, false},
      {"max rolling", [](Group& g) { g.max_rolling = 9; }, false, false},
      {"version", [](Group& g) { g.version = "x"; }, false, true},
      {"image", [](Group& g) { g.image = "x"; }, false, true},
      {"env value", [](Group& g) { (*g.mattermost_env)["A"].value = "2"; }, false, true},
      {"env cleared", [](Group& g) { g.mattermost_env = EnvVarMap{}; }, false, true},
      {"scheduling", [](Group& g) { g.scheduling.reset(); }, false, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Group original = BaseGroup();
    Group updated = original;
    c.change(updated);
    EXPECT_EQ(GroupSequenceBumpNeeded(original, updated, c.force), c.bump);
  }
}

}  // namespace
}  // namespace cloud::model
