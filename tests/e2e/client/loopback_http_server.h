// A tiny HTTP/1.1 server on 127.0.0.1 for client and CLI tests: one thread, raw POSIX sockets,
// keep-alive, every request recorded and answered by a handler the test supplies.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cloud::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // path + "?" + query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int connection = 0;  // index of the TCP connection it came on

  std::string Path() const { return target.substr(0, target.find('?')); }
  std::string Query() const {
    const size_t q = target.find('?');
    return q == std::string::npos ? "" : target.substr(q + 1);
  }
  // First header with this name (case-insensitive), or "" if absent.
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return v;
      }
    }
    return "";
  }
  bool HasHeader(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return true;
      }
    }
    return false;
  }
};

struct CannedResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class LoopbackHttpServer {
 public:
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;

  explicit LoopbackHttpServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 16);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
    thread_ = std::thread([this] { Loop(); });
  }

  ~LoopbackHttpServer() {
    const char c = 'x';
    (void)!write(wake_[1], &c, 1);
    thread_.join();
    for (auto& conn : conns_) close(conn.fd);
    close(listen_fd_);
    close(wake_[0]);
    close(wake_[1]);
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections_accepted() const {
    std::lock_guard lock(mu_);
    return accepted_;
  }

 private:
  struct Conn {
    int fd;
    int index;
    std::string buffer;
  };

  void Loop() {
    while (true) {
      std::vector<pollfd> fds;
      fds.push_back({wake_[0], POLLIN, 0});
      fds.push_back({listen_fd_, POLLIN, 0});
      for (const Conn& c : conns_) fds.push_back({c.fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents != 0) return;
      if (fds[1].revents & POLLIN) {
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          std::lock_guard lock(mu_);
          conns_.push_back({fd, accepted_++, ""});
        }
      }
      std::vector<int> closed;
      for (size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        Conn& conn = conns_[i - 2];
        char buf[8192];
        ssize_t n = read(conn.fd, buf, sizeof(buf));
        if (n <= 0) {
          closed.push_back(conn.fd);
          continue;
        }
        conn.buffer.append(buf, static_cast<size_t>(n));
        ServeComplete(conn);
      }
      for (int fd : closed) {
        close(fd);
        conns_.erase(std::remove_if(conns_.begin(), conns_.end(),
                                    [fd](const Conn& c) { return c.fd == fd; }),
                     conns_.end());
      }
    }
  }

  // Answers every complete request in the connection's buffer.
  void ServeComplete(Conn& conn) {
    while (true) {
      const size_t end = conn.buffer.find("\r\n\r\n");
      if (end == std::string::npos) return;
      RecordedRequest req;
      req.connection = conn.index;
      std::string head = conn.buffer.substr(0, end);
      size_t line_end = head.find("\r\n");
      std::string request_line = head.substr(0, line_end);
      const size_t sp1 = request_line.find(' ');
      const size_t sp2 = request_line.rfind(' ');
      req.method = request_line.substr(0, sp1);
      req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t content_length = 0;
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t next = head.find("\r\n", pos);
        if (next == std::string::npos) next = head.size();
        std::string line = head.substr(pos, next - pos);
        const size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          std::string lower = name;
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (lower == "content-length") content_length = std::stoul(value);
          req.headers.emplace_back(name, value);
        }
        pos = next + 2;
      }
      if (conn.buffer.size() < end + 4 + content_length) return;  // body not complete yet
      req.body = conn.buffer.substr(end + 4, content_length);
      conn.buffer.erase(0, end + 4 + content_length);
      CannedResponse resp = handler_(req);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
      }
      std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
      out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
      for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
      out += "\r\n" + resp.body;
      size_t written = 0;
      while (written < out.size()) {
        ssize_t n = write(conn.fd, out.data() + written, out.size() - written);
        if (n <= 0) break;
        written += static_cast<size_t>(n);
      }
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::vector<Conn> conns_;
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;
  int accepted_ = 0;
};

}  // namespace cloud::testing
