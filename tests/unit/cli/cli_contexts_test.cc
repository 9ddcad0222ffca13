// The contexts file and the `cloud contexts ...` commands, under a temporary $HOME.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/contexts.h"
#include "unit/cli/cli_test_home.h"

namespace cloud::cli {
namespace {

constexpr char kBootstrapFile[] =
    "{\"current_context\":\"local\",\"contexts\":{\"local\":{\"auth_data\":null,\"client_id\":"
    "\"\",\"org_url\":\"\",\"server_url\":\"http://localhost:8075\",\"alias\":\"local\","
    "\"confirmation_required\":false}}}\n";

class ContextsTest : public TempHomeTest {
 protected:
  // Runs `cloud <args...>` with a fresh command tree; returns the exit status.
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    CLI::App app{"cloud"};
    CliIo io;
    io.out = &out_;
    io.err = &err_;
    io.in = &in_;
    RegisterCliCommands(app, io);
    args.insert(args.begin(), "cloud");
    return RunCli(app, args, out_, err_);
  }

  std::ostringstream out_;
  std::ostringstream err_;
  std::istringstream in_;
};

TEST_F(ContextsTest, ReadCreatesTheLocalContextFileWithPrivateDirectory) {
  Result<Contexts> contexts = ReadContexts();
  ASSERT_TRUE(contexts) << contexts.error().message;
  EXPECT_EQ(contexts->current_context, "local");
  ASSERT_NE(contexts->Current(), nullptr);
  EXPECT_EQ(contexts->Current()->server_url, "http://localhost:8075");
  EXPECT_EQ(ReadContextsFile(), kBootstrapFile);
  struct stat st {};
  ASSERT_EQ(stat((home_ + "/.cloud").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(ContextsTest, RoundTripsAuthDataInUpstreamKeyOrder) {
  Contexts contexts = BootstrapFirstContext();
  CliContext prod;
  prod.server_url = "https://prod.example.com";
  prod.client_id = "cid";
  prod.org_url = "https://login.example.com/tenant";
  prod.alias = "prod";
  prod.confirmation_required = true;
  prod.auth_data =
      AuthorizationResponse{"at", "it", "openid", "Bearer", 3600, "", "", "rt", 1700000000};
  (*contexts.contexts)["prod"] = prod;
  ASSERT_TRUE(WriteContexts(contexts));
  EXPECT_NE(ReadContextsFile().find(
                "\"prod\":{\"auth_data\":{\"access_token\":\"at\",\"id_token\":\"it\",\"scope\":"
                "\"openid\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"error\":\"\","
                "\"error_description\":\"\",\"refresh_token\":\"rt\",\"expires_at\":1700000000},"
                "\"client_id\":\"cid\""),
            std::string::npos)
      << ReadContextsFile();
  Result<Contexts> back = ReadContexts();
  ASSERT_TRUE(back);
  ASSERT_NE(back->Get("prod"), nullptr);
  EXPECT_EQ(*back->Get("prod"), prod);
}

TEST_F(ContextsTest, MalformedFileIsAnError) {
  WriteContextsFile("{\"current_context\": 5}");
  Result<Contexts> contexts = ReadContexts();
  ASSERT_FALSE(contexts);
  EXPECT_EQ(contexts.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(contexts.error().message.find("contexts.json"), std::string::npos);
}

TEST_F(ContextsTest, CreateUseListGetDelete) {
  ASSERT_EQ(Run({"contexts", "create", "--server-url", "https://a.example.com", "--alias", "a"}), 0)
      << err_.str();
  Result<Contexts> after_create = ReadContexts();
  ASSERT_TRUE(after_create);
  EXPECT_EQ(after_create->current_context, "a");
  EXPECT_EQ(after_create->Get("a")->server_url, "https://a.example.com");
  EXPECT_EQ(after_create->Get("a")->alias, "a");

  // Existing name.
  EXPECT_EQ(Run({"contexts", "create", "--server-url", "https://b.example.com", "--alias", "a"}),
            1);
  EXPECT_EQ(err_.str(), "Error: context 'a' already exists\n");

  // No alias: the server URL is the name.
  ASSERT_EQ(Run({"contexts", "create", "--server-url", "http://b:8075"}), 0) << err_.str();
  ASSERT_EQ(Run({"contexts", "use", "local"}), 0) << err_.str();
  EXPECT_EQ(ReadContexts()->current_context, "local");
  ASSERT_EQ(Run({"contexts", "set-current", "a"}), 0) << err_.str();

  ASSERT_EQ(Run({"contexts", "list"}), 0);
  EXPECT_EQ(out_.str(),
            "a (current)\n  Server URL: https://a.example.com\n  Client ID: \n  Org URL: \n"
            "http://b:8075\n  Server URL: http://b:8075\n  Client ID: \n  Org URL: \n"
            "local\n  Server URL: http://localhost:8075\n  Client ID: \n  Org URL: \n");

  ASSERT_EQ(Run({"contexts", "get", "http://b:8075"}), 0);
  EXPECT_EQ(out_.str(),
            "Name: http://b:8075\n  Server URL: http://b:8075\n  Client ID: \n  Org URL: \n");
  EXPECT_EQ(Run({"contexts", "get", "nope"}), 1);
  EXPECT_EQ(err_.str(), "Error: context 'nope' not found\n");

  ASSERT_EQ(Run({"contexts", "delete", "--context", "a"}), 0) << err_.str();
  Result<Contexts> after_delete = ReadContexts();
  EXPECT_EQ(after_delete->Get("a"), nullptr);
  EXPECT_EQ(after_delete->current_context, "http://b:8075");  // first remaining by name
  EXPECT_EQ(Run({"contexts", "delete", "--context", "a"}), 1);
}

TEST_F(ContextsTest, UpdateChangesGivenFieldsAndAlwaysWritesConfirmation) {
  ASSERT_TRUE(ReadContexts());
  ASSERT_EQ(Run({"contexts", "update", "--context", "local", "--server-url", "http://x:1",
                 "--confirmation-required"}),
            0)
      << err_.str();
  EXPECT_EQ(ReadContexts()->Get("local")->server_url, "http://x:1");
  EXPECT_TRUE(ReadContexts()->Get("local")->confirmation_required);
  ASSERT_EQ(Run({"contexts", "update", "--context", "local"}), 0);
  EXPECT_FALSE(ReadContexts()->Get("local")->confirmation_required);
  EXPECT_EQ(ReadContexts()->Get("local")->server_url, "http://x:1");
  EXPECT_EQ(Run({"contexts", "update", "--context", "ghost"}), 1);
}

TEST_F(ContextsTest, MissingRequiredFlagIsAUsageError) {
  EXPECT_NE(Run({"contexts", "create"}), 0);
  EXPECT_NE(err_.str().find("--server-url is required"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace cloud::cli
