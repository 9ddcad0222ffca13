// The command framework: target resolution (--server, --header, contexts), --dry-run, env fill,
// error lines and exit codes, completion scripts.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/completion.h"
#include "unit/cli/cli_test_home.h"

namespace cloud::cli {
namespace {

// Records requests and answers 200 "{}" (or fails the test when `forbid` is set).
class RecordingTransport final : public client::HttpTransport {
 public:
  explicit RecordingTransport(std::vector<client::HttpRequest>* seen) : seen_(seen) {}
  Result<client::HttpResponse> Do(const client::HttpRequest& request) override {
    seen_->push_back(request);
    return client::HttpResponse{200, "{\"ok\":true}", {}};
  }

 private:
  std::vector<client::HttpRequest>* seen_;
};

struct DemoRequest {
  std::string name;
  int64_t size = 0;
};
template <class V>
void JsonFields(V& v, DemoRequest& r) {
  v("Name", r.name);
  v("Size", r.size, model::kOmitEmpty);
}

class CommandTest : public TempHomeTest {
 protected:
  // Builds `cloud` with the real CLI commands plus a demo group:
  //   cloud demo create --name N [--size S]   (dry-run aware POST /api/demo)
  //   cloud demo get                          (GET /api/demo, prints the JSON)
  //   cloud demo fail                         (returns an error)
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    CLI::App app{"cloud"};
    CliIo io;
    io.out = &out_;
    io.err = &err_;
    io.in = &in_;
    io.transport_factory = [this] { return std::make_unique<RecordingTransport>(&seen_); };
    std::shared_ptr<Cli> cli = RegisterCliCommands(app, io);
    CommandGroup demo = CommandGroup::Add(cli, app, "demo", "Demo commands.");
    auto request = std::make_shared<DemoRequest>();
    CLI::App* create =
        demo.AddCommand("create", "Create a demo.", [request](CommandContext& ctx) -> Result<void> {
          if (ctx.DryRun(*request)) return Ok();
          CLOUD_TRY(client::HttpResponse r,
                    ctx.client().Expect(client::HttpMethod::kPost, "/api/demo", {},
                                        client::Client::Body(*request), {200}));
          ctx.out() << "changed size: " << ctx.Changed("size") << "\n";
          return Ok();
        });
    create->add_option("--name", request->name)->required();
    create->add_option("--size", request->size);
    demo.AddCommand("get", "Get the demo.", [](CommandContext& ctx) -> Result<void> {
      CLOUD_TRY(model::Json value, ctx.client().GetRaw("/api/demo"));
      ctx.PrintJsonValue(value);
      return Ok();
    });
    demo.AddCommand("fail", "Fail.", [](CommandContext&) -> Result<void> {
      return Error{ErrorCode::kNotFound, "failed to get demo: failed with status code 404"};
    });
    ApplyEnvFill(app);
    args.insert(args.begin(), "cloud");
    return RunCli(app, args, out_, err_);
  }

