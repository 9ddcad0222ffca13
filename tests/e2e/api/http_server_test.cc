// The real HTTP server over loopback: router semantics on the wire, worker pool, limits,
// graceful shutdown, and the `cloud server` binary. The client is a minimal HTTP/1.1 client
// over POSIX sockets (the test links only cloud::api).
#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/handler.h"
#include "api/router.h"

namespace cloud::api {
namespace {

struct WireResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port. Reads are bounded by a 20 s socket
// timeout so that a broken server fails the test instead of hanging it.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  void Send(const std::string& method, const std::string& target, const std::string& body = "",
            const std::vector<std::string>& extra_headers = {}) {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    for (const std::string& h : extra_headers) request += h + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < request.size()) {
      ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  // Reads one response; nullopt if the connection closed or timed out first.
  std::optional<WireResponse> Read() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    WireResponse response;
    std::string head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    response.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(pos, end - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers[name] = value;
      pos = end + 2;
    }
    size_t length = 0;
    if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
      length = std::stoul(it->second);
    }
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  std::optional<WireResponse> Request(const std::string& method, const std::string& target,
                                      const std::string& body = "") {
    Send(method, target, body);
    return Read();
  }

 private:
  bool Fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

struct EchoBody {
  std::string name;
  int64_t count = 0;
};

template <class V>
void JsonFields(V& v, EchoBody& b) {
  v("Name", b.name);
  v("Count", b.count);
}

// A server with a few test routes; `gate` lets a test hold /slow handlers until released.
class ServerFixture {
 public:
  // `with_inline`: the server tries Router::DispatchInline on its I/O thread first; /cached
  // then answers "inline" there (or, with ?inline=no or ?inline=throw, declines to its worker
  // handler, which answers "worker").
  explicit ServerFixture(HttpServerOptions options = {}, bool with_inline = false) {
    env_.metrics = nullptr;
    AddRoute(
        router_, env_, "GET", "/cached", "handleCached",
        [](RequestContext&, const HttpRequest&) { return HttpResponse::Text(200, "worker"); },
        [](const HttpRequest& req) -> std::optional<HttpResponse> {
          if (req.QueryValue("inline") == "no") return std::nullopt;
          if (req.QueryValue("inline") == "throw") throw std::runtime_error("boom");
          return HttpResponse::Text(200, "inline");
        });
    AddRoute(router_, env_, "POST", "/api/echo/{thing:id}", "handleEcho",
             [](RequestContext& ctx, const HttpRequest& req) {
               Result<EchoBody> body = DecodeRequestBody<EchoBody>(req);
               if (!body) return RespondError(ctx, "failed to decode request", body.error());
               body->name +=
                   "/" + std::string(req.PathVar("thing")) + "/" + std::string(req.QueryValue("q"));
               return JsonResponse(201, *body);
             });
    AddRoute(router_, env_, "GET", "/fast", "handleFast",
             [](RequestContext&, const HttpRequest&) { return HttpResponse::Text(200, "fast"); });
    AddRoute(router_, env_, "GET", "/slow", "handleSlow",
             [this](RequestContext&, const HttpRequest&) {
               started_.fetch_add(1);
               started_.notify_all();
               release_.wait();
               return HttpResponse::Text(200, "slow");
             });
    AddRoute(router_, env_, "GET", "/throw", "handleThrow",
             [](RequestContext&, const HttpRequest&) -> HttpResponse {
               throw std::runtime_error("boom");
             });
    options.listen = "127.0.0.1:0";
    InlineDispatcher inline_dispatcher;
    if (with_inline) {
      inline_dispatcher = [this](HttpRequest& r) { return router_.DispatchInline(r); };
    }
    server_ = std::make_unique<HttpServer>(
        std::move(options), [this](HttpRequest& r) { return router_.Dispatch(r); }, Logger(),
        std::move(inline_dispatcher));
    Result<void> started = server_->Start();
    EXPECT_TRUE(started.has_value()) << (started ? "" : started.error().message);
  }

  // Unblocks /slow handlers even when a test fails early, so the server can stop.
  ~ServerFixture() { Release(); }

  HttpServer& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  // Blocks until `n` /slow handlers have started.
  void WaitStarted(int n) {
    int seen;
    while ((seen = started_.load()) < n) started_.wait(seen);
  }
  void Release() {
    if (!released_.exchange(true)) release_promise_.set_value();
  }

 private:
  HandlerEnv env_;
  Router router_;
  std::atomic<int> started_{0};
  std::atomic<bool> released_{false};
  std::promise<void> release_promise_;
  std::shared_future<void> release_ = release_promise_.get_future().share();
  std::unique_ptr<HttpServer> server_;
};

// GETs `target` `times` times on `client`; each must answer 200 with `body`.
void ExpectAnswers(Client& client, const std::string& target, const std::string& body, int times) {
  for (int i = 0; i < times; ++i) {
    auto response = client.Request("GET", target);
    ASSERT_TRUE(response) << target << " got no answer";
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, body);
  }
}

