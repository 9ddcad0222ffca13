// The one translation unit that includes RESTinio and Asio (their headers take seconds to
// parse; ARCHITECTURE.md keeps them out of every header).
#include "api/http_server.h"

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <future>
#include <mutex>
#include <restinio/all.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "api/error_mapping.h"
#include "api/worker_pool.h"

namespace cloud::api {
namespace {

// Forwards RESTinio's own diagnostics to our logger at debug level: its warnings and errors
// are about single connections (peer reset, parse errors, timeouts) and would flood the logs
// (every client that resets a keep-alive connection is an "error"). Failures that matter
// (bind errors) come back to us as exceptions and are reported by HttpServer.
class RestinioLogger {
 public:
  explicit RestinioLogger(Logger log) : log_(std::move(log)) {}

  template <typename Builder>
  void trace(Builder&&) {}
  template <typename Builder>
  void info(Builder&&) {}
  template <typename Builder>
  void warn(Builder&& builder) {
    log_.Debug(builder());
  }
  template <typename Builder>
  void error(Builder&& builder) {
    log_.Debug(builder());
  }

 private:
  Logger log_;
};

using Traits = restinio::traits_t<restinio::asio_timer_manager_t, RestinioLogger>;
using Server = restinio::http_server_t<Traits>;

// The Date header's value (RFC 7231's IMF-fixdate), formatted once per second per thread:
// RESTinio's append_header_date_field() formats it (gmtime, strftime) for every response.
const std::string& HttpDateNow() {
  thread_local std::time_t formatted_second = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != formatted_second) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    text = buffer;
    formatted_second = now;
  }
  return text;
}

Result<HttpRequest> ConvertRequest(const restinio::request_t& in) {
  HttpRequest out;
  const auto& header = in.header();
  out.method = header.method().c_str();
  out.raw_path = std::string(header.path());
  out.raw_query = std::string(header.query());
  Result<std::string> path = PercentDecode(out.raw_path, false);
  if (!path) return path.error();
  out.path = std::move(*path);
  out.query = ParseQueryString(out.raw_query);
  header.for_each_field([&out](const restinio::http_header_field_t& field) {
    out.headers.emplace_back(field.name(), field.value());
  });
  out.body = in.body();
  return out;
}

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("listen address \"" + std::string(listen) + "\" has no port");
  }
  std::string_view host = listen.substr(0, colon);
  std::string_view port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return InvalidArgument("listen address \"" + std::string(listen) +
                           "\": IPv6 hosts must be in brackets");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return InvalidArgument("listen address \"" + std::string(listen) + "\" has a bad port");
  }
  return ListenAddress{std::string(host), static_cast<uint16_t>(port)};
}

struct HttpServer::Impl {
  HttpServerOptions options;
  RequestDispatcher dispatcher;
  InlineDispatcher inline_dispatcher;
  Logger log;

  std::unique_ptr<Server> server;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work_guard;
  std::vector<std::thread> io_threads;
  std::unique_ptr<WorkerPool> pool;
  std::atomic<uint16_t> port{0};
  std::string bound_host;
  std::atomic<bool> draining{false};

  // Requests accepted and not yet answered. Atomic: every request counts in and out, from the
  // I/O and worker threads; `mu` is taken only to wake Stop() when it reaches zero.
  std::mutex mu;
  std::condition_variable idle;
  std::atomic<size_t> in_flight{0};

  std::mutex lifecycle_mu;
  bool started = false;
  bool stopped = false;

  void BeginRequest() { in_flight.fetch_add(1); }

  void EndRequest() {
    if (in_flight.fetch_sub(1) != 1) return;
    // Taking the mutex orders this wake-up after a waiter's check of the count (no lost wake-up).
    { std::lock_guard lock(mu); }
    idle.notify_all();
  }

  // Writes `response` for `req`; safe from any thread. Ends the in-flight count exactly once,
  // after RESTinio reports the write finished (or failed).
  void Respond(const restinio::request_handle_t& req, HttpResponse response) {
    auto ended = std::make_shared<std::atomic<bool>>(false);
    auto end_once = [this, ended] {
      if (!ended->exchange(true)) EndRequest();
    };
    try {
      auto builder = req->create_response(restinio::http_status_line_t{
          restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
          std::string(StatusReason(response.status))});
      builder.append_header(restinio::http_field::date, HttpDateNow());
      if (!response.content_type.empty()) {
        builder.append_header(restinio::http_field::content_type, response.content_type);
      }
      for (auto& [name, value] : response.headers) {
        builder.append_header(std::move(name), std::move(value));
      }
      if (response.close_connection || draining.load()) builder.connection_close();
      builder.set_body(std::move(response.body));
      builder.done([end_once](const asio::error_code&) { end_once(); });
    } catch (const std::exception& e) {
      log.Warn("failed to write response", Internal(e.what()));
      end_once();
    }
  }