  std::vector<client::HttpRequest> seen_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::istringstream in_;
};

TEST_F(CommandTest, DryRunPrintsTheRequestAndSendsNothing) {
  ASSERT_EQ(Run({"demo", "create", "--name", "x<y", "--dry-run"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "{\n    \"Name\": \"x\\u003cy\"\n}\n");
  EXPECT_TRUE(seen_.empty());
}

TEST_F(CommandTest, UsesTheCurrentContextsServerUrl) {
  ASSERT_EQ(Run({"demo", "get"}), 0) << err_.str();
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].url, "http://localhost:8075/api/demo");
  EXPECT_TRUE(seen_[0].headers.empty());
  EXPECT_EQ(out_.str(), "{\n    \"ok\": true\n}\n");
}

TEST_F(CommandTest, ServerFlagOverridesTheContextWhenGiven) {
  ASSERT_EQ(Run({"demo", "get", "--server", "http://other:9000"}), 0) << err_.str();
  ASSERT_EQ(Run({"demo", "--server", "http://third:1", "get"}), 0) << err_.str();
  ASSERT_EQ(seen_.size(), 2u);
  EXPECT_EQ(seen_[0].url, "http://other:9000/api/demo");
  EXPECT_EQ(seen_[1].url, "http://third:1/api/demo");
}

TEST_F(CommandTest, HeadersAreAddedToTheContextsBearerToken) {
  Contexts contexts = BootstrapFirstContext();
  CliContext& local = (*contexts.contexts)["local"];
  local.auth_data = AuthorizationResponse{};
  local.auth_data->access_token = "tok";
  ASSERT_TRUE(WriteContexts(contexts));

  ASSERT_EQ(Run({"demo", "get", "--header", "X-One=1", "--header", "X-Two=a=b"}), 0) << err_.str();
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(
      seen_[0].headers,
      (client::HttpHeaders{{"Authorization", "Bearer tok"}, {"X-One", "1"}, {"X-Two", "a=b"}}));
  // A header of the same name replaces the token.
  ASSERT_EQ(Run({"demo", "get", "--header", "authorization=Basic x"}), 0);
  EXPECT_EQ(seen_[1].headers, (client::HttpHeaders{{"Authorization", "Basic x"}}));
  // A malformed header is a clear error.
  EXPECT_EQ(Run({"demo", "get", "--header", "novalue"}), 1);
  EXPECT_EQ(err_.str(), "Error: invalid header \"novalue\": expected KEY=VALUE\n");
}

TEST_F(CommandTest, ContextFlagSelectsAnotherContextOrFails) {
  Contexts contexts = BootstrapFirstContext();
  (*contexts.contexts)["staging"].server_url = "http://staging:8075";
  ASSERT_TRUE(WriteContexts(contexts));
  ASSERT_EQ(Run({"demo", "get", "--context", "staging"}), 0) << err_.str();
  EXPECT_EQ(seen_.at(0).url, "http://staging:8075/api/demo");
  EXPECT_EQ(Run({"--context", "nope", "demo", "get"}), 1);
  EXPECT_EQ(err_.str(), "Error: Context 'nope' does not exist.\n");

  contexts.current_context = "";
  ASSERT_TRUE(WriteContexts(contexts));
  EXPECT_EQ(Run({"demo", "get"}), 1);
  EXPECT_EQ(err_.str(),
            "Error: No current context set. Use 'cloud contexts set-current' to set the current "
            "context.\n");
}

TEST_F(CommandTest, ConfirmationRequiredPromptsUnlessYes) {
  Contexts contexts = BootstrapFirstContext();
  (*contexts.contexts)["local"].confirmation_required = true;
  ASSERT_TRUE(WriteContexts(contexts));
  in_.str("n\n");
  EXPECT_EQ(Run({"demo", "get"}), 1);
  EXPECT_EQ(err_.str(), "Error: command aborted by user\n");
  EXPECT_TRUE(seen_.empty());
  in_.clear();
  in_.str("YES\n");
  EXPECT_EQ(Run({"demo", "get"}), 0);
  EXPECT_EQ(seen_.size(), 1u);
  EXPECT_EQ(Run({"-y", "demo", "get"}), 0);
  EXPECT_EQ(out_.str(), "{\n    \"ok\": true\n}\n");  // no prompt printed with -y
}

TEST_F(CommandTest, ErrorsPrintOneLineAndExitOne) {
  EXPECT_EQ(Run({"demo", "fail"}), 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "Error: failed to get demo: failed with status code 404\n");
}

TEST_F(CommandTest, UnreachableServerNamesTheUrl) {
  // A real curl transport against a closed port: build the app without the fake transport.
  std::ostringstream out;
  std::ostringstream err;
  CLI::App app{"cloud"};
  CliIo io;
  io.out = &out;
  io.err = &err;
  std::shared_ptr<Cli> cli = RegisterCliCommands(app, io);
  CommandGroup demo = CommandGroup::Add(cli, app, "demo", "Demo.");
  demo.AddCommand("get", "Get.", [](CommandContext& ctx) -> Result<void> {
    CLOUD_TRY(model::Json value, ctx.client().GetRaw("/api/demo"));
    return Ok();
  });
  EXPECT_EQ(RunCli(app, {"cloud", "demo", "get", "--server", "http://127.0.0.1:1"}, out, err), 1);
  EXPECT_TRUE(err.str().starts_with("Error: failed to reach server at http://127.0.0.1:1/api/demo"))
      << err.str();
  const std::string text = err.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST_F(CommandTest, EnvironmentFillsFlagsNotGiven) {
  setenv("CP_SIZE", "7", 1);
  setenv("CP_NAME", "from-env", 1);
  ASSERT_EQ(Run({"demo", "create", "--dry-run"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "{\n    \"Name\": \"from-env\",\n    \"Size\": 7\n}\n");
  // The command line wins over the environment.
  ASSERT_EQ(Run({"demo", "create", "--name", "cli", "--dry-run"}), 0);
  EXPECT_EQ(out_.str(), "{\n    \"Name\": \"cli\",\n    \"Size\": 7\n}\n");
  // Filled flags count as changed ("only changed flags are sent").
  ASSERT_EQ(Run({"demo", "create"}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "changed size: 1\n");
  unsetenv("CP_SIZE");
  ASSERT_EQ(Run({"demo", "create"}), 0);
  EXPECT_EQ(out_.str(), "changed size: 0\n");
  unsetenv("CP_NAME");
}

TEST(EnvNameForFlag, UpperCasesAndReplacesDashes) {
  EXPECT_EQ(EnvNameForFlag("database"), "CP_DATABASE");
  EXPECT_EQ(EnvNameForFlag("deploy-minio-operator"), "CP_DEPLOY_MINIO_OPERATOR");
  EXPECT_EQ(EnvNameForFlag("per-page"), "CP_PER_PAGE");
}

TEST(MergeHeaders, AppendsOrReplacesCaseInsensitively) {
  client::HttpHeaders headers = {{"Authorization", "Bearer t"}};
  ASSERT_TRUE(MergeHeaders({"X-A=1", "x-a=2", "Empty="}, headers));
  EXPECT_EQ(headers,
            (client::HttpHeaders{{"Authorization", "Bearer t"}, {"X-A", "2"}, {"Empty", ""}}));
  EXPECT_FALSE(MergeHeaders({"=v"}, headers));
}

TEST(ParseEnvVarInput, FollowsUpstreamRules) {
  Result<std::optional<model::EnvVarMap>> none = ParseEnvVarInput({}, false);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  Result<std::optional<model::EnvVarMap>> clear = ParseEnvVarInput({}, true);
  ASSERT_TRUE(clear);
  ASSERT_TRUE(clear->has_value());
  EXPECT_TRUE((*clear)->empty());
  Result<std::optional<model::EnvVarMap>> two = ParseEnvVarInput({"A=1", "B=x=y"}, false);
  ASSERT_TRUE(two);
  EXPECT_EQ((**two).at("B").value, "x=y");
  EXPECT_EQ(ParseEnvVarInput({"A=1"}, true).error().message,
            "both mattermost-env and mattermost-env-clear were set; use one or the other");
  EXPECT_EQ(ParseEnvVarInput({"A"}, false).error().message,
            "A is not in a valid env format; expecting KEY_NAME=VALUE");
  EXPECT_EQ(ParseEnvVarInput({"A=1", "A=2"}, false).error().message,
            "env var A was defined more than once");
}

TEST_F(CommandTest, CompletionScriptsListCommandsAndFlags) {
  ASSERT_EQ(Run({"completion", "bash"}), 0) << err_.str();
  const std::string bash = out_.str();
  EXPECT_NE(bash.find("complete -F _cloud_completions cloud"), std::string::npos);
  EXPECT_NE(bash.find("cmds['cloud contexts']='list get create delete set-current update'"),
            std::string::npos)
      << bash;
  EXPECT_NE(bash.find("cmds['cloud demo']='create get fail'"), std::string::npos);
  EXPECT_NE(bash.find("flags['cloud demo create']='"), std::string::npos);
  const size_t flags_at = bash.find("flags['cloud demo create']='");
  const std::string create_flags = bash.substr(flags_at, bash.find('\n', flags_at) - flags_at);
  for (const char* flag : {"--context", "--server", "--header", "--dry-run", "--name", "--size"}) {
    EXPECT_NE(create_flags.find(flag), std::string::npos) << flag;
  }
  ASSERT_EQ(Run({"completion", "zsh"}), 0);
  EXPECT_TRUE(out_.str().starts_with("#compdef cloud\n"));
  EXPECT_NE(out_.str().find("bashcompinit"), std::string::npos);
}

}  // namespace
}  // namespace cloud::cli