TEST(HttpServer, ListensOnAFreePortAndReportsIt) {
  ServerFixture fixture;
  EXPECT_GT(fixture.port(), 0);
  EXPECT_EQ(fixture.server().address(), "127.0.0.1:" + std::to_string(fixture.port()));
}

TEST(HttpServer, RouterSemanticsOnTheWire) {
  ServerFixture fixture;
  Client client(fixture.port());
  ASSERT_TRUE(client.connected());

  auto not_found = client.Request("GET", "/api/nothing");
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->body, "404 page not found\n");
  EXPECT_EQ(not_found->headers["content-type"], "text/plain; charset=utf-8");

  auto not_allowed = client.Request("DELETE", "/fast");
  ASSERT_TRUE(not_allowed);
  EXPECT_EQ(not_allowed->status, 405);
  EXPECT_EQ(not_allowed->body, "");
  EXPECT_EQ(not_allowed->headers.count("content-type"), 0u);

  auto redirect = client.Request("GET", "/api//echo/../fast?x=1");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 301);
  EXPECT_EQ(redirect->headers["location"], "/api/fast?x=1");

  auto trailing = client.Request("GET", "/fast/");
  ASSERT_TRUE(trailing);
  EXPECT_EQ(trailing->status, 404);

  auto bad_id = client.Request("POST", "/api/echo/short", "{}");
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->status, 404);
}

TEST(HttpServer, JsonRoundTripWithTrailingNewline) {
  ServerFixture fixture;
  Client client(fixture.port());
  const std::string id = "abcdefghijkmnopqrstuwxyz12";
  auto echoed = client.Request("POST", "/api/echo/" + id + "?q=a%20b+c",
                               R"({"name":"<x>","COUNT":7,"ignored":true})");
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->status, 201);
  EXPECT_EQ(echoed->headers["content-type"], "application/json");
  EXPECT_EQ(echoed->body, "{\"Name\":\"\\u003cx\\u003e/" + id + "/a b c\",\"Count\":7}\n");
  {
    // The Date header is RFC 7231's IMF-fixdate of now (formatted once a second per thread).
    const std::string& date = echoed->headers["date"];
    std::tm tm{};
    const char* end = strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    ASSERT_TRUE(end != nullptr && *end == '\0') << date;
    EXPECT_EQ(date.size(), 29u) << date;  // "Wed, 02 Dec 2026 16:28:15 GMT"
    EXPECT_LE(std::abs(static_cast<long>(timegm(&tm) - std::time(nullptr))), 5L) << date;
  }

  // Keep-alive: the same connection serves the next requests.
  auto empty_body = client.Request("POST", "/api/echo/" + id);
  ASSERT_TRUE(empty_body);
  EXPECT_EQ(empty_body->status, 201);
  EXPECT_EQ(empty_body->body, "{\"Name\":\"/" + id + "/\",\"Count\":0}\n");

  auto bad_json = client.Request("POST", "/api/echo/" + id, R"({"Count":"seven"})");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_EQ(bad_json->headers["content-type"], "application/json");
  EXPECT_EQ(bad_json->body.rfind("{\"error\":\"failed to decode request", 0), 0u);

  auto thrown = client.Request("GET", "/throw");
  ASSERT_TRUE(thrown);
  EXPECT_EQ(thrown->status, 500);

  auto bad_escape = client.Request("GET", "/fa%zzst");
  ASSERT_TRUE(bad_escape);
  EXPECT_EQ(bad_escape->status, 400);
}

TEST(HttpServer, ServesOtherRequestsWhileAHandlerIsSlow) {
  HttpServerOptions options;
  options.workers = 2;
  ServerFixture fixture(options);
  Client slow(fixture.port());
  slow.Send("GET", "/slow");
  fixture.WaitStarted(1);

  Client fast(fixture.port());
  ExpectAnswers(fast, "/fast", "fast", 5);
  fixture.Release();
  auto slow_response = slow.Read();
  ASSERT_TRUE(slow_response);
  EXPECT_EQ(slow_response->status, 200);
  EXPECT_EQ(slow_response->body, "slow");
}