  // Runs on an I/O thread for every complete request.
  restinio::request_handling_status_t OnRequest(restinio::request_handle_t req) {
    BeginRequest();
    if (draining.load()) {
      HttpResponse response = ErrorResponse(503, "server is shutting down");
      response.close_connection = true;
      Respond(req, std::move(response));
      return restinio::request_accepted();
    }
    if (req->body().size() > options.max_body_bytes) {
      Respond(req, ErrorResponse(413, "request body too large"));
      return restinio::request_accepted();
    }
    // With an inline dispatcher the request is converted here, tried inline, and handed on
    // converted; otherwise the worker converts it.
    std::shared_ptr<HttpRequest> converted;
    if (inline_dispatcher) {
      Result<HttpRequest> request = ConvertRequest(*req);
      if (!request) {
        Respond(req, ErrorResponse(400, request.error().message));
        return restinio::request_accepted();
      }
      converted = std::make_shared<HttpRequest>(std::move(*request));
      std::optional<HttpResponse> answered;
      try {
        answered = inline_dispatcher(*converted);
      } catch (...) {
        answered.reset();  // the worker answers it
      }
      if (answered) {
        Respond(req, std::move(*answered));
        return restinio::request_accepted();
      }
    }
    const bool queued = pool->TrySubmit([this, req, converted = std::move(converted)] {
      HttpResponse response;
      Result<HttpRequest> request =
          converted ? Result<HttpRequest>(std::move(*converted)) : ConvertRequest(*req);
      if (!request) {
        response = ErrorResponse(400, request.error().message);
      } else {
        try {
          response = dispatcher(*request);
        } catch (const std::exception& e) {
          log.Error("unhandled exception in request dispatch", Internal(e.what()));
          response = ErrorResponse(500, "internal error");
        } catch (...) {
          log.Error("unhandled non-standard exception in request dispatch");
          response = ErrorResponse(500, "internal error");
        }
      }
      Respond(req, std::move(response));
    });
    if (!queued) {
      HttpResponse response = ErrorResponse(503, "server busy");
      response.headers.emplace_back("Retry-After", "1");
      Respond(req, std::move(response));
    }
    return restinio::request_accepted();
  }

  void StopThreads() {
    if (work_guard) work_guard->reset();
    if (server) server->io_context().stop();
    for (std::thread& t : io_threads) {
      if (t.joinable()) t.join();
    }
    io_threads.clear();
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestDispatcher dispatcher, Logger log,
                       InlineDispatcher inline_dispatcher)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->dispatcher = std::move(dispatcher);
  impl_->inline_dispatcher = std::move(inline_dispatcher);
  impl_->log = log.With(logkey::kComponent, impl_->options.name);
}

HttpServer::~HttpServer() {
  Stop();
  // Members go in a safe order: the pool is joined and the I/O threads stopped; the RESTinio
  // server (which owns its io_context) is destroyed after its acceptor.
  impl_->pool.reset();
  impl_->server.reset();
}

