// `cloud login` (OAuth2 device code) and the pre-run token refresh against a loopback identity
// provider that speaks the OAuth2 wire format (form-encoded POSTs, JSON answers); the provider
// and the API server are the same loopback server on different paths.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/contexts.h"
#include "common/clock.h"
#include "e2e/client/loopback_http_server.h"
#include "model/json_codec.h"
#include "unit/cli/cli_test_home.h"

namespace cloud::cli {
namespace {

using cloud::testing::CannedResponse;
using cloud::testing::LoopbackHttpServer;
using cloud::testing::RecordedRequest;

class CliOAuthTest : public TempHomeTest {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    CLI::App app{"cloud"};
    CliIo io;
    io.out = &out_;
    io.err = &err_;
    io.clock = &clock_;
    io.sleep = [this](int64_t millis) { clock_.Advance(millis); };
    RegisterCliCommands(app, io);
    args.insert(args.begin(), "cloud");
    return RunCli(app, args, out_, err_);
  }

  std::vector<RecordedRequest> RequestsTo(const std::string& path) const {
    std::vector<RecordedRequest> out;
    for (const RecordedRequest& r : server_.requests()) {
      if (r.Path() == path) out.push_back(r);
    }
    return out;
  }

  Contexts ReadContexts() const { return *model::DecodeJson<Contexts>(ReadContextsFile()); }

  std::map<std::string, std::vector<CannedResponse>> sequences_;
  LoopbackHttpServer server_{[this](const RecordedRequest& r) -> CannedResponse {
    auto seq = sequences_.find(r.method + " " + r.Path());
    if (seq == sequences_.end() || seq->second.empty()) return {404, "", {}};
    CannedResponse next = seq->second.front();
    if (seq->second.size() > 1) seq->second.erase(seq->second.begin());
    return next;
  }};
  ManualClock clock_{1'700'000'000'000};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CliOAuthTest, LoginRunsTheDeviceCodeFlowAndStoresTheTokens) {
  const std::string org = server_.url() + "/org";
  sequences_["POST /org/oauth2/v2.0/devicecode"] = {
      {200,
       R"({"device_code":"dev-123","user_code":"ABCD-EFGH","verification_uri":"https://login.example/device","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open https://login.example/device and enter the code ABCD-EFGH."})",
       {}}};
  sequences_["POST /org/oauth2/v2.0/token"] = {
      {400, R"({"error":"authorization_pending","error_description":"waiting"})", {}},
      {400, R"({"error":"slow_down"})", {}},
      {200,
       R"({"access_token":"at-1","refresh_token":"rt-1","token_type":"Bearer","expires_in":3600,"scope":"openid"})",
       {}}};
  ASSERT_EQ(Run({"contexts", "create", "--server-url", server_.url(), "--alias", "corp",
                 "--client-id", "client-1", "--org-url", org}),
            0)
      << err_.str();
  EXPECT_NE(out_.str().find("enter the code ABCD-EFGH"), std::string::npos) << out_.str();

  const std::vector<RecordedRequest> device = RequestsTo("/org/oauth2/v2.0/devicecode");
  ASSERT_EQ(device.size(), 1u);
  EXPECT_EQ(device[0].Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(device[0].body,
            "client_id=client-1&scope=openid+profile+offline_access+api%3A%2F%2Fprovisioner%"
            "2Fprovisioner");
  const std::vector<RecordedRequest> polls = RequestsTo("/org/oauth2/v2.0/token");
  ASSERT_EQ(polls.size(), 3u);
  EXPECT_EQ(polls[0].body,
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=client-1&"
            "device_code=dev-123");
  // interval 5 s, then slow_down adds 5 s: polled at +5, +10, +20 s.
  EXPECT_EQ(clock_.NowMillis(), 1'700'000'000'000 + 20'000);

  Contexts contexts = ReadContexts();
  const CliContext* corp = contexts.Get("corp");
  ASSERT_NE(corp, nullptr);
  ASSERT_TRUE(corp->auth_data.has_value());
  EXPECT_EQ(corp->auth_data->access_token, "at-1");
  EXPECT_EQ(corp->auth_data->refresh_token, "rt-1");
  EXPECT_EQ(corp->auth_data->expires_at, 1'700'000'020 + 3600);
  EXPECT_EQ(contexts.current_context, "corp");
}

TEST_F(CliOAuthTest, AnExpiredTokenIsRefreshedBeforeTheCommandAndSent) {
  const std::string org = server_.url() + "/org";
  WriteContextsFile(
      R"({"current_context":"corp","contexts":{"corp":{"auth_data":{"access_token":"old","refresh_token":"rt-1","expires_at":1699999000},"client_id":"client-1","org_url":")" +
      org + R"(","server_url":")" + server_.url() +
      R"(","alias":"corp","confirmation_required":false}}})");
  sequences_["POST /org/oauth2/v2.0/token"] = {
      {200, R"({"access_token":"new","token_type":"Bearer","expires_in":3600})", {}}};
  sequences_["GET /api/clusters"] = {{200, "[]", {}}};

  ASSERT_EQ(Run({"cluster", "list"}), 0) << err_.str();
  const std::vector<RecordedRequest> refresh = RequestsTo("/org/oauth2/v2.0/token");
  ASSERT_EQ(refresh.size(), 1u);
  EXPECT_EQ(refresh[0].body,
            "grant_type=refresh_token&client_id=client-1&refresh_token=rt-1&scope=openid+profile+"
            "offline_access+api%3A%2F%2Fprovisioner%2Fprovisioner");
  const std::vector<RecordedRequest> api = RequestsTo("/api/clusters");
  ASSERT_EQ(api.size(), 1u);
  EXPECT_EQ(api[0].Header("Authorization"), "Bearer new");

  Contexts contexts = ReadContexts();
  EXPECT_EQ(contexts.Get("corp")->auth_data->access_token, "new");
  EXPECT_EQ(contexts.Get("corp")->auth_data->refresh_token, "rt-1");  // kept

  // Still fresh: no second refresh.
  sequences_["GET /api/clusters"] = {{200, "[]", {}}};
  ASSERT_EQ(Run({"cluster", "list"}), 0) << err_.str();
  EXPECT_EQ(RequestsTo("/org/oauth2/v2.0/token").size(), 1u);
}

TEST_F(CliOAuthTest, ProviderErrorsAndMissingClientGiveOneClearLine) {
  const std::string org = server_.url() + "/org";
  sequences_["POST /org/oauth2/v2.0/devicecode"] = {
      {200, R"({"device_code":"d","user_code":"U","expires_in":900,"interval":1})", {}}};
  sequences_["POST /org/oauth2/v2.0/token"] = {
      {400, R"({"error":"access_denied","error_description":"the user declined"})", {}}};
  ASSERT_EQ(
      Run({"contexts", "create", "--server-url", server_.url(), "--alias", "corp", "--skip-auth"}),
      0)
      << err_.str();
  EXPECT_NE(Run({"login"}), 0);
  EXPECT_NE(err_.str().find("client ID and an org URL"), std::string::npos) << err_.str();

  ASSERT_EQ(Run({"contexts", "update", "--context", "corp", "--client-id", "c", "--org-url", org,
                 "--skip-auth"}),
            0)
      << err_.str();
  EXPECT_NE(Run({"login"}), 0);
  EXPECT_NE(err_.str().find("access_denied: the user declined"), std::string::npos) << err_.str();
  EXPECT_FALSE(ReadContexts().Get("corp")->auth_data.has_value());
}

}  // namespace
}  // namespace cloud::cli