// What the inline dispatcher answers is answered on the I/O thread: it arrives while the only
// worker is held. What it declines (or throws on) waits for a worker, and without an inline
// dispatcher nothing is answered inline.
TEST(HttpServer, InlineAnswersDoNotWaitForAWorker) {
  HttpServerOptions options;
  options.workers = 1;
  ServerFixture fixture(options, /*with_inline=*/true);
  Client slow(fixture.port());
  slow.Send("GET", "/slow");
  fixture.WaitStarted(1);

  Client cached(fixture.port());
  ExpectAnswers(cached, "/cached", "inline", 3);  // a timeout: it waited for the held worker
  Client declined(fixture.port());
  declined.Send("GET", "/cached?inline=no");
  Client thrown(fixture.port());
  thrown.Send("GET", "/cached?inline=throw");
  // The held request and the two declined ones, queued for the worker.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (fixture.server().InFlightForTest() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(fixture.server().InFlightForTest(), 3u);
  fixture.Release();
  for (auto [client, body] :
       {std::pair{&slow, "slow"}, std::pair{&declined, "worker"}, std::pair{&thrown, "worker"}}) {
    auto response = client->Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, body);
  }

  ServerFixture plain;
  Client client(plain.port());
  auto response = client.Request("GET", "/cached");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "worker");
}

TEST(HttpServer, FullQueueAnswers503) {
  HttpServerOptions options;
  options.workers = 1;
  options.max_queued_requests = 1;
  ServerFixture fixture(options);
  Client running(fixture.port());
  running.Send("GET", "/slow");
  fixture.WaitStarted(1);
  Client queued(fixture.port());
  queued.Send("GET", "/fast");
  while (fixture.server().InFlightForTest() < 2) std::this_thread::yield();

  Client rejected(fixture.port());
  auto busy = rejected.Request("GET", "/fast");
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->headers["retry-after"], "1");

  fixture.Release();
  EXPECT_EQ(running.Read()->status, 200);
  EXPECT_EQ(queued.Read()->status, 200);
}

TEST(HttpServer, BodyTooLargeIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  ServerFixture fixture(options);
  Client client(fixture.port());
  const std::string id = "abcdefghijkmnopqrstuwxyz12";
  auto too_large = client.Request("POST", "/api/echo/" + id, std::string(1025, ' '));
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  EXPECT_EQ(too_large->body, "{\"error\":\"request body too large\"}\n");

  auto at_limit = client.Request("POST", "/api/echo/" + id, std::string(1024, ' '));
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->status, 201);

  // Far beyond the limit the parser refuses the body: the connection closes unanswered.
  Client huge(fixture.port());
  huge.Send("POST", "/api/echo/" + id, std::string(8192, ' '));
  EXPECT_FALSE(huge.Read().has_value());
}

TEST(HttpServer, GracefulShutdownFinishesInFlightRequests) {
  ServerFixture fixture;
  const uint16_t port = fixture.port();
  Client in_flight(port);
  in_flight.Send("GET", "/slow");
  fixture.WaitStarted(1);
  Client idle(port);
  auto before = idle.Request("GET", "/fast");  // makes sure the server accepted `idle`
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 200);

  std::future<bool> stopped =
      std::async(std::launch::async, [&fixture] { return fixture.server().Stop(); });
  // The listener closes first: wait until new connections are refused.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (Client(port).connected()) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "listener never closed";
    std::this_thread::yield();
  }
  // A request on an already open connection during the drain is refused politely.
  auto refused = idle.Request("GET", "/fast");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->headers["connection"], "close");

  fixture.Release();
  auto response = in_flight.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow");
  EXPECT_EQ(response->headers["connection"], "close");
  EXPECT_TRUE(stopped.get());
}

TEST(HttpServer, StartFailsWhenThePortIsTaken) {
  ServerFixture first;
  HttpServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second(
      options, [](HttpRequest&) { return HttpResponse{}; }, Logger());
  Result<void> started = second.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
}

