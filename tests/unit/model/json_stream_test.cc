// EncodeJsonDirect writes JSON without the tree; it must give exactly the bytes of EncodeJson
// (the tree encoder plus DumpGoJson), which the rest of the codec tests pin to Go's output.
#include "model/json_stream.h"

#include <gtest/gtest.h>

#include "model/cluster.h"
#include "model/group.h"
#include "model/installation.h"
#include "model/json_codec.h"

namespace cloud::model {
namespace {

template <class T>
void ExpectSameAsTree(const T& value) {
  EXPECT_EQ(EncodeJsonDirect(value), EncodeJson(value));
}

InstallationDTO FullInstallationDTOForStreamTest() {
  Installation i;
  i.id = "abcdefghijklmnopqrstuvwxyz";
  i.owner_id = "owner <&> \"quoted\" \\ back\tslash\n";
  i.group_id = "";
  i.group_sequence = 7;
  i.size = "100users";
  i.version = "9.0.0";
  i.image = "mattermost/mattermost-enterprise-edition";
  i.command = std::vector<std::string>{"mattermost", "--flag=\u00e9\u2028"};
  i.name =
      "na\xff"
      "me";  // invalid UTF-8 is replaced, as the tree encoder does
  i.database = "mysql-operator";
  i.filestore = "minio-operator";
  i.license = "";
  i.mattermost_env = EnvVarMap{{"B", EnvVar{"2", std::nullopt}},
                               {"A", EnvVar{"", Json::parse(R"({"secretKeyRef":{"k":"v"}})")}}};
  i.priority_env = EnvVarMap{};
  i.affinity = "multitenant";
  i.create_at = 1700000000000;
  i.deletion_pending_expiry = -5;
  i.api_security_lock = true;
  i.lock_acquired_by = "me";
  i.group_overrides = {{"Version", "1"}, {"Image", "x"}};
  InstallationDTO dto =
      ToDTO(std::move(i), {{"ann1", "multi-tenant"}, {"ann2", "a<b"}},
            {{"d1", "one.example.com", "abcdefghijklmnopqrstuvwxyz", true, 1, 0},
             {"d2", "two.example.com", "abcdefghijklmnopqrstuvwxyz", false, 2, 0}},
            {"cluster1", "cluster2"});
  return dto;
}

TEST(JsonStream, InstallationDTOMatchesTheTreeEncoder) {
  ExpectSameAsTree(FullInstallationDTOForStreamTest());
  ExpectSameAsTree(InstallationDTO{});  // empty values, omitempty fields left out
  ExpectSameAsTree(ToDTO(Installation{}, {}, {}, {}));
  ExpectSameAsTree(std::vector<InstallationDTO>{FullInstallationDTOForStreamTest(), {}});
  ExpectSameAsTree(std::vector<InstallationDTO>{});
}

TEST(JsonStream, ClusterAndGroupDTOsMatchTheTreeEncoder) {
  ClusterDTO cluster;
  cluster.cluster.id = "c1";
  cluster.annotations = {{"a", "b&c"}};
  ExpectSameAsTree(cluster);
  ExpectSameAsTree(ClusterDTO{});
  GroupDTO group;
  group.group.name = "g\u2029";
  group.annotations = std::vector<Annotation>{};
  group.installation_count = 3;
  ExpectSameAsTree(group);
  ExpectSameAsTree(GroupDTO{});
}

TEST(JsonStream, ScalarsAndContainers) {
  ExpectSameAsTree(std::string("plain"));
  ExpectSameAsTree(std::string("ctl\x01\x1f\x7f"));
  ExpectSameAsTree(std::optional<int64_t>{});
  ExpectSameAsTree(std::optional<int64_t>{-9223372036854775807LL});
  ExpectSameAsTree(std::map<std::string, int64_t>{{"z", 1}, {"a", 2}});
  ExpectSameAsTree(std::optional<std::vector<std::string>>{});
  ExpectSameAsTree(Bytes{"\x00\x01raw"});
  ExpectSameAsTree(Json::parse(R"({"b":[1,2.5,"<x>"],"a":null})"));
  EXPECT_EQ(EncodeJsonDirect(std::string("a<b")), "\"a\\u003cb\"");
}

}  // namespace
}  // namespace cloud::model
