// HttpServer: the HTTP/1.1 server of the API and metrics ports. An adapter over RESTinio
// (only http_server.cc includes it): I/O threads parse requests and write responses; a
// bounded WorkerPool runs the dispatcher (router + handlers), so slow handlers never block
// I/O; responses are written from the worker thread through RESTinio's strands. An optional
// InlineDispatcher answers what it can from memory on the I/O thread itself (cached reads).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "common/logging.h"
#include "common/result.h"

namespace cloud::api {

struct ListenAddress {
  std::string host;  // "" = all interfaces (IPv4 0.0.0.0); "::" etc. for IPv6
  uint16_t port = 0;
};

// Parses a Go-style listen address: ":8075" (all interfaces), "127.0.0.1:8075",
// "localhost:0", "[::1]:8075". Errors: kInvalidArgument (no port, port not a number or out
// of range).
Result<ListenAddress> ParseListenAddress(std::string_view listen);

struct HttpServerOptions {
  std::string listen = ":8075";
  std::string name = "api";           // the `component` field of the server's logs
  size_t io_threads = 1;              // RESTinio/Asio threads parsing and writing
  size_t workers = 8;                 // threads running handlers
  size_t max_queued_requests = 1024;  // beyond this, 503 without running the handler
  // An idle worker polls the queue briefly before sleeping (WorkerPool's poll_when_idle):
  // for short CPU-bound handlers (the SQLite store).
  bool workers_poll_when_idle = false;
  // Bodies larger than this get 413. Bodies larger than 4x this (or with such a
  // Content-Length) are refused by RESTinio's parser before being read: the connection is
  // closed without a response (RESTinio 0.6 offers no hook to answer at that point).
  size_t max_body_bytes = 10 * 1024 * 1024;
  // Upstream's http.Server uses 180 s read/write/idle timeouts.
  std::chrono::milliseconds read_timeout{180'000};     // reading a request / idle keep-alive
  std::chrono::milliseconds write_timeout{180'000};    // writing a response
  std::chrono::milliseconds handler_timeout{180'000};  // handler to response; then closed
  std::chrono::milliseconds shutdown_timeout{15'000};  // Stop() waits this long for requests
};

// Runs on a worker thread for every request; returns the response to write. Exceptions
// escaping it become 500.
using RequestDispatcher = std::function<HttpResponse(HttpRequest& request)>;

// Runs on the I/O thread first, when given: answers a request without blocking (from memory),
// or returns nullopt to send it on to the RequestDispatcher on a worker. An exception counts
// as nullopt. (Router::DispatchInline.)
using InlineDispatcher = std::function<std::optional<HttpResponse>(HttpRequest& request)>;

// Lifecycle: construct, Start() once, Stop() once (the destructor stops if needed).
// Threading: Start/Stop/port from one controlling thread; the dispatcher runs concurrently
// on `workers` threads.
class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestDispatcher dispatcher, Logger log,
             InlineDispatcher inline_dispatcher = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Errors: kInvalidArgument for a malformed listen address;
  // kUnavailable when the address cannot be bound (in use, no permission).
  Result<void> Start();

  // The bound port (the one the OS picked when listening on port 0); 0 before Start().
  uint16_t port() const;
  // "host:port" actually bound, for logs ("0.0.0.0:8075").
  std::string address() const;

  // Graceful shutdown: stops accepting, answers requests arriving on open connections with
  // 503 (Connection: close), waits up to shutdown_timeout for in-flight requests to be
  // answered, then stops the threads. Returns false if the timeout expired (handlers still
  // running are waited for before the threads stop). Idempotent.
  bool Stop();

  // Requests accepted and not yet answered (queued, running, or being written).
  size_t InFlightForTest() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Waits for SIGINT or SIGTERM (Asio signal_set). Construct it before starting servers so a
// signal arriving during startup is not lost (it then ends the wait immediately).
class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Blocks until SIGINT/SIGTERM arrives (or Trigger() is called); returns the signal number
  // (0 for Trigger).
  int Wait();
  // Ends Wait() as if a signal had arrived; thread-safe.
  void Trigger();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cloud::api