TEST(ListenAddress, ParsesGoStyleAddresses) {
  struct Case {
    std::string text;
    bool ok;
    std::string host;
    uint16_t port;
  };
  const std::vector<Case> cases = {
      {":8075", true, "", 8075},
      {"127.0.0.1:0", true, "127.0.0.1", 0},
      {"localhost:80", true, "localhost", 80},
      {"[::1]:9000", true, "::1", 9000},
      {"8075", false, "", 0},
      {":", false, "", 0},
      {":70000", false, "", 0},
      {"::1:80", false, "", 0},
      {":80x", false, "", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<ListenAddress> parsed = ParseListenAddress(c.text);
    ASSERT_EQ(parsed.has_value(), c.ok);
    if (c.ok) {
      EXPECT_EQ(parsed->host, c.host);
      EXPECT_EQ(parsed->port, c.port);
    }
  }
}

// --- the `cloud` binary -------------------------------------------------------------------

std::filesystem::path CloudBinary() {
  // Tests live in <build>/tests/; the binary in <build>/src/app/cloud.
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "src" /
         "app" / "cloud";
}

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Runs the binary to completion and returns {exit code, stdout+stderr}.
std::pair<int, std::string> RunToCompletion(const std::string& args) {
  std::string command = CloudBinary().string() + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(CloudServerBinary, ServesHealthAndMetricsAndStopsOnSigterm) {
  const std::filesystem::path binary = CloudBinary();
  ASSERT_TRUE(std::filesystem::exists(binary))
      << binary << " is missing: build the `cloud` target before this test";
  const uint16_t api_port = FreePort();
  const uint16_t metrics_port = FreePort();

  const std::string listen = "127.0.0.1:" + std::to_string(api_port);
  const std::string metrics = std::to_string(metrics_port);
  // A fresh SQLite store, migrated by the CLI as a user would (`cloud schema migrate`).
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cloud-server-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string database = "sqlite://" + (dir / "cloud.db").string();
  const auto [migrate_code, migrate_output] =
      RunToCompletion("schema migrate --database " + database);
  ASSERT_EQ(migrate_code, 0) << migrate_output;
  ASSERT_NE(migrate_output.find("migrated 0.0.0 -> 0.54.0"), std::string::npos) << migrate_output;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // --metrics-port comes from the environment (CP_<FLAG>), --listen from the command line.
    ::setenv("CP_METRICS_PORT", metrics.c_str(), 1);
    ::execl(binary.c_str(), "cloud", "server", "--listen", listen.c_str(), "--workers", "2",
            "--database", database.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }

  std::optional<WireResponse> health;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    Client client(api_port);
    if (client.connected() && (health = client.Request("GET", "/healthz"))) break;
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "server exited early";
    std::this_thread::yield();
  }
  ASSERT_TRUE(health) << "server never answered /healthz";
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(health->headers["content-type"], "application/json");

  Client api(api_port);
  auto unknown = api.Request("GET", "/api/clusters/");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  Client metrics_client(metrics_port);
  auto scraped = metrics_client.Request("GET", "/metrics");
  ASSERT_TRUE(scraped);
  EXPECT_EQ(scraped->status, 200);
  EXPECT_EQ(scraped->headers["content-type"], std::string(kMetricsContentType));
  EXPECT_NE(scraped->body.find("# TYPE provisioner_api_requests_total counter\n"),
            std::string::npos);
  EXPECT_NE(scraped->body.find("provisioner_api_requests_duration_count{handler=\"handleHealthz\","
                               "route=\"/healthz\",method=\"GET\",status_code=\"200\"} 1\n"),
            std::string::npos)
      << scraped->body;

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::filesystem::remove_all(dir);
}

TEST(CloudServerBinary, RefusesAnUnmigratedDatabaseNamingTheCommand) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cloud-unmigrated-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto [code, output] =
      RunToCompletion("server --listen 127.0.0.1:0 --metrics-port 0 --database sqlite://" +
                      (dir / "cloud.db").string());
  EXPECT_NE(code, 0);
  EXPECT_NE(output.find("cloud schema migrate"), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

TEST(CloudServerBinary, RejectsBadFlagsWithOneLine) {
  ASSERT_TRUE(std::filesystem::exists(CloudBinary()));
  struct Case {
    std::string args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"server --no-such-flag", "Error: The following argument was not expected: --no-such-flag\n"},
      {"server --default-max-schemas-per-logical-database 0",
       "Error: --default-max-schemas-per-logical-database must be at least 1\n"},
      {"server --cluster-resource-threshold 101",
       "Error: --cluster-resource-threshold-cpu-override (or --cluster-resource-threshold) must "
       "be between 10 and 100, got 101\n"},
      {"server --enable-log-files-per-cluster",
       "Error: --log-files-per-cluster-path is required when --enable-log-files-per-cluster is "
       "set\n"},
      {"server --import-supervisor --awat ''",
       "Error: --awat is required when --import-supervisor is set\n"},
      {"server --import-supervisor --awat ftp://awat",
       "Error: --awat must be an http:// or https:// URL, got \"ftp://awat\"\n"},
      {"server --listen nonsense", "Error: --listen: listen address \"nonsense\" has no port\n"},
      {"server --response-cache-mb -1", "Error: --response-cache-mb must be between 0 and 65536\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    auto [code, output] = RunToCompletion(c.args);
    EXPECT_NE(code, 0);
    EXPECT_EQ(output, c.error);
  }
  auto [help_code, help] = RunToCompletion("server --help");
  EXPECT_EQ(help_code, 0);
  for (const char* flag : {"--listen", "--metrics-port", "--database TEXT=sqlite://cloud.db",
                           "--backend", "simulated", "--workers", "--response-cache-mb INT=32",
                           "--jwks-url", "--installation-deletion-pending-time TEXT=3m0s",
                           "(Env:CP_MAX_INSTALLATIONS_RDS_POSTGRES_PGBOUNCER)"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace cloud::api