Result<void> HttpServer::Start() {
  Impl& d = *impl_;
  std::lock_guard lifecycle(d.lifecycle_mu);
  if (d.started) return FailedPrecondition("server already started");
  CLOUD_TRY(ListenAddress listen, ParseListenAddress(d.options.listen));

  asio::ip::address address;
  if (listen.host.empty()) {
    address = asio::ip::address_v4::any();
  } else if (listen.host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else {
    asio::error_code ec;
    address = asio::ip::make_address(listen.host, ec);
    if (ec) {
      asio::io_context resolver_context;
      asio::ip::tcp::resolver resolver(resolver_context);
      auto results = resolver.resolve(listen.host, "", ec);
      if (ec || results.empty()) {
        return InvalidArgument("cannot resolve listen host \"" + listen.host + "\"");
      }
      address = results.begin()->endpoint().address();
    }
  }
  d.bound_host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();

  const size_t hard_body_limit =
      d.options.max_body_bytes > SIZE_MAX / 4 ? SIZE_MAX : d.options.max_body_bytes * 4;
  restinio::server_settings_t<Traits> settings;
  settings.port(listen.port)
      .protocol(address.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4())
      .address(address)
      .logger(d.log)
      .request_handler([&d](restinio::request_handle_t req) { return d.OnRequest(std::move(req)); })
      .read_next_http_message_timelimit(d.options.read_timeout)
      .write_http_response_timelimit(d.options.write_timeout)
      .handle_request_timeout(d.options.handler_timeout)
      .max_pipelined_requests(1)
      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                    .max_body_size(hard_body_limit)
                                    .max_field_value_size(1024 * 1024)
                                    .max_url_size(1024 * 1024))
      .socket_options_setter([](restinio::socket_options_t& options) {
        options.set_option(asio::ip::tcp::no_delay{true});
      })
      .acceptor_post_bind_hook([&d](asio::ip::tcp::acceptor& acceptor) {
        d.port.store(acceptor.local_endpoint().port());
      });

  try {
    d.server = std::make_unique<Server>(restinio::own_io_context(), std::move(settings));
  } catch (const std::exception& e) {
    return Internal(std::string("failed to configure HTTP server: ") + e.what());
  }
  d.pool = std::make_unique<WorkerPool>(d.options.workers, d.options.max_queued_requests,
                                        d.options.workers_poll_when_idle);
  d.work_guard = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      d.server->io_context().get_executor());
  const size_t io_threads = d.options.io_threads == 0 ? 1 : d.options.io_threads;
  for (size_t i = 0; i < io_threads; ++i) {
    d.io_threads.emplace_back([&d] { d.server->io_context().run(); });
  }

  std::promise<void> opened;
  d.server->open_async([&opened] { opened.set_value(); },
                       [&opened](std::exception_ptr e) { opened.set_exception(e); });
  try {
    opened.get_future().get();
  } catch (const std::exception& e) {
    d.StopThreads();
    d.pool->Shutdown();
    return Unavailable("failed to listen on " + d.options.listen + ": " + e.what());
  }
  d.started = true;
  return Ok();
}

uint16_t HttpServer::port() const { return impl_->port.load(); }

std::string HttpServer::address() const {
  return impl_->bound_host + ":" + std::to_string(impl_->port.load());
}

size_t HttpServer::InFlightForTest() const { return impl_->in_flight.load(); }

bool HttpServer::Stop() {
  Impl& d = *impl_;
  std::lock_guard lifecycle(d.lifecycle_mu);
  if (!d.started || d.stopped) return true;
  d.stopped = true;
  d.draining.store(true);

  // Stop accepting new connections (RESTinio closes the acceptor on its own strand).
  std::promise<void> closed;
  d.server->close_async([&closed] { closed.set_value(); },
                        [&closed](std::exception_ptr e) { closed.set_exception(e); });
  try {
    closed.get_future().get();
  } catch (const std::exception& e) {
    d.log.Warn("failed to close the listener", Internal(e.what()));
  }

  bool drained = false;
  {
    std::unique_lock lock(d.mu);
    drained = d.idle.wait_for(lock, d.options.shutdown_timeout, [&d] { return d.in_flight == 0; });
    if (!drained) {
      d.log.With("in_flight", std::to_string(d.in_flight.load()))
          .Warn("shutdown timeout expired with requests still in flight");
    }
  }
  // Handlers still running finish (their responses are written if the I/O threads are still
  // up); queued ones run too. Then the I/O threads stop; idle keep-alive connections close.
  d.pool->Shutdown();
  if (!drained) {
    std::unique_lock lock(d.mu);
    d.idle.wait_for(lock, std::chrono::seconds(1), [&d] { return d.in_flight == 0; });
  }
  d.StopThreads();
  return drained;
}

struct ShutdownSignals::Impl {
  asio::io_context context;
  asio::signal_set signals{context, SIGINT, SIGTERM};
  std::atomic<int> received{-1};
};

ShutdownSignals::ShutdownSignals() : impl_(std::make_unique<Impl>()) {
  impl_->signals.async_wait([this](const asio::error_code& ec, int signal_number) {
    impl_->received.store(ec ? 0 : signal_number);
  });
}

ShutdownSignals::~ShutdownSignals() = default;

int ShutdownSignals::Wait() {
  impl_->context.run();
  const int received = impl_->received.load();
  return received < 0 ? 0 : received;
}

void ShutdownSignals::Trigger() {
  asio::post(impl_->context, [this] { impl_->signals.cancel(); });
}

}  // namespace cloud::api
